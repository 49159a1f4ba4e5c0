namespace IotHubAmqp.LocalHub;

/// <summary>A telemetry message the hub accepted from a device.</summary>
public sealed class ReceivedTelemetry
{
    /// <summary>Sending device.</summary>
    public required string DeviceId { get; init; }
    /// <summary>Sending module, when sent on a module address.</summary>
    public string? ModuleId { get; init; }
    /// <summary>Partition the event was stored in.</summary>
    public int Partition { get; init; }
    /// <summary>Sequence number in that partition.</summary>
    public long SequenceNumber { get; init; }
    /// <summary>When the hub stored it.</summary>
    public DateTimeOffset EnqueuedTime { get; init; }
    /// <summary>message-id as a string (null when absent).</summary>
    public string? MessageId { get; init; }
    /// <summary>correlation-id as a string.</summary>
    public string? CorrelationId { get; init; }
    /// <summary>content-type.</summary>
    public string? ContentType { get; init; }
    /// <summary>content-encoding.</summary>
    public string? ContentEncoding { get; init; }
    /// <summary>Standard properties that were set, by AMQP field name (message-id, to, subject, ...).</summary>
    public required IReadOnlyDictionary<string, object?> Properties { get; init; }
    /// <summary>Application properties.</summary>
    public required IReadOnlyDictionary<string, object?> ApplicationProperties { get; init; }
    /// <summary>Body bytes (Data sections joined, or the AmqpValue as bytes/UTF-8).</summary>
    public required byte[] Body { get; init; }
    /// <summary>True when the message arrived inside a batch (message-format 0x80013700).</summary>
    public bool FromBatch { get; init; }
}

/// <summary>A feedback record, as sent to the service on <c>/messages/serviceBound/feedback</c>.</summary>
public sealed class FeedbackRecord
{
    /// <summary>message-id of the C2D message.</summary>
    public string? OriginalMessageId { get; init; }
    /// <summary>Target device.</summary>
    public required string DeviceId { get; init; }
    /// <summary>Success, Expired, DeliveryCountExceeded, Rejected or Purged.</summary>
    public required string StatusCode { get; init; }
    /// <summary>Human-readable status.</summary>
    public required string Description { get; init; }
    /// <summary>When the outcome happened.</summary>
    public DateTimeOffset EnqueuedTimeUtc { get; init; }
    /// <summary>Device generation id (constant per hub run).</summary>
    public string DeviceGenerationId { get; init; } = "";
}

/// <summary>Kinds of <see cref="HubEvent"/>.</summary>
public enum HubEventKind
{
    /// <summary>An AMQP connection was opened.</summary>
    Connected,
    /// <summary>A connection was authenticated for a device or the service.</summary>
    Authenticated,
    /// <summary>A put-token or SASL credential was refused.</summary>
    AuthenticationFailed,
    /// <summary>A link was attached.</summary>
    LinkAttached,
    /// <summary>A link attach was refused.</summary>
    LinkRefused,
    /// <summary>A link was closed (by either side).</summary>
    LinkClosed,
    /// <summary>A connection was closed.</summary>
    Closed,
    /// <summary>A direct method request was sent to a device or module.</summary>
    MethodInvoked,
    /// <summary>A twin request (GET, PATCH, PUT, DELETE) was answered; the reason holds operation and status.</summary>
    TwinRequest,
}

/// <summary>Something that happened on the hub (for tests to wait on).</summary>
public sealed record HubEvent(DateTimeOffset Time, HubEventKind Kind, long ConnectionId, string? DeviceId, string? Address, string? Reason);

/// <summary>Outcome of <see cref="LocalHub.SendCloudToDevice"/>.</summary>
public enum C2dEnqueueResult
{
    /// <summary>Queued for the device.</summary>
    Enqueued,
    /// <summary>No such device.</summary>
    DeviceNotFound,
    /// <summary>The device's queue is full.</summary>
    QueueFull,
    /// <summary>The hub's C2D storage (all devices, <see cref="LocalHubOptions.C2dMaxTotalBytes"/>) is full.</summary>
    HubStorageFull,
}

/// <summary>A C2D message enqueued from C# (service side).</summary>
public sealed class CloudToDeviceMessage
{
    /// <summary>Body bytes (sent as one Data section).</summary>
    public byte[] Body { get; init; } = Array.Empty<byte>();
    /// <summary>message-id (string).</summary>
    public string? MessageId { get; init; }
    /// <summary>correlation-id.</summary>
    public string? CorrelationId { get; init; }
    /// <summary>Absolute expiry (TTL); expired messages produce Expired feedback.</summary>
    public DateTimeOffset? ExpiresAt { get; init; }
    /// <summary>none, positive, negative or full.</summary>
    public string Ack { get; init; } = "none";
    /// <summary>Application properties.</summary>
    public IDictionary<string, object?> Properties { get; init; } = new Dictionary<string, object?>();
}
