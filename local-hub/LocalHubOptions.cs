namespace IotHubAmqp.LocalHub;

/// <summary>Settings of a <see cref="LocalHub"/>. Defaults follow IoT Hub's documented rules.</summary>
public sealed class LocalHubOptions
{
    /// <summary>Hub name; the host name is <c>{HubName}.azure-devices.net</c>.</summary>
    public string HubName { get; set; } = "localhub";

    /// <summary>TCP port; 0 picks a free port (see <see cref="LocalHub.Port"/>).</summary>
    public int Port { get; set; } = 5671;

    /// <summary>Address to listen on. Defaults to loopback only.</summary>
    public string BindAddress { get; set; } = "127.0.0.1";

    /// <summary>
    /// More names for the server certificate: the PC's LAN IP or host name, so a real device on the network
    /// that dials it (GatewayHostName) can validate the certificate.
    /// </summary>
    public List<string> ExtraCertificateNames { get; set; } = new();

    /// <summary>Number of telemetry partitions of the Event Hubs-compatible endpoint.</summary>
    public int Partitions { get; set; } = 4;

    /// <summary>Devices and the service policy.</summary>
    public DeviceRegistry Registry { get; set; } = new();

    /// <summary>Folder where the CA PEM is written; a temp folder when null.</summary>
    public string? CertificateDirectory { get; set; }

    /// <summary>How long a delivered C2D message stays locked before it is abandoned.</summary>
    public TimeSpan C2dLockTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Deliveries of a C2D message before it is dead-lettered.</summary>
    public int C2dMaxDeliveryCount { get; set; } = 10;

    /// <summary>Messages queued per device (IoT Hub: 50).</summary>
    public int C2dMaxQueuedPerDevice { get; set; } = 50;

    /// <summary>Largest C2D message accepted from the service (IoT Hub: 64 KB).</summary>
    public int C2dMaxMessageSize { get; set; } = 64 * 1024;

    /// <summary>Largest telemetry message (IoT Hub: 256 KB; a batch gets the same bound plus headers).</summary>
    public int TelemetryMaxMessageSize { get; set; } = 256 * 1024 + 1024;

    /// <summary>Events kept per partition; the oldest are dropped past it.</summary>
    public int TelemetryRetainedPerPartition { get; set; } = 10_000;

    /// <summary>Bytes of events kept per partition (serialized size); the oldest are dropped past it.</summary>
    public long TelemetryRetainedBytesPerPartition { get; set; } = 16L * 1024 * 1024;

    /// <summary>Bytes of accepted telemetry kept for <see cref="LocalHub.GetTelemetry"/> (all devices); oldest dropped past it.</summary>
    public long MaxObservedTelemetryBytes { get; set; } = 32L * 1024 * 1024;

    /// <summary>Bytes of C2D messages queued or locked, all devices together; past it sends get resource-limit-exceeded.</summary>
    public long C2dMaxTotalBytes { get; set; } = 64L * 1024 * 1024;

    /// <summary>
    /// Telemetry bytes a device may send per second, sustained (token bucket with <see cref="TelemetryBurstBytesPerDevice"/>);
    /// beyond it a message is rejected with <c>amqp:resource-limit-exceeded</c>, as IoT Hub throttles.
    /// </summary>
    public long TelemetryBytesPerSecondPerDevice { get; set; } = 2L * 1024 * 1024;

    /// <summary>Burst allowance of the per-device telemetry bucket.</summary>
    public long TelemetryBurstBytesPerDevice { get; set; } = 4L * 1024 * 1024;

    /// <summary>Twin GET/PATCH/PUT requests a device or module may make per second over AMQP (burst twice that); beyond it the reply has status 429, as IoT Hub throttles.</summary>
    public int TwinOperationsPerSecondPerIdentity { get; set; } = 100;

    /// <summary>Direct-method calls per second to one device or module through the REST API (burst twice that); beyond it 429 ThrottlingException.</summary>
    public int MethodCallsPerSecondPerIdentity { get; set; } = 100;

    /// <summary>Unsettled replies the hub keeps on one $cbs or $management reply link before closing it.</summary>
    public int MaxUnsettledReplies { get; set; } = 64;

    /// <summary>Feedback records waiting for a service reader; the oldest are dropped past it.</summary>
    public int MaxPendingFeedback { get; set; } = 10_000;

    /// <summary>Entries kept in the observation lists (telemetry per device, events).</summary>
    public int MaxObservations { get; set; } = 10_000;

    /// <summary>AMQP max frame size offered to peers.</summary>
    public uint MaxFrameSize { get; set; } = 64 * 1024;

    /// <summary>Sessions per connection.</summary>
    public int MaxSessionsPerConnection { get; set; } = 16;

    /// <summary>Links per session.</summary>
    public int MaxLinksPerSession { get; set; } = 32;

    /// <summary>Concurrent connections.</summary>
    public int MaxConnections { get; set; } = 256;

    /// <summary>
    /// Connections that have not authenticated yet (no SASL PLAIN credential, no accepted put-token). Past it the
    /// oldest unauthenticated one is closed, so idle or hostile sockets cannot use up <see cref="MaxConnections"/>.
    /// </summary>
    public int MaxUnauthenticatedConnections { get; set; } = 64;

    /// <summary>Time a connection has, from the AMQP open, to authenticate (first accepted put-token) before it is closed.</summary>
    public TimeSpan AuthenticationDeadline { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Idle timeout advertised to peers (a silent peer is dropped after it).</summary>
    public TimeSpan IdleTimeout { get; set; } = TimeSpan.FromMinutes(4);

    /// <summary>Credit granted to client senders (bounds per-link queued deliveries).</summary>
    public uint LinkCredit { get; set; } = 100;

    /// <summary>How often expiries (tokens, locks, TTL) are checked.</summary>
    public TimeSpan SweepInterval { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>Writes hub lines (start banner, connections) when set.</summary>
    public Action<string>? Log { get; set; }

    /// <summary>HTTPS port of the service REST API (methods, twins); 0 = any free port.</summary>
    public int RestPort { get; set; }

    /// <summary>
    /// HTTPS port of the AMQP-over-WebSockets endpoint (<c>wss://host:PORT/$iothub/websocket</c>, subprotocol
    /// <c>AMQPWSB10</c>); null (the default) serves none, 0 picks a free port (see <see cref="LocalHub.WebSocketPort"/>).
    /// </summary>
    public int? WebSocketPort { get; set; }

    /// <summary>A local Device Provisioning Service endpoint on its own port, started with the hub; null = none.</summary>
    public DpsOptions? Dps { get; set; }
}
