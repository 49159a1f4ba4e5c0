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
        Assert.Contains("X.509 thumbprint", auth.Reason);
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
        await Assert.ThrowsAnyAsync<AmqpException>(() => client.SenderAsync("/devices/dev2/messages/events"));
    }
}
