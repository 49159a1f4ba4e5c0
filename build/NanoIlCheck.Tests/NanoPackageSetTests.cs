// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
using System.Text.RegularExpressions;
using System.Xml.Linq;

namespace IotHubAmqp.Build.Tests
{
    /// <summary>
    /// Every nanoFramework package reference in the repository uses the version of build/nano-packages.txt: the
    /// firmware refuses an assembly whose native version differs from its own, so versions only work as one set.
    /// </summary>
    public class NanoPackageSetTests
    {
        private static readonly string Root = FindRoot();

        private static Dictionary<string, string> Pinned()
        {
            var set = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            foreach (string line in File.ReadAllLines(Path.Combine(Root, "build/nano-packages.txt")))
            {
                if (line.Length == 0 || line.StartsWith('#')) continue;
                string[] parts = line.Split(' ');
                set[parts[0]] = parts[1];
            }
            return set;
        }

        private static IEnumerable<string> Files(string pattern) =>
            Directory.EnumerateFiles(Root, pattern, SearchOption.AllDirectories)
                .Where(f => !f.Contains("/bin/") && !f.Contains("/obj/") && !f.Contains("/packages/") && !f.Contains("/node_modules/"));

        [Fact]
        public void PackagesConfig_EveryNanoPackage_HasThePinnedVersion()
        {
            var pinned = Pinned();
            var wrong = new List<string>();
            foreach (string file in Files("packages.config"))
                foreach (XElement p in XDocument.Load(file).Descendants("package"))
                    Check(pinned, file, (string)p.Attribute("id"), (string)p.Attribute("version"), wrong);
            Assert.True(wrong.Count == 0, string.Join(Environment.NewLine, wrong));
        }

        [Fact]
        public void NfprojHintPaths_EveryNanoPackage_HasThePinnedVersion()
        {
            var pinned = Pinned();
            var wrong = new List<string>();
            var hint = new Regex(@"packages\\(nanoFramework\.[A-Za-z.]+?)\.(\d+\.\d+\.\d+)\\");
            int seen = 0;
            foreach (string file in Files("*.nfproj"))
                foreach (Match m in hint.Matches(File.ReadAllText(file)))
                {
                    seen++;
                    Check(pinned, file, m.Groups[1].Value, m.Groups[2].Value, wrong);
                }
            Assert.True(seen > 0, "no HintPath found in any .nfproj");
            Assert.True(wrong.Count == 0, string.Join(Environment.NewLine, wrong));
        }

        [Fact]
        public void Nuspecs_EveryNanoDependency_IsExactlyThePinnedVersion()
        {
            var pinned = Pinned();
            var wrong = new List<string>();
            var nuspecs = Files("*.nuspec").ToList();
            Assert.NotEmpty(nuspecs);
            foreach (string file in nuspecs)
                foreach (XElement d in XDocument.Load(file).Descendants().Where(e => e.Name.LocalName == "dependency"))
                {
                    string version = (string)d.Attribute("version");
                    // NuGet reads a bare "1.2.3" as ">= 1.2.3"; only "[1.2.3]" pins the version users get.
                    if (!version.StartsWith('[') || !version.EndsWith(']'))
                        wrong.Add(file + ": dependency " + d.Attribute("id") + " version '" + version + "' is not exact ([x.y.z])");
                    Check(pinned, file, (string)d.Attribute("id"), version.Trim('[', ']'), wrong);
                }
            Assert.True(wrong.Count == 0, string.Join(Environment.NewLine, wrong));
        }

        private static void Check(Dictionary<string, string> pinned, string file, string id, string version, List<string> wrong)
        {
            if (!id.StartsWith("nanoFramework.", StringComparison.OrdinalIgnoreCase)) return;
            string rel = Path.GetRelativePath(Root, file);
            if (!pinned.TryGetValue(id, out string want)) wrong.Add(rel + ": " + id + " " + version + " is not in build/nano-packages.txt");
            else if (want != version) wrong.Add(rel + ": " + id + " is " + version + ", build/nano-packages.txt pins " + want);
        }

        private static string FindRoot()
        {
            string dir = AppContext.BaseDirectory;
            while (dir != null && !File.Exists(Path.Combine(dir, "test.sh"))) dir = Path.GetDirectoryName(dir);
            return dir ?? throw new InvalidOperationException("repository root (test.sh) not found above " + AppContext.BaseDirectory);
        }
    }
}
