namespace IotHubAmqp.LocalHub;

/// <summary>Observation hooks for the web console (local-hub/Web): raised on hub threads, handlers stay short.</summary>
internal sealed partial class HubCore
{
    /// <summary>A telemetry message was stored: the observed copy and the annotations the hub stamped on it.</summary>
    public event Action<ReceivedTelemetry, IReadOnlyList<KeyValuePair<string, object?>>>? TelemetryStored;

    /// <summary>A C2D message left its queue: device, message-id, outcome (Success, Rejected, Expired...), ack mode.</summary>
    public event Action<string, string?, string, string>? C2dFinished;

    /// <summary>A socket failed its TLS handshake, before any AMQP (see ObservedTlsListener): remote end, reason.</summary>
    public event Action<string?, string>? HandshakeFailed;

    // An observer's failure must never change what the hub answers a device: it is logged and dropped.
    private void RaiseTelemetryStored(ReceivedTelemetry t, MessageSnapshot m) =>
        Observe(() => TelemetryStored?.Invoke(t, m.Annotations.ToArray()));

    private void RaiseC2dFinished(C2dEntry entry, string deviceId, string status) =>
        Observe(() => C2dFinished?.Invoke(deviceId, entry.MessageId, status, entry.Ack));

    private void RaiseHandshakeFailed(string? remote, string reason) => Observe(() => HandshakeFailed?.Invoke(remote, reason));

    private void Observe(Action notify)
    {
        try { notify(); }
        catch (Exception ex) { Options.Log?.Invoke("observer failed: " + Escape(ex.Message)); }
    }
}
