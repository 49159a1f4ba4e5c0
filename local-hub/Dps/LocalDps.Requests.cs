using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Azure.Amqp;
using Microsoft.Azure.Amqp.Encoding;
using Microsoft.Azure.Amqp.Framing;

namespace IotHubAmqp.LocalHub;

// Links and requests: register, status polls, throttling and the answers (iothub-amqp-wire-2.md 7.3-7.5).
public sealed partial class LocalDps
{
    private readonly ConcurrentDictionary<AmqpSession, SendingAmqpLink> _replyLinks = new();
    private readonly ConcurrentDictionary<string, Operation> _operations = new(StringComparer.Ordinal);
    private long _tag;

    private sealed class Operation
    {
        public required string Id { get; init; }
        public required DpsPrincipal Principal { get; init; }
        public int PollsLeft;
        public string? Answer;   // the final answer once assigned (polls after it get the same)
    }

    private void Bind(AmqpLink link)
    {
        if (!_principals.TryGetValue(link.Session.Connection, out var principal))
            throw new AmqpException(AmqpErrorCode.UnauthorizedAccess, "Not authenticated.");
        var address = link.IsReceiver ? (link.Settings.Target as Target)?.Address?.ToString() : (link.Settings.Source as Source)?.Address?.ToString();
        var expected = $"{_options.IdScope}/registrations/{principal.RegistrationId}";
        if (!PathOf(address).Equals(expected, StringComparison.OrdinalIgnoreCase))
            throw new AmqpException(AmqpErrorCode.NotFound, $"Link address must be {expected}.");
        if (link is SendingAmqpLink sender)
        {
            _replyLinks[link.Session] = sender;
            link.SafeAddClosed((_, _) => _replyLinks.TryRemove(new KeyValuePair<AmqpSession, SendingAmqpLink>(link.Session, sender)));
        }
        else
        {
            var receiver = (ReceivingAmqpLink)link;
            receiver.RegisterMessageListener(m => OnRequest(principal, receiver, m));
        }
    }

    // "amqps://host[:port]/0ne…/registrations/r1" or the bare path.
    private static string PathOf(string? address)
    {
        if (address is null) return "";
        var scheme = address.IndexOf("://", StringComparison.Ordinal);
        if (scheme >= 0)
        {
            var slash = address.IndexOf('/', scheme + 3);
            address = slash < 0 ? "" : address[(slash + 1)..];
        }
        return address.TrimStart('/');
    }

    private void OnRequest(DpsPrincipal principal, ReceivingAmqpLink link, AmqpMessage request)
    {
        try
        {
            var props = request.ApplicationProperties?.Map;
            var type = props?["iotdps-operation-type"] as string;
            var correlationId = request.Properties?.CorrelationId;
            if (type == "iotdps-register")
            {
                if (Interlocked.Decrement(ref _throttleLeft) >= 0)
                {
                    Reject(link, request, principal, "com.microsoft:device-container-throttled",
                        "{\"errorCode\":429001,\"trackingId\":\"" + Guid.NewGuid() + "\",\"message\":\"Operations are being throttled for this tenant.\"}",
                        _options.ThrottleRetryAfterSeconds);
                    return;
                }
                link.AcceptMessage(request, false);
                Register(principal, link.Session, correlationId);
            }
            else if (type == "iotdps-get-operationstatus")
            {
                link.AcceptMessage(request, false);
                Poll(principal, link.Session, correlationId, props?["iotdps-operation-id"] as string);
            }
            else
            {
                Reject(link, request, principal, AmqpErrorCode.InvalidField.Value,
                    "{\"errorCode\":400001,\"message\":\"iotdps-operation-type must be iotdps-register or iotdps-get-operationstatus.\"}", null);
            }
        }
        finally
        {
            request.Dispose();
        }
    }

    private void Register(DpsPrincipal principal, AmqpSession session, MessageId? correlationId)
    {
        var opId = $"4.{Guid.NewGuid():N}.{Guid.NewGuid()}";
        if (!principal.Enabled)
        {
            Record(principal, "disabled", null);
            var disabled = new JsonObject
            {
                ["operationId"] = opId,
                ["status"] = "disabled",
                ["registrationState"] = new JsonObject { ["registrationId"] = principal.RegistrationId, ["status"] = "disabled" },
            };
            Answer(session, correlationId, disabled.ToJsonString(), null);
            return;
        }
        _operations[opId] = new Operation { Id = opId, Principal = principal, PollsLeft = _options.PollsBeforeAssigned };
        Answer(session, correlationId, new JsonObject { ["operationId"] = opId, ["status"] = "assigning" }.ToJsonString(), _options.RetryAfterSeconds);
    }

    private void Poll(DpsPrincipal principal, AmqpSession session, MessageId? correlationId, string? operationId)
    {
        if (operationId is null || !_operations.TryGetValue(operationId, out var op) || op.Principal.RegistrationId != principal.RegistrationId)
        {
            var error = new JsonObject { ["errorCode"] = 404202, ["message"] = "Unknown operation id." };
            Answer(session, correlationId, new JsonObject { ["operationId"] = operationId, ["status"] = "failed", ["registrationState"] = error }.ToJsonString(), null);
            return;
        }
        if (op.Answer is null && Interlocked.Decrement(ref op.PollsLeft) >= 0)
        {
            Answer(session, correlationId, new JsonObject { ["operationId"] = op.Id, ["status"] = "assigning" }.ToJsonString(), _options.RetryAfterSeconds);
            return;
        }
        op.Answer ??= Assign(op);
        Answer(session, correlationId, op.Answer, null);
    }

    // The device joins the hub's registry with the key it attested with (DPS creates it with that key), or, attested
    // by X.509, with its certificate's thumbprint, so it connects to the hub with the same certificate.
    private string Assign(Operation op)
    {
        var p = op.Principal;
        if (p.X509Thumbprint is { } thumbprint) _registry.AddX509Device(p.DeviceId, thumbprint);
        else _registry.AddDevice(p.DeviceId, p.DeviceKey);
        var now = _time.GetUtcNow().UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffffffZ", System.Globalization.CultureInfo.InvariantCulture);
        var state = new JsonObject
        {
            ["registrationId"] = p.RegistrationId,
            ["createdDateTimeUtc"] = now,
            ["assignedHub"] = _assignedHub(),
            ["deviceId"] = p.DeviceId,
            ["status"] = "assigned",
            ["substatus"] = "initialAssignment",
            ["lastUpdatedDateTimeUtc"] = now,
            ["etag"] = "\"" + Guid.NewGuid().ToString("N")[..8] + "\"",
        };
        if (p.PayloadJson is not null) state["payload"] = JsonNode.Parse(p.PayloadJson);
        Record(p, "assigned", p.DeviceId);
        return new JsonObject { ["operationId"] = op.Id, ["status"] = "assigned", ["registrationState"] = state }.ToJsonString();
    }

    private void Answer(AmqpSession session, MessageId? correlationId, string json, int? retryAfter)
    {
        if (!_replyLinks.TryGetValue(session, out var link))
        {
            Log("answer dropped: no receiver link attached on the session");
            return;
        }
        var message = AmqpMessage.Create(new Data { Value = new ArraySegment<byte>(Encoding.UTF8.GetBytes(json)) });
        if (correlationId is not null) message.Properties.CorrelationId = correlationId;
        if (retryAfter is { } seconds)
        {
            // Both spellings (C and Node read "retry-after", C# "Retry-After"); a string, so Node honours "0".
            message.ApplicationProperties.Map["retry-after"] = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
            message.ApplicationProperties.Map["Retry-After"] = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
        link.SendMessageNoWait(message, new ArraySegment<byte>(BitConverter.GetBytes(Interlocked.Increment(ref _tag))), AmqpConstants.NullBinary);
    }

    private void Reject(ReceivingAmqpLink link, AmqpMessage request, DpsPrincipal principal, string condition, string description, int? retryAfter)
    {
        var error = new Error { Condition = condition, Description = description };
        if (retryAfter is { } seconds)
        {
            error.Info = new Fields();
            error.Info.Add("retry-after", seconds.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }
        Record(principal, condition == "com.microsoft:device-container-throttled" ? "throttled" : "rejected", null);
        link.DisposeMessage(request, new Rejected { Error = error }, true, false);
    }

    private void Record(DpsPrincipal p, string status, string? deviceId)
    {
        lock (_records) _records.Add(new DpsRegistrationRecord(_time.GetUtcNow(), p.RegistrationId, p.Enrollment, status, deviceId));
        Log($"registration '{HubCore.Escape(p.RegistrationId)}' ({p.Enrollment}): {status}");
    }
}
