using System.Security.Cryptography.X509Certificates;
using Microsoft.Azure.Amqp;
using Microsoft.Azure.Amqp.Framing;

namespace IotHubAmqp.LocalHub.Tests;

/// <summary>X.509 devices: the certificate is checked in the TLS handshake, then links attach without a token.</summary>
public class X509Tests
{
    private static LocalHub StartWith(Action<DeviceRegistry> register) => Hubs.Start(o => register(o.Registry));

    private static async Task SendsTelemetry(LocalHub hub, TestClient client, string deviceId)
    {
        var link = await client.SenderAsync($"/devices/{deviceId}/messages/events");
        Assert.IsType<Accepted>(await TestClient.SendAsync(link, TestClient.Telemetry("x509", "m-" + deviceId)));
        Assert.Equal("m-" + deviceId, (await hub.WaitForTelemetryAsync(deviceId, 1, TestClient.Timeout)).Single().MessageId);
    }

    /// <summary>The handshake is refused: the hub says why, and no AMQP connection ever started (no Connected event).</summary>
    private static async Task RefusedBeforeAmqp(LocalHub hub, X509Certificate2 cert, string reason)
    {
        await Assert.ThrowsAnyAsync<Exception>(() => TestClient.ConnectAsync(hub, SaslMode.None, clientCertificate: cert));
        var refused = await hub.WaitForEventAsync(e => e.Kind == HubEventKind.AuthenticationFailed, TestClient.Timeout);
        Assert.Contains("client certificate", refused.Reason);
        Assert.Contains(reason, refused.Reason);
        Assert.DoesNotContain(hub.GetEvents(), e => e.Kind == HubEventKind.Connected);
    }

    [Theory]
    [InlineData("sha1", false)]
    [InlineData("sha256", false)]
    [InlineData("sha1", true)]
    public async Task Thumbprint_device_attaches_without_sasl_or_token(string hash, bool asSecondary)
    {
        using var cert = DeviceCertificates.SelfSigned("dev-x");
        using var other = DeviceCertificates.SelfSigned("unused");
        var thumb = hash == "sha1" ? cert.Thumbprint : cert.GetCertHashString(System.Security.Cryptography.HashAlgorithmName.SHA256);
        using var hub = StartWith(r =>
        {
            if (asSecondary) r.AddX509Device("dev-x", other.Thumbprint, thumb.ToLowerInvariant());
            else r.AddX509Device("dev-x", thumb);
        });
        await using var client = await TestClient.ConnectAsync(hub, SaslMode.None, clientCertificate: cert);
        await SendsTelemetry(hub, client, "dev-x");
        var auth = await hub.WaitForEventAsync(e => e.Kind == HubEventKind.Authenticated, TestClient.Timeout);
        Assert.Equal("dev-x", auth.DeviceId);
        Assert.Equal($"X.509 thumbprint {cert.Thumbprint}, no SASL layer", auth.Reason);
    }

    [Fact]
    public async Task Ca_signed_device_is_the_certificate_cn_and_may_not_use_another_devices_address()
    {
        using var ca = DeviceCertificates.Ca("Test Device CA");
        using var leaf = DeviceCertificates.SignedBy(ca, "dev-ca");
        using var hub = StartWith(r =>
        {
            r.AddCertificateAuthority(X509CertificateLoader.LoadCertificate(ca.RawData));
            r.AddX509Device("dev-ca", null);
        });
        await using var client = await TestClient.ConnectAsync(hub, SaslMode.None, clientCertificate: leaf);
        await SendsTelemetry(hub, client, "dev-ca");
        var refused = await Assert.ThrowsAnyAsync<AmqpException>(() => client.SenderAsync("/devices/dev1/messages/events"));
        Assert.Equal(AmqpErrorCode.UnauthorizedAccess, refused.Error.Condition);
        var c2d = await client.ReceiverAsync("/devices/dev-ca/messages/devicebound");
        Assert.Equal(AmqpObjectState.Opened, c2d.State);
    }

    [Fact]
    public async Task Sasl_anonymous_over_mutual_tls_is_authenticated_by_the_certificate()
    {
        using var cert = DeviceCertificates.SelfSigned("dev-x");
        using var hub = StartWith(r => r.AddX509Device("dev-x", cert.Thumbprint));
        await using var client = await TestClient.ConnectAsync(hub, SaslMode.Anonymous, clientCertificate: cert);
        await SendsTelemetry(hub, client, "dev-x");
        Assert.Contains(hub.GetEvents(), e => e.Kind == HubEventKind.Authenticated && e.Reason!.EndsWith(", after SASL"));
    }

    [Fact]
    public async Task Sas_clients_still_connect_without_a_certificate_and_x509_devices_get_no_sas()
    {
        using var cert = DeviceCertificates.SelfSigned("dev-x");
        using var hub = StartWith(r => r.AddX509Device("dev-x", cert.Thumbprint));
        await using (var sas = await TestClient.ConnectDeviceAsync(hub, "dev1")) await SendsTelemetry(hub, sas, "dev1");
        Assert.EndsWith("DeviceId=dev-x;x509=true", hub.DeviceConnectionString("dev-x"));
        await using var anonymous = await TestClient.ConnectAsync(hub, SaslMode.None);
        hub.Registry.TryGetDeviceKey("dev-x", out var hiddenKey);
        var token = SasToken.Create($"{hub.HostName}/devices/dev-x", Convert.FromBase64String(hiddenKey), DateTimeOffset.UtcNow.AddHours(1));
        var (status, description) = await anonymous.PutTokenAsync(token, $"{hub.HostName}/devices/dev-x");
        Assert.Equal(401, status);
        Assert.Contains("X.509", description);
    }

    [Fact]
    public async Task Expired_certificate_is_refused_in_the_handshake()
    {
        using var cert = DeviceCertificates.SelfSigned("dev-x", DateTimeOffset.UtcNow.AddDays(-10), DateTimeOffset.UtcNow.AddDays(-1));
        using var hub = StartWith(r => r.AddX509Device("dev-x", cert.Thumbprint));
        await RefusedBeforeAmqp(hub, cert, "expired");
    }

    [Fact]
    public async Task Not_yet_valid_certificate_is_refused_in_the_handshake()
    {
        using var cert = DeviceCertificates.SelfSigned("dev-x", DateTimeOffset.UtcNow.AddDays(1), DateTimeOffset.UtcNow.AddDays(10));
        using var hub = StartWith(r => r.AddX509Device("dev-x", cert.Thumbprint));
        await RefusedBeforeAmqp(hub, cert, "not valid before");
    }

    [Fact]
    public async Task Unknown_thumbprint_is_refused_in_the_handshake()
    {
        using var registered = DeviceCertificates.SelfSigned("dev-x");
        using var stranger = DeviceCertificates.SelfSigned("dev-x");
        using var hub = StartWith(r => r.AddX509Device("dev-x", registered.Thumbprint));
        await RefusedBeforeAmqp(hub, stranger, "matches no registered device");
    }

    [Fact]
    public async Task Leaf_of_an_unregistered_ca_or_with_an_unregistered_cn_is_refused()
    {
        using var ca = DeviceCertificates.Ca("Registered CA");
        using var rogue = DeviceCertificates.Ca("Rogue CA");
        using var rogueLeaf = DeviceCertificates.SignedBy(rogue, "dev-ca");
        using var wrongCn = DeviceCertificates.SignedBy(ca, "not-registered");
        using var hub = StartWith(r =>
        {
            r.AddCertificateAuthority(X509CertificateLoader.LoadCertificate(ca.RawData));
            r.AddX509Device("dev-ca", null);
        });
        await RefusedBeforeAmqp(hub, rogueLeaf, "not signed by a registered CA");
        await Assert.ThrowsAnyAsync<Exception>(() => TestClient.ConnectAsync(hub, SaslMode.None, clientCertificate: wrongCn));
        await hub.WaitForEventAsync(e => e.Kind == HubEventKind.AuthenticationFailed && e.Reason!.Contains("CN 'not-registered'"), TestClient.Timeout);
    }

    [Fact]
    public void Client_certificate_checks_report_thumbprints_cn_and_issuing_ca()
    {
        using var ca = DeviceCertificates.Ca("CA");
        using var leaf = DeviceCertificates.SignedBy(ca, "dev7/mod1");
        var cas = new[] { X509CertificateLoader.LoadCertificate(ca.RawData) };
        Assert.True(ClientCertificates.TryInspect(leaf, null, cas, DateTimeOffset.UtcNow, out var seen, out _));
        Assert.Equal("dev7/mod1", seen!.CommonName);
        Assert.Equal(leaf.Thumbprint, seen.Sha1Thumbprint);
        Assert.True(seen.HasThumbprint(string.Join(":", Enumerable.Range(0, 20).Select(i => leaf.Thumbprint.Substring(i * 2, 2).ToLowerInvariant()))));
        Assert.NotNull(seen.IssuingCa);
        Assert.False(ClientCertificates.TryInspect(null, null, cas, DateTimeOffset.UtcNow, out _, out var none));
        Assert.Contains("no client certificate", none);
        // A clock past the leaf's end: expired, whatever the chain.
        Assert.False(ClientCertificates.TryInspect(leaf, null, cas, DateTimeOffset.UtcNow.AddDays(60), out _, out var expired));
        Assert.Contains("expired", expired);
    }

    [Fact]
    public void Command_line_registers_thumbprint_and_ca_devices_and_names_what_is_wrong()
    {
        using var ca = DeviceCertificates.Ca("CLI CA");
        var dir = DeviceCertificates.TempDirectory();
        Directory.CreateDirectory(dir);
        var caPath = Path.Combine(dir, "ca.pem");
        File.WriteAllText(caPath, ca.ExportCertificatePem());
        var sha1 = new string('a', 40);
        var sha256 = new string('B', 64);
        var o = CommandLine.Parse(new[] { "--x509-ca", caPath, "--device", $"t1:x509:{sha1},{sha256}", "--device", "c1:x509:ca",
            "--device", "s1", "--module", "s1/m1:x509:ca" })!;
        Assert.Equal(new X509Registration(sha1.ToUpperInvariant(), sha256), o.Registry.X509Of("t1"));
        Assert.True(o.Registry.X509Of("c1")!.CaSigned);
        Assert.Null(o.Registry.X509Of("s1"));
        Assert.True(o.Registry.X509Of("s1", "m1")!.CaSigned);
        Assert.Single(o.Registry.CertificateAuthorities);

        string Error(params string[] args) => Assert.Throws<ArgumentException>(() => CommandLine.Parse(args)).Message;
        Assert.Contains("--device t1: primary thumbprint: a thumbprint is 40 (SHA-1) or 64 (SHA-256) hex digits", Error("--device", "t1:x509:abc"));
        Assert.Contains("40 (SHA-1) or 64 (SHA-256) hex digits", Error("--device", $"t1:x509:{new string('z', 40)}"));
        Assert.Contains("'ca' or PRIMARY[,SECONDARY]", Error("--device", $"t1:x509:{sha1},{sha1},{sha1}"));
        Assert.Contains("does not exist", Error("--x509-ca", Path.Combine(dir, "missing.pem")));
        var garbage = Path.Combine(dir, "garbage.pem");
        File.WriteAllText(garbage, "-----BEGIN CERTIFICATE-----\nnope\n-----END CERTIFICATE-----\n");
        Assert.Contains("holds no valid PEM certificate", Error("--x509-ca", garbage));
        using var leaf = DeviceCertificates.SelfSigned("leaf");
        var leafPath = Path.Combine(dir, "leaf.pem");
        File.WriteAllText(leafPath, leaf.ExportCertificatePem());
        Assert.Contains("not a CA certificate", Error("--x509-ca", leafPath));
    }

    [Fact]
    public void Registry_file_holds_x509_devices_and_cas()
    {
        using var ca = DeviceCertificates.Ca("File CA");
        var json = "{\"x509Cas\": [" + System.Text.Json.JsonSerializer.Serialize(ca.ExportCertificatePem()) + "], \"devices\": [{\"id\": \"sas1\"}, "
            + "{\"id\": \"t1\", \"x509\": {\"primaryThumbprint\": \"" + new string('1', 40) + "\"}}, {\"id\": \"c1\", \"x509\": \"ca\"}]}";
        var registry = DeviceRegistry.LoadJson(json);
        Assert.Null(registry.X509Of("sas1"));
        Assert.Equal(new string('1', 40), registry.X509Of("t1")!.PrimaryThumbprint);
        Assert.True(registry.X509Of("c1")!.CaSigned);
        Assert.Single(registry.CertificateAuthorities);
        Assert.Contains("x509 must be", Assert.Throws<ArgumentException>(() => DeviceRegistry.LoadJson("""{"devices":[{"id":"d","x509":5}]}""")).Message);
    }

    [Fact]
    public async Task Ca_signed_module_identity_is_cn_device_slash_module()
    {
        using var ca = DeviceCertificates.Ca("CA");
        using var leaf = DeviceCertificates.SignedBy(ca, "dev1/mx");
        using var hub = StartWith(r =>
        {
            r.AddCertificateAuthority(X509CertificateLoader.LoadCertificate(ca.RawData));
            r.AddX509Module("dev1", "mx", null);
        });
        await using var client = await TestClient.ConnectAsync(hub, SaslMode.None, clientCertificate: leaf);
        var twin = await client.SenderAsync("/devices/dev1/modules/mx/twin");
        Assert.Equal(AmqpObjectState.Opened, twin.State);
        var events = await client.SenderAsync("/devices/dev1/modules/mx/messages/events");
        Assert.IsType<Accepted>(await TestClient.SendAsync(events, TestClient.Telemetry("from module", "mod-msg")));
        await Assert.ThrowsAnyAsync<AmqpException>(() => client.SenderAsync("/devices/dev1/messages/events")); // the device's own address
        await Assert.ThrowsAnyAsync<AmqpException>(() => client.SenderAsync("/devices/dev2/messages/events"));
    }
}
