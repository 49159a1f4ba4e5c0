using Microsoft.Azure.Amqp;
using Microsoft.Azure.Amqp.Encoding;
using Microsoft.Azure.Amqp.Framing;

namespace IotHubAmqp.LocalHub;

internal sealed partial class HubCore
{
    /// <summary>Event Hubs $management READ for the eventhub and its partitions.</summary>
    private void OnManagementRequest(ConnectionContext context, ReceivingAmqpLink link, AmqpMessage request)
    {
        var props = request.ApplicationProperties?.Map;
        var operation = props?["operation"] as string;
        var type = props?["type"] as string;
        var name = props?["name"] as string;
        var partition = props?["partition"]?.ToString();
        var securityToken = props?["security_token"] as string;
        var replyTo = request.Properties?.ReplyTo?.ToString();
        link.AcceptMessage(request, false);

        var reply = AmqpMessage.Create(new AmqpValue { Value = Response(out var status, out var description, out var condition) });
        reply.Properties.CorrelationId = request.Properties?.MessageId;
        reply.ApplicationProperties.Map["status-code"] = status;
        reply.ApplicationProperties.Map["status-description"] = description;
        if (condition is not null) reply.ApplicationProperties.Map["error-condition"] = condition;
        SendReply(context.ReplyLink("mgmt", link.Session, replyTo), reply);

        AmqpMap? Response(out int status, out string description, out string? condition)
        {
            condition = null;
            var now = Time.GetUtcNow();
            var authorized = (context.GrantFor(Grant.ServiceScope, now) is { } held && TokenValidator.Lacks(held, AccessRights.ServiceConnect) is null)
                || (securityToken is not null && _tokens.Authorize(securityToken, null, AccessRights.ServiceConnect) is null);
            if (!authorized) { status = 401; description = "Unauthorized"; condition = "amqp:unauthorized-access"; return null; }
            if (operation != "READ") { status = 400; description = "Unsupported operation"; condition = "amqp:not-implemented"; return null; }
            if (!string.Equals(name, EventHubName, StringComparison.OrdinalIgnoreCase))
            {
                status = 404; description = $"Entity '{name}' not found"; condition = "amqp:not-found"; return null;
            }
            if (type == "com.microsoft:eventhub")
            {
                status = 200; description = "OK";
                return new AmqpMap
                {
                    [new MapKey("name")] = EventHubName,
                    [new MapKey("created_at")] = CreatedAt.UtcDateTime,
                    [new MapKey("partition_count")] = Telemetry.Count,
                    [new MapKey("partition_ids")] = Enumerable.Range(0, Telemetry.Count).Select(i => i.ToString()).ToArray(),
                    [new MapKey("type")] = type,
                };
            }
            if (type == "com.microsoft:partition" && int.TryParse(partition, out var p) && p >= 0 && p < Telemetry.Count)
            {
                var info = Telemetry.Info(p);
                status = 200; description = "OK";
                return new AmqpMap
                {
                    [new MapKey("name")] = EventHubName,
                    [new MapKey("partition")] = partition,
                    [new MapKey("begin_sequence_number")] = info.Begin,
                    [new MapKey("last_enqueued_sequence_number")] = info.Last,
                    [new MapKey("last_enqueued_offset")] = info.LastOffset.ToString(System.Globalization.CultureInfo.InvariantCulture),
                    [new MapKey("last_enqueued_time_utc")] = info.LastTime.UtcDateTime,
                    [new MapKey("is_partition_empty")] = info.Empty,
                    [new MapKey("type")] = type,
                };
            }
            status = 404; description = "Unknown type or partition"; condition = "amqp:not-found";
            return null;
        }
    }
}
