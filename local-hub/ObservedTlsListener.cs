using Microsoft.Azure.Amqp;
using Microsoft.Azure.Amqp.Transport;

namespace IotHubAmqp.LocalHub;

/// <summary>
/// The TLS listener, reporting sockets whose handshake fails (plain TCP garbage, wrong TLS version, a client that
/// rejects the certificate): Microsoft.Azure.Amqp closes those quietly, and the web console shows them as refusals.
/// </summary>
internal sealed class ObservedTlsListener : TlsTransportListener
{
    private readonly Action<string?, string> _failed;
    private readonly Func<TransportBase, TlsTransportSettings, TlsTransport>? _create;

    /// <param name="settings">The TLS settings of the listener.</param>
    /// <param name="failed">Told of each connection whose TLS handshake failed: its remote address and why.</param>
    /// <param name="create">Makes each TLS transport (the hub's checks client certificates); the library's when null.</param>
    public ObservedTlsListener(TlsTransportSettings settings, Action<string?, string> failed,
        Func<TransportBase, TlsTransportSettings, TlsTransport>? create = null) : base(settings)
    {
        _failed = failed;
        _create = create;
    }

    protected override TlsTransport OnCreateTransport(TransportBase innerTransport, TlsTransportSettings tlsTransportSettings)
    {
        var transport = _create?.Invoke(innerTransport, tlsTransportSettings) ?? base.OnCreateTransport(innerTransport, tlsTransportSettings);
        var remote = innerTransport.RemoteEndPoint;
        var opened = false;
        transport.Opened += (_, _) => opened = true;
        transport.SafeAddClosed((_, _) =>
        {
            if (!opened) _failed(remote, "TLS handshake failed: " + (HubCore.Describe(transport.TerminalException) ?? "closed before the handshake completed"));
        });
        return transport;
    }
}
