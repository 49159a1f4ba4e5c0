// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
using System.Diagnostics;
using IotHubAmqp.Build;

namespace IotHubAmqp.Build.Tests
{
    /// <summary>The generics check finds what nanoCLR 1.x cannot load, and only that.</summary>
    public class NanoIlCheckerTests
    {
        private static readonly string Root = FindRoot();
        private static string Configuration => AppContext.BaseDirectory.Contains("/Release/") ? "Release" : "Debug";
        private static string Planted => Path.Combine(Root, "build/NanoIlCheck.Tests/PlantedGeneric/bin", Configuration, "netnano1.0/PlantedGeneric.dll");
        private static string Device => Path.Combine(Root, "device-sdk/bin", Configuration, "netnano1.0/IotHubAmqp.Device.dll");

        [Fact]
        public void FindGenerics_PlantedAssembly_ReportsEveryKind()
        {
            List<string> problems = NanoIlChecker.FindGenerics(Planted);
            Assert.Contains(problems, p => p.Contains("EventHandler`1<EventArgs>"));
            Assert.Contains(problems, p => p.Contains("generic parameter 'T' declared on type Box`1"));
            Assert.Contains(problems, p => p.Contains("generic method instantiation of method Identity"));
        }

        [Fact]
        public void FindGenerics_DeviceAssembly_IsClean()
        {
            Assert.Empty(NanoIlChecker.FindGenerics(Device));
        }

        [Fact]
        public void Build_WithPlantedGenericAndCheckOn_Fails()
        {
            var (exit, stdout) = BuildPlanted("");
            Assert.NotEqual(0, exit);
            Assert.Contains("NANO001", stdout);
            Assert.Contains("EventHandler`1", stdout);
        }

        [Fact]
        public void CheckBudget_AtTheSize_Passes_OneByteUnder_NamesBothFigures()
        {
            long il = NanoIlChecker.IlBytes(Device);
            Assert.True(il > 1000, "the device assembly has IL: " + il);
            Assert.Null(NanoIlChecker.CheckBudget(Device, il));
            string over = NanoIlChecker.CheckBudget(Device, il - 1);
            Assert.Contains("IotHubAmqp.Device.dll has " + il + " bytes of IL, over its flash budget of " + (il - 1), over);
        }

        [Fact]
        public void Build_OverItsNanoIlBudget_Fails()
        {
            var (exit, stdout) = BuildPlanted("<PropertyGroup><NanoIlBudget>10</NanoIlBudget></PropertyGroup>");
            Assert.NotEqual(0, exit);
            Assert.Contains("NANO002", stdout);
            Assert.Contains("over its flash budget of 10", stdout);
        }

        // A copy of the fixture in a fresh folder, with the check on as every device project has it.
        private static (int Exit, string Stdout) BuildPlanted(string extra)
        {
            string dir = Path.Combine(Path.GetTempPath(), "planted-" + Guid.NewGuid().ToString("N"));
            Directory.CreateDirectory(dir);
            File.Copy(Path.Combine(Root, "build/NanoIlCheck.Tests/PlantedGeneric/Planted.cs"), Path.Combine(dir, "Planted.cs"));
            File.WriteAllText(Path.Combine(dir, "Planted.csproj"),
                "<Project Sdk=\"Microsoft.NET.Sdk\"><Import Project=\"" + Path.Combine(Root, "nano.props") + "\" />" + extra + "</Project>");
            var psi = new ProcessStartInfo("dotnet", "build --nologo")
            {
                WorkingDirectory = dir,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            };
            using Process p = Process.Start(psi);
            string stdout = p.StandardOutput.ReadToEnd();
            p.WaitForExit(180000);
            Directory.Delete(dir, true);
            return (p.ExitCode, stdout);
        }

        private static string FindRoot()
        {
            var dir = new DirectoryInfo(AppContext.BaseDirectory);
            while (dir != null && !File.Exists(Path.Combine(dir.FullName, "nano.props"))) dir = dir.Parent;
            return dir?.FullName ?? throw new InvalidOperationException("repository root not found");
        }
    }
}
