using Microsoft.Azure.Amqp;
using Microsoft.Azure.Amqp.Framing;

namespace IotHubAmqp.LocalHub;

internal sealed partial class HubCore
{
    private static readonly string[] AckModes = { "none", "positive", "negative", "full" };
    /// <summary>IoT Hub's longest message-id (and other system property strings): 128 characters.</summary>
    public const int MaxMessageIdLength = 128;

    /// <summary>A service C2D send on /messages/devicebound: route by `to`, enqueue, answer with the outcome.</summary>
    private void OnServiceC2d(ReceivingAmqpLink link, AmqpMessage message)
    {
        MessageSnapshot snapshot;
        try { snapshot = MessageSnapshot.From(message); }
        catch (Exception ex)
        {
            Reject(link, message, AmqpErrorCode.DecodeError, ex.Message);
            return;
        }
        var deviceId = DeviceOfTo(snapshot.Properties.To?.ToString());
        var ack = (snapshot.ApplicationProperties.GetValueOrDefault("iothub-ack") as string ?? "none").ToLowerInvariant();
        if (!AckModes.Contains(ack))
        {
            Reject(link, message, AmqpErrorCode.InvalidField, "iothub-ack must be none, positive, negative or full.");
            return;
        }
        // IoT Hub bounds message-id at 128 characters; feedback records carry it, so this bounds their size too.
        if (snapshot.Properties.MessageId?.ToString() is { Length: > MaxMessageIdLength })
        {
            Reject(link, message, AmqpErrorCode.InvalidField, $"message-id is longer than {MaxMessageIdLength} characters.");
            return;
        }
        snapshot.ApplicationProperties.Remove("iothub-ack");
        var expires = snapshot.Properties.AbsoluteExpiryTime is { } t ? new DateTimeOffset(DateTime.SpecifyKind(t, DateTimeKind.Utc)) : (DateTimeOffset?)null;
        var result = deviceId is null ? C2dEnqueueResult.DeviceNotFound
            : C2d.Enqueue(deviceId, snapshot, ack, snapshot.Properties.MessageId?.ToString(), expires);
        switch (result)
        {
            case C2dEnqueueResult.Enqueued:
                link.AcceptMessage(message, false);
                break;
            case C2dEnqueueResult.DeviceNotFound:
                Reject(link, message, AmqpErrorCode.NotFound, $"Device '{deviceId}' not found.");
                break;
            case C2dEnqueueResult.HubStorageFull:
                Reject(link, message, AmqpErrorCode.ResourceLimitExceeded, $"The hub's C2D storage ({Options.C2dMaxTotalBytes} bytes) is full.");
                break;
            default:
                Reject(link, message, AmqpErrorCode.ResourceLimitExceeded, $"Device '{deviceId}' queue depth exceeded.");
                break;
        }
    }

    private static string? DeviceOfTo(string? to)
    {
        if (to is null) return null;
        var parts = to.Trim('/').Split('/');
        return parts.Length == 4 && parts[0] == "devices" && parts[2] == "messages" && parts[3] == "devicebound"
            ? Uri.UnescapeDataString(parts[1]) : null;
    }

    /// <summary>Enqueues a C2D message from C# (as the service would).</summary>
    public C2dEnqueueResult EnqueueC2d(string deviceId, CloudToDeviceMessage message)
    {
        if (message.MessageId is { Length: > MaxMessageIdLength })
            throw new ArgumentException($"message-id is longer than {MaxMessageIdLength} characters.", nameof(message));
        var amqp = AmqpMessage.Create(new Data { Value = new ArraySegment<byte>(message.Body) });
        if (message.MessageId is not null) amqp.Properties.MessageId = message.MessageId;
        if (message.CorrelationId is not null) amqp.Properties.CorrelationId = message.CorrelationId;
        if (message.ExpiresAt is { } e) amqp.Properties.AbsoluteExpiryTime = e.UtcDateTime;
        amqp.Properties.To = $"/devices/{Uri.EscapeDataString(deviceId)}/messages/devicebound";
        foreach (var kv in message.Properties) amqp.ApplicationProperties.Map[kv.Key] = kv.Value;
        var snapshot = MessageSnapshot.From(amqp);
        return C2d.Enqueue(deviceId, snapshot, message.Ack.ToLowerInvariant(), message.MessageId, message.ExpiresAt);
    }
}
