namespace IotHubAmqp.LocalHub;

internal sealed partial class HubCore
{
    private WebSocketEndpoint? _webSockets;

    /// <summary>Port of the AMQP-over-WebSockets endpoint (after Start; 0 when not served).</summary>
    public int WebSocketPort { get; private set; }

    private void StartWebSockets()
    {
        if (_webSockets is not null || Options.WebSocketPort is not { } wanted) return;
        var ws = new WebSocketEndpoint(this);
        // A restarted hub keeps its WebSocket port, as it keeps its AMQP port.
        ws.Start(Options.BindAddress, wanted != 0 ? wanted : WebSocketPort, _amqpSettings, OnAcceptTransport);
        WebSocketPort = ws.Port;
        _webSockets = ws;
    }

    private void StopWebSockets()
    {
        var ws = _webSockets;
        _webSockets = null;
        ws?.DisposeAsync().AsTask().GetAwaiter().GetResult();
    }
}
