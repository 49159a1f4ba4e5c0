using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Azure.Amqp.Transport;

namespace IotHubAmqp.LocalHub;

/// <summary>
/// One accepted TLS connection of the hub. It asks the client for a certificate (IoT Hub serves SAS and X.509
/// devices on one port) and checks one that is presented during the handshake, so a bad device certificate is
/// refused before any AMQP byte is read (iothub-amqp-wire-2.md 4); clients without one go on to SASL or CBS.
/// Remembers the identities the certificate stood for.
/// </summary>
internal sealed class HubTlsTransport : TlsTransport
{
    private readonly HubCore _hub;

    public HubTlsTransport(TransportBase inner, TlsTransportSettings settings, HubCore hub) : base(inner, settings) => _hub = hub;

    /// <summary>TLS settings that make the server request (not require) a client certificate.</summary>
    public static TlsTransportSettings RequestClientCertificates(TlsTransportSettings settings)
    {
        // Microsoft.Azure.Amqp asks for a client certificate when a validation callback is set; the check itself
        // is this class's override, which the library calls instead of the delegate.
        settings.CertificateValidationCallback = (_, _, _, _) => true;
        return settings;
    }

    /// <summary>The checked certificate, or null when the client sent none.</summary>
    public PresentedCertificate? Certificate { get; private set; }

    /// <summary>The devices or modules the certificate authenticates (empty without a certificate).</summary>
    public IReadOnlyList<(string DeviceId, string? ModuleId)> Identities { get; private set; } = Array.Empty<(string, string?)>();

    protected override bool ValidateRemoteCertificate(object sender, X509Certificate certificate, X509Chain chain, SslPolicyErrors sslPolicyErrors)
    {
        // No certificate: a SAS device or a service client; it authenticates later (SASL PLAIN or a put-token).
        if (certificate is null) return true;
        var registry = _hub.Options.Registry;
        if (!ClientCertificates.TryInspect(certificate, chain, registry.CertificateAuthorities, _hub.Time.GetUtcNow(), out var presented, out var error)
            || presented is null)
        {
            return Refuse(null, error);
        }
        var identities = registry.Resolve(presented, out error);
        if (identities.Count == 0) return Refuse(presented.CommonName, error);
        Certificate = presented;
        Identities = identities;
        _hub.CertificateAccepted(this);
        return true;
    }

    private bool Refuse(string? commonName, string reason)
    {
        // The handshake fails with a TLS alert; the device learns no more than that, so the hub's log says why.
        _hub.Raise(HubEventKind.AuthenticationFailed, 0, commonName, null, $"client certificate from {RemoteEndPoint} refused: {reason}");
        return false;
    }
}
