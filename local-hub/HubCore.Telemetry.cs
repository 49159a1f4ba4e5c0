using Microsoft.Azure.Amqp;
using Microsoft.Azure.Amqp.Framing;

namespace IotHubAmqp.LocalHub;

internal sealed partial class HubCore
{
    private const uint BatchFormat = 0x80013700;
    /// <summary>IoT Hub's largest device-to-cloud message body: 256 KB.</summary>
    public const int MaxTelemetryBody = 256 * 1024;

    /// <summary>A device's telemetry (single or batched): store with Event Hubs annotations, then accept.</summary>
    private void OnTelemetry(ConnectionContext context, ReceivingAmqpLink link, Route route, AmqpMessage message)
    {
        try
        {
            if (ConsumeRejection())
            {
                Reject(link, message, AmqpErrorCode.ResourceLimitExceeded, "Throttled (injected fault).");
                return;
            }
            var deviceId = route.DeviceId!;
            if (!Throttle.TryTake(deviceId, Math.Max(1, message.SerializedMessageSize)))
            {
                Reject(link, message, AmqpErrorCode.ResourceLimitExceeded,
                    $"Device '{Escape(deviceId)}' is throttled: more than {Throttle.RatePerSecond} bytes/s of telemetry. Retry later.");
                return;
            }
            if (message.MessageFormat == BatchFormat)
            {
                var inner = new List<MessageSnapshot>();
                foreach (var data in message.DataBody)
                {
                    var bytes = data.Value is ArraySegment<byte> s ? s.ToArray() : (byte[])data.Value;
                    using var decoded = AmqpMessage.CreateAmqpStreamMessage(new BufferListStream(new[] { new ArraySegment<byte>(bytes) }));
                    inner.Add(MessageSnapshot.From(decoded));
                }
                if (inner.Any(m => m.BodyLength > MaxTelemetryBody)) { TooLarge(link, message); return; }
                foreach (var m in inner) Store(deviceId, route.ModuleId, m, fromBatch: true);
            }
            else
            {
                var single = MessageSnapshot.From(message);
                if (single.BodyLength > MaxTelemetryBody) { TooLarge(link, message); return; }
                Store(deviceId, route.ModuleId, single, fromBatch: false);
            }
            link.AcceptMessage(message, false);
        }
        catch (Exception ex)
        {
            Reject(link, message, AmqpErrorCode.DecodeError, "Could not read the message: " + ex.Message);
        }
    }

    private static void TooLarge(ReceivingAmqpLink link, AmqpMessage message) =>
        Reject(link, message, AmqpErrorCode.MessageSizeExceeded, $"Message body exceeds {MaxTelemetryBody} bytes.");

    private bool ConsumeRejection()
    {
        while (true)
        {
            var current = Volatile.Read(ref TelemetryRejections);
            if (current == 0) return false;
            if (current < 0) return true;
            if (Interlocked.CompareExchange(ref TelemetryRejections, current - 1, current) == current) return true;
        }
    }

    private static void Reject(ReceivingAmqpLink link, AmqpMessage message, Microsoft.Azure.Amqp.Encoding.AmqpSymbol condition, string description)
    {
        var rejected = new Rejected { Error = new Error { Condition = condition, Description = description } };
        link.DisposeMessage(message, rejected, true, false);
    }

    private void Store(string deviceId, string? moduleId, MessageSnapshot message, bool fromBatch)
    {
        var partition = Telemetry.PartitionOf(deviceId);
        var now = Time.GetUtcNow();
        var stored = Telemetry.Append(partition, now, (seq, offset) =>
        {
            message.Annotations.RemoveAll(a => a.Key.StartsWith("x-opt-", StringComparison.Ordinal)
                || a.Key.StartsWith("iothub-", StringComparison.Ordinal));
            var add = new List<KeyValuePair<string, object?>>
            {
                new("x-opt-sequence-number", seq),
                new("x-opt-offset", offset.ToString(System.Globalization.CultureInfo.InvariantCulture)),
                new("x-opt-enqueued-time", now.UtcDateTime),
                new("iothub-connection-device-id", deviceId),
                new("iothub-connection-auth-method", "{\"scope\":\"device\",\"type\":\"sas\",\"issuer\":\"iothub\",\"acceptingIpFilterRule\":null}"),
                new("iothub-connection-auth-generation-id", "636000000000000000"),
                new("iothub-enqueuedtime", now.UtcDateTime),
                new("iothub-message-source", "Telemetry"),
            };
            if (moduleId is not null) add.Add(new("iothub-connection-module-id", moduleId));
            message.Annotations.AddRange(add);
            return message;
        });
        var received = new ReceivedTelemetry
        {
            DeviceId = deviceId,
            ModuleId = moduleId,
            Partition = partition,
            SequenceNumber = stored.SequenceNumber,
            EnqueuedTime = now,
            MessageId = message.Properties.MessageId?.ToString(),
            CorrelationId = message.Properties.CorrelationId?.ToString(),
            ContentType = message.Properties.ContentType.Value,
            ContentEncoding = message.Properties.ContentEncoding.Value,
            Properties = PropertyMap(message.Properties),
            ApplicationProperties = new Dictionary<string, object?>(message.ApplicationProperties),
            Body = message.BodyBytes,
            FromBatch = fromBatch,
        };
        Observed.Add(received);
        RaiseTelemetryStored(received, message);
    }

    private static Dictionary<string, object?> PropertyMap(Properties p)
    {
        var map = new Dictionary<string, object?>();
        void Add(string name, object? value) { if (value is not null) map[name] = value; }
        Add("message-id", p.MessageId?.ToString());
        Add("user-id", p.UserId.Array is null ? null : p.UserId.ToArray());
        Add("to", p.To?.ToString());
        Add("subject", p.Subject);
        Add("reply-to", p.ReplyTo?.ToString());
        Add("correlation-id", p.CorrelationId?.ToString());
        Add("content-type", p.ContentType.Value);
        Add("content-encoding", p.ContentEncoding.Value);
        Add("absolute-expiry-time", p.AbsoluteExpiryTime);
        Add("creation-time", p.CreationTime);
        Add("group-id", p.GroupId);
        Add("group-sequence", p.GroupSequence);
        Add("reply-to-group-id", p.ReplyToGroupId);
        return map;
    }
}
