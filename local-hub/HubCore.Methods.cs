using System.Collections.Concurrent;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Azure.Amqp;
using Microsoft.Azure.Amqp.Encoding;
using Microsoft.Azure.Amqp.Framing;

namespace IotHubAmqp.LocalHub;

/// <summary>Outcome of a direct method call as the REST API reports it.</summary>
internal sealed record MethodOutcome(int HttpStatus, string Code, int DeviceStatus, string PayloadJson);

/// <summary>Direct methods (wire-2 §1): the device's link pair and service invocations.</summary>
internal sealed partial class HubCore
{
    /// <summary>IoT Hub's method payload limit, request and response (wire-2 §1.5).</summary>
    public const int MaxMethodPayload = 128 * 1024;
    public const string MethodNameProperty = "IoThub-methodname", MethodStatusProperty = "IoThub-status";

    private readonly ConcurrentDictionary<string, SendingAmqpLink> _methodLinks = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<Guid, TaskCompletionSource<(int Status, string Json)>> _pendingMethods = new();

    internal static string IdentityKey(string deviceId, string? moduleId) => moduleId is null ? deviceId : deviceId + "/" + moduleId;

    private static void AttachMethodRequests(HubCore hub, Route route, SendingAmqpLink link)
    {
        var key = IdentityKey(route.DeviceId!, route.ModuleId);
        hub._methodLinks[key] = link;   // the newest channel wins, as a reconnecting device replaces its old one
        link.SafeAddClosed((_, _) => hub._methodLinks.TryRemove(new KeyValuePair<string, SendingAmqpLink>(key, link)));
    }

    /// <summary>A device's response: correlation-id (uuid) names the pending call, IoThub-status is an int (§1.4).</summary>
    private void OnMethodResponse(ReceivingAmqpLink link, AmqpMessage message)
    {
        try
        {
            var id = message.Properties?.CorrelationId?.ToString();
            var status = message.ApplicationProperties?.Map[MethodStatusProperty];
            var body = ReadBody(message);
            if (Guid.TryParse(id, out var guid) && _pendingMethods.TryRemove(guid, out var pending))
                pending.TrySetResult((status is int s ? s : Convert.ToInt32(status ?? 500), body.Length == 0 ? "null" : Encoding.UTF8.GetString(body)));
            // Settled or not, disposing the delivery gives its link credit back (a device that sends settled is not starved).
            link.AcceptMessage(message, false);
        }
        catch (Exception ex)
        {
            Options.Log?.Invoke("method response unreadable: " + Escape(ex.Message));
            if (!message.Settled) Reject(link, message, AmqpErrorCode.DecodeError, "Could not read the method response.");
        }
    }

    internal static byte[] ReadBody(AmqpMessage message)
    {
        using var ms = new MemoryStream();
        if ((message.BodyType & SectionFlag.Data) != 0)
        {
            foreach (var d in message.DataBody)
            {
                var seg = d.Value is ArraySegment<byte> s ? s : new ArraySegment<byte>((byte[])d.Value);
                ms.Write(seg.Array!, seg.Offset, seg.Count);
            }
        }
        return ms.ToArray();
    }

    /// <summary>The request the hub sends (§1.3): uuid correlation-id, method name property, one data section.</summary>
    internal static AmqpMessage BuildMethodRequest(Guid id, string methodName, string payloadJson)
    {
        var message = AmqpMessage.Create(new Data { Value = new ArraySegment<byte>(Encoding.UTF8.GetBytes(payloadJson)) });
        message.Properties.CorrelationId = id;
        message.ApplicationProperties.Map[MethodNameProperty] = methodName;
        return message;
    }

    /// <summary>Invokes a method: 404103 when no method link within connectTimeout, 504101 after responseTimeout.</summary>
    public async Task<MethodOutcome> InvokeMethodAsync(string deviceId, string? moduleId, string methodName, string payloadJson,
        TimeSpan responseTimeout, TimeSpan connectTimeout, CancellationToken cancel = default)
    {
        var key = IdentityKey(deviceId, moduleId);
        var connectDeadline = DateTime.UtcNow + connectTimeout;
        SendingAmqpLink? link;
        while (!_methodLinks.TryGetValue(key, out link) || link.State != AmqpObjectState.Opened)
        {
            if (DateTime.UtcNow >= connectDeadline)
                return new MethodOutcome(404, "DeviceNotOnline", 0, "");
            await Task.Delay(50, cancel).ConfigureAwait(false);
        }
        var id = Guid.NewGuid();
        var pending = new TaskCompletionSource<(int, string)>(TaskCreationOptions.RunContinuationsAsynchronously);
        _pendingMethods[id] = pending;
        try
        {
            var message = BuildMethodRequest(id, methodName, payloadJson);
            link.SendMessageNoWait(message, new ArraySegment<byte>(id.ToByteArray()), AmqpConstants.NullBinary);
            Raise(HubEventKind.MethodInvoked, 0, deviceId, key, methodName);
            var (status, json) = await pending.Task.WaitAsync(responseTimeout, cancel).ConfigureAwait(false);
            return new MethodOutcome(200, "", status, json);
        }
        catch (TimeoutException)
        {
            return new MethodOutcome(504, "GatewayTimeout", 0, "");
        }
        finally
        {
            _pendingMethods.TryRemove(id, out _);
        }
    }

    /// <summary>True when the identity has its method request link attached.</summary>
    public bool HasMethodLink(string deviceId, string? moduleId) => _methodLinks.ContainsKey(IdentityKey(deviceId, moduleId));

    internal static JsonNode? ParseJsonOrNull(string json) => string.IsNullOrWhiteSpace(json) ? null : JsonNode.Parse(json);
}
