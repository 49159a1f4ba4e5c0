using System.Collections.Concurrent;
using Microsoft.Azure.Amqp.Transport;

namespace IotHubAmqp.LocalHub;

/// <summary>X.509 devices: certificate checked in the TLS handshake, then grants for the identities it proves.</summary>
internal sealed partial class HubCore
{
    // TLS transports whose certificate was accepted, by remote end point, until their AMQP connection starts:
    // a SASL layer (ANONYMOUS/EXTERNAL over mutual TLS) hides the TLS transport from CreateConnection.
    private readonly ConcurrentDictionary<string, HubTlsTransport> _certified = new();

    // The TLS listener asks every client for a certificate (IoT Hub serves SAS and X.509 devices on one port) and
    // checks one that is presented in the handshake; failed handshakes are still reported to observers.
    private TransportListener CreateTlsListener(TlsTransportSettings tls) =>
        new ObservedTlsListener(HubTlsTransport.RequestClientCertificates(tls), RaiseHandshakeFailed, (inner, settings) => new HubTlsTransport(inner, settings, this));

    internal void CertificateAccepted(HubTlsTransport transport)
    {
        var key = transport.RemoteEndPoint;
        if (string.IsNullOrEmpty(key)) return;
        _certified[key] = transport;
        transport.Closed += (_, _) => _certified.TryRemove(new KeyValuePair<string, HubTlsTransport>(key, transport));
    }

    /// <summary>
    /// Grants the new connection every identity its client certificate proved (no token, nothing expires: the
    /// certificate was checked once, in the handshake). True when it proved any.
    /// </summary>
    private bool AddCertificateGrants(TransportBase transport, ConnectionContext context)
    {
        var tls = transport as HubTlsTransport;
        var key = transport.RemoteEndPoint;
        if (!string.IsNullOrEmpty(key) && _certified.TryRemove(key, out var found)) tls ??= found;
        if (tls?.Certificate is not { } certificate || tls.Identities.Count == 0) return false;
        foreach (var (deviceId, moduleId) in tls.Identities)
        {
            var scope = moduleId is null ? Grant.DeviceScope(deviceId) : Grant.ModuleScope(deviceId, moduleId);
            context.AddGrant(new Grant(scope, deviceId, DateTimeOffset.MaxValue, ViaSaslPlain: false));
            var how = certificate.IssuingCa is not null && Options.Registry.X509Of(deviceId, moduleId)?.CaSigned == true
                ? $"X.509 CA-signed (CN={certificate.CommonName})" : $"X.509 thumbprint {certificate.Sha1Thumbprint}";
            // The AMQP header straight after TLS (what the Azure SDKs send), or a SASL exchange in between.
            how += ReferenceEquals(transport, tls) ? ", no SASL layer" : ", after SASL";
            Raise(HubEventKind.Authenticated, context.Id, deviceId, moduleId is null ? null : $"modules/{moduleId}", how);
        }
        return true;
    }
}
