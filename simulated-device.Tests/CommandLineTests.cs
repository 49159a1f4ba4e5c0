// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using IotHubAmqp.SimulatedDevice.Tests.TestSupport;

namespace IotHubAmqp.SimulatedDevice.Tests;

/// <summary>Bad command lines and unreachable hubs: one line on stderr, a non-zero exit, nothing else.</summary>
public class CommandLineTests
{
    [Theory]
    [InlineData("--interval", "--interval", "abc")]
    [InlineData("--auth", "--auth", "foo")]
    [InlineData("--frobnicate", "--frobnicate")]
    [InlineData("--c2d", "--c2d", "ignore")]
    [InlineData("--messages", "--messages", "0")]
    [InlineData("--token-ttl", "--token-ttl")]
    [InlineData("--trusted-ca", "--connection-string", "HostName=h.azure-devices.net;DeviceId=d;SharedAccessKey=c2VjcmV0LWtleQ==")]
    [InlineData("--connection-string", "--connection-string", "HostName=h.azure-devices.net;SharedAccessKey=c2VjcmV0LWtleQ==")]
    public void BadOption_OneLineNamingIt_ExitTwo_NothingOnStdout(string named, params string[] args)
    {
        RunResult run = SimulatedDeviceProcess.Run(args);

        Assert.True(run.ExitCode == 2, run.ToString());
        Assert.Empty(run.Stdout);
        string error = Assert.Single(run.Stderr);
        Assert.Contains(named, error);
        Assert.DoesNotContain("c2VjcmV0LWtleQ==", error);
    }

    [Fact]
    public void Help_PrintsEveryOptionAndExitsZero()
    {
        RunResult run = SimulatedDeviceProcess.Run("--help");

        Assert.True(run.ExitCode == 0, run.ToString());
        string help = string.Join("\n", run.Stdout);
        foreach (string option in new[] { "--connection-string", "--port", "--trusted-ca", "--auth", "--messages", "--interval", "--payload-bytes", "--token-ttl", "--c2d", "--json" })
            Assert.Contains(option, help);
    }

    [Fact]
    public void UnreachableHub_OneLineNamingTheAddress_ExitOne_Promptly()
    {
        int closedPort = ClosedPort();
        string folder = Directory.CreateTempSubdirectory("simdev-ca-").FullName;
        try
        {
            string ca = Path.Combine(folder, "ca.pem");
            File.WriteAllText(ca, SelfSignedCaPem());
            string cs = $"HostName=h.azure-devices.net;DeviceId=d1;SharedAccessKey=c2VjcmV0LWtleQ==;GatewayHostName=127.0.0.1:{closedPort}";

            RunResult run = SimulatedDeviceProcess.Run("--connection-string", cs, "--trusted-ca", ca, "--connect-timeout", "5000", "--json");

            Assert.True(run.ExitCode == 1, run.ToString());
            Assert.Empty(run.Stdout);
            string error = Assert.Single(run.Stderr);
            Assert.Contains("127.0.0.1:" + closedPort, error);
            Assert.DoesNotContain("c2VjcmV0LWtleQ==", error);
            Assert.True(run.Duration < TimeSpan.FromSeconds(20), run.ToString());
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    // A port nothing listens on: bound, then released.
    private static int ClosedPort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    private static string SelfSignedCaPem()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=simdev test CA", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        using X509Certificate2 cert = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        return cert.ExportCertificatePem();
    }
}
