namespace IotHubAmqp.LocalHub.Tests;

/// <summary>Azure's Node device client (azure-iot-device-amqp) with an X.509 identity against the local hub, validation on.</summary>
public partial class NodeClientTests
{
    private async Task<(int Exit, string Out, string Err)> RunX509Async(LocalHub hub, string deviceId, System.Security.Cryptography.X509Certificates.X509Certificate2 cert, bool expectRefusal)
    {
        var (certPath, keyPath) = DeviceCertificates.WritePem(cert, DeviceCertificates.TempDirectory());
        var env = new Dictionary<string, string>
        {
            ["DEVICE_CONNECTION_STRING"] = hub.X509ConnectionString(deviceId),
            ["CERT_PATH"] = certPath,
            ["KEY_PATH"] = keyPath,
        };
        if (expectRefusal) env["EXPECT_REFUSAL"] = "1";
        return await RunAsync(hub, "device-x509.js", env);
    }

    [Fact]
    public async Task Node_x509_thumbprint_device_sends_telemetry_and_reads_its_twin_without_sasl_or_cbs()
    {
        RequireNodeModules();
        using var cert = DeviceCertificates.SelfSigned("node-x509");
        using var hub = Hubs.Start(o => o.Registry.AddX509Device("node-x509", cert.Thumbprint));
        var (exit, stdout, stderr) = await RunX509Async(hub, "node-x509", cert, expectRefusal: false);
        Assert.True(exit == 0, $"exit {exit}\n{stdout}\n{stderr}");
        Assert.Contains("TWIN_OK", stdout);
        Assert.Equal("node-x509-1", (await hub.WaitForTelemetryAsync("node-x509", 1, ScriptTimeout)).Single().MessageId);
        var events = hub.GetEvents();
        // The Node SDK sends the AMQP header straight after TLS: no SASL layer (iothub-amqp-wire-2.md 4).
        Assert.Contains(events, e => e.Kind == HubEventKind.Authenticated && e.DeviceId == "node-x509" && e.Reason == $"X.509 thumbprint {cert.Thumbprint}, no SASL layer");
        // No token anywhere: nothing on $cbs, no SASL PLAIN.
        Assert.DoesNotContain(events, e => e.Address == "$cbs" || e.Reason == "SASL PLAIN");
    }

    [Fact]
    public async Task Node_x509_ca_signed_device_connects_with_its_cn()
    {
        RequireNodeModules();
        using var ca = DeviceCertificates.Ca("Node Test CA");
        using var leaf = DeviceCertificates.SignedBy(ca, "node-ca");
        using var hub = Hubs.Start(o =>
        {
            o.Registry.AddCertificateAuthority(System.Security.Cryptography.X509Certificates.X509CertificateLoader.LoadCertificate(ca.RawData));
            o.Registry.AddX509Device("node-ca", null);
        });
        var (exit, stdout, stderr) = await RunX509Async(hub, "node-ca", leaf, expectRefusal: false);
        Assert.True(exit == 0, $"exit {exit}\n{stdout}\n{stderr}");
        Assert.Contains(hub.GetEvents(), e => e.Kind == HubEventKind.Authenticated && e.Reason!.Contains("CA-signed"));
    }

    [Theory]
    [InlineData("expired", "expired")]
    [InlineData("unknown", "matches no registered device")]
    public async Task Node_x509_bad_certificate_is_refused_before_any_amqp_byte(string kind, string reason)
    {
        RequireNodeModules();
        using var registered = DeviceCertificates.SelfSigned("node-x509");
        using var presented = kind == "expired"
            ? DeviceCertificates.SelfSigned("node-x509", DateTimeOffset.UtcNow.AddDays(-10), DateTimeOffset.UtcNow.AddDays(-1))
            : DeviceCertificates.SelfSigned("node-x509");
        using var hub = Hubs.Start(o => o.Registry.AddX509Device("node-x509", kind == "expired" ? presented.Thumbprint : registered.Thumbprint));
        var (exit, stdout, stderr) = await RunX509Async(hub, "node-x509", presented, expectRefusal: true);
        Assert.True(exit == 0, $"exit {exit}\n{stdout}\n{stderr}");
        Assert.Contains("OPEN_REFUSED", stdout);
        var events = hub.GetEvents();
        Assert.Contains(events, e => e.Kind == HubEventKind.AuthenticationFailed && e.Reason!.Contains(reason));
        Assert.DoesNotContain(events, e => e.Kind == HubEventKind.Connected); // the AMQP header was never read
        Assert.Empty(hub.GetTelemetry("node-x509"));
    }
}
