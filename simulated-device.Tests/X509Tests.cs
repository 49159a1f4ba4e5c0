// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
using IotHubAmqp.LocalHub.Tests;
using IotHubAmqp.SimulatedDevice.Tests.TestSupport;

namespace IotHubAmqp.SimulatedDevice.Tests;

/// <summary>--x509 CERT KEY: the simulated device as an X.509 device (mutual TLS, no SAS token).</summary>
public class X509Tests
{
    private static (string Cert, string Key) Pem(System.Security.Cryptography.X509Certificates.X509Certificate2 cert) =>
        DeviceCertificates.WritePem(cert, DeviceCertificates.TempDirectory());

    [Fact]
    public void InProcessHub_X509Device_SendsEveryMessage_WithoutTokens()
    {
        using var cert = DeviceCertificates.SelfSigned("simulated-device-1");
        var (certPath, keyPath) = Pem(cert);

        RunResult run = SimulatedDeviceProcess.Run("--x509", certPath, keyPath, "--messages", "3", "--interval", "0", "--json");

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal("x509", run.EventsOf("connected").First().GetProperty("auth").GetString());
        Assert.Equal(3, run.EventsOf("accepted").Count());
        Assert.Empty(run.EventsOf("renewed"));
    }

    [Fact]
    public void RemoteHub_X509ConnectionString_AndCertificate_Delivers()
    {
        using var hub = new TestHub();
        using var cert = DeviceCertificates.SelfSigned("x-dev");
        hub.Hub.Registry.AddX509Device("x-dev", cert.Thumbprint);
        var (certPath, keyPath) = Pem(cert);

        RunResult run = SimulatedDeviceProcess.Run("--connection-string", hub.Hub.X509ConnectionString("x-dev"), "--trusted-ca", hub.CaPemPath,
            "--x509", certPath, keyPath, "--messages", "2", "--interval", "0", "--json");

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal(2, hub.Hub.GetTelemetry("x-dev").Count);
    }

    [Fact]
    public void RemoteHub_ExpiredCertificate_OneLineSayingTheHubRefusedIt_ExitOne()
    {
        using var hub = new TestHub();
        using var cert = DeviceCertificates.SelfSigned("x-dev", DateTimeOffset.UtcNow.AddDays(-5), DateTimeOffset.UtcNow.AddDays(-1));
        hub.Hub.Registry.AddX509Device("x-dev", cert.Thumbprint);
        var (certPath, keyPath) = Pem(cert);

        RunResult run = SimulatedDeviceProcess.Run("--connection-string", hub.Hub.X509ConnectionString("x-dev"), "--trusted-ca", hub.CaPemPath,
            "--x509", certPath, keyPath, "--connect-timeout", "5000", "--json");

        Assert.True(run.ExitCode == 1, run.ToString());
        string error = Assert.Single(run.Stderr);
        Assert.Contains("refused the device certificate", error);
        Assert.Contains(hub.Hub.GetEvents(), e => e.Kind == LocalHub.HubEventKind.AuthenticationFailed && e.Reason!.Contains("expired"));
    }

    [Fact]
    public void BadX509Arguments_OneLineNamingX509_ExitTwo()
    {
        using var cert = DeviceCertificates.SelfSigned("d");
        var (certPath, keyPath) = Pem(cert);
        string garbage = Path.Combine(Path.GetDirectoryName(certPath)!, "garbage.pem");
        File.WriteAllText(garbage, "-----BEGIN CERTIFICATE-----\nnot base64\n-----END CERTIFICATE-----\n");
        var cases = new[]
        {
            (new[] { "--x509", certPath }, "--x509 needs two values"),
            (new[] { "--x509", certPath, "/nonexistent/key.pem" }, "file not found"),
            (new[] { "--x509", garbage, keyPath }, "not a valid PEM certificate"),
            (new[] { "--x509", certPath, garbage }, "garbage.pem"),
            (new[] { "--x509", certPath, keyPath, "--auth", "plain" }, "--auth plain"),
            (new[] { "--x509", certPath, keyPath, "--websockets" }, "--websockets"),
            (new[] { "--x509", certPath, keyPath, "--connection-string", "HostName=h;DeviceId=d;SharedAccessKey=c2VjcmV0LWtleQ==", "--trusted-ca", certPath }, "x509=true"),
            (new[] { "--connection-string", "HostName=h;DeviceId=d;x509=true", "--trusted-ca", certPath }, "--x509 CERT KEY"),
        };
        foreach (var (args, expected) in cases)
        {
            RunResult run = SimulatedDeviceProcess.Run(args);
            Assert.True(run.ExitCode == 2, string.Join(" ", args) + "\n" + run);
            string error = Assert.Single(run.Stderr);
            Assert.True(error.Contains(expected), error);
            Assert.DoesNotContain("c2VjcmV0LWtleQ==", error);
            Assert.DoesNotContain("PRIVATE KEY", error);
        }
    }
}
