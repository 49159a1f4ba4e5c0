using System.Collections.Concurrent;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Azure.Amqp;
using Microsoft.Azure.Amqp.Encoding;
using Microsoft.Azure.Amqp.Framing;

namespace IotHubAmqp.LocalHub;

/// <summary>Device twin over AMQP (wire-2 §2): requests on the device's sender, answers and notifications on its receiver.</summary>
internal sealed partial class HubCore
{
    public const string DesiredResource = "/notifications/twin/properties/desired", ReportedResource = "/properties/reported";

    public TwinStore Twins { get; } = new();
    // Hub senders per identity; Subscribed marks the channels that sent PUT desired (§2.4).
    private readonly ConcurrentDictionary<SendingAmqpLink, (string Key, AmqpSession Session)> _twinLinks = new();
    private readonly ConcurrentDictionary<SendingAmqpLink, bool> _twinSubscribed = new();

    private void AttachTwinResponses(Route route, SendingAmqpLink link)
    {
        _twinLinks[link] = (IdentityKey(route.DeviceId!, route.ModuleId), link.Session);
        link.SafeAddClosed((_, _) => { _twinLinks.TryRemove(link, out _); _twinSubscribed.TryRemove(link, out _); });
    }

    private SendingAmqpLink? TwinReplyLink(string key, AmqpSession session) =>
        _twinLinks.Where(p => p.Value.Key == key && p.Value.Session == session).Select(p => p.Key).FirstOrDefault()
        ?? _twinLinks.Where(p => p.Value.Key == key && p.Value.Session.Connection == session.Connection).Select(p => p.Key).FirstOrDefault();

    private void OnTwinRequest(ConnectionContext context, ReceivingAmqpLink link, Route route, AmqpMessage message)
    {
        var key = IdentityKey(route.DeviceId!, route.ModuleId);
        var correlationId = message.Properties?.CorrelationId;
        var annotations = message.MessageAnnotations?.Map;
        var operation = annotations?[(AmqpSymbol)"operation"] as string;
        var resource = annotations?[(AmqpSymbol)"resource"] as string;
        int status;
        long? version = null;
        byte[]? body = null;
        try
        {
            if (!TwinThrottle.TryTake(key, 1))
                throw new TwinException(429, "ThrottlingException", $"Twin requests of '{Escape(key)}' are over {Options.TwinOperationsPerSecondPerIdentity} per second. Retry later.");
            var twin = Twins.Get(route.DeviceId!, route.ModuleId);
            var reply = TwinReplyLink(key, link.Session);
            switch (operation)
            {
                case "GET":
                    lock (twin) body = Encoding.UTF8.GetBytes(twin.DeviceView().ToJsonString());
                    status = 200;
                    break;
                case "PATCH" when resource == ReportedResource:
                    var raw = ReadBody(message);
                    if (raw.Length > Twin.MaxSectionBytes) throw new TwinException(400, "ArgumentInvalid", "Reported patch too large.");
                    if (JsonNode.Parse(raw) is not JsonObject patch) throw new TwinException(400, "ArgumentInvalid", "Reported patch must be a JSON object.");
                    lock (twin) version = twin.PatchReported(patch, Time.GetUtcNow());
                    status = 204;
                    break;
                case "PUT" when resource == DesiredResource:
                    // C sends PUT again to unsubscribe (§2.2): PUT stays idempotent.
                    if (reply is not null) _twinSubscribed[reply] = true;
                    status = 200;
                    break;
                case "DELETE" when resource == DesiredResource:
                    if (reply is not null) _twinSubscribed.TryRemove(reply, out _);
                    status = 200;
                    break;
                default:
                    throw new TwinException(400, "ArgumentInvalid", $"Unknown twin operation '{Escape(operation)}' on '{Escape(resource)}'.");
            }
        }
        catch (Exception ex)
        {
            var twinError = ex as TwinException;
            status = twinError?.Status ?? 400;
            var error = new JsonObject { ["errorCode"] = twinError?.Code ?? "ArgumentInvalid", ["message"] = ex.Message };
            body = Encoding.UTF8.GetBytes(error.ToJsonString());
        }
        // Settled or not, disposing the delivery gives its link credit back.
        link.AcceptMessage(message, false);
        Raise(HubEventKind.TwinRequest, context.Id, route.DeviceId, key, $"{operation} {resource} -> {status}");
        // Requests without correlation-id are not answered (EDGE ignores them), except PATCH which is still applied.
        if (correlationId is null) return;
        var target = TwinReplyLink(key, link.Session);
        if (target is null) return;
        target.SendMessageNoWait(BuildTwinMessage(correlationId, status, version, body), NextTag(), AmqpConstants.NullBinary);
    }

    /// <summary>A twin response (§2.3): symbol keys, status int, version long, none or one data section.</summary>
    internal static AmqpMessage BuildTwinMessage(MessageId? correlationId, int? status, long? version, byte[]? body, string? resource = null)
    {
        var message = body is null ? AmqpMessage.Create() : AmqpMessage.Create(new Data { Value = new ArraySegment<byte>(body) });
        if (correlationId is not null) message.Properties.CorrelationId = correlationId;
        if (status is { } s) message.MessageAnnotations.Map[(AmqpSymbol)"status"] = s;
        if (version is { } v) message.MessageAnnotations.Map[(AmqpSymbol)"version"] = v;
        if (resource is not null) message.MessageAnnotations.Map[(AmqpSymbol)"resource"] = resource;
        return message;
    }

    private long _twinTag;
    private ArraySegment<byte> NextTag() => new(BitConverter.GetBytes(Interlocked.Increment(ref _twinTag)));

    /// <summary>Pushes a desired patch (with its new $version) to every subscribed channel of the identity (§2.4).</summary>
    internal int NotifyDesired(string deviceId, string? moduleId, JsonObject note, long version)
    {
        var key = IdentityKey(deviceId, moduleId);
        var bytes = Encoding.UTF8.GetBytes(note.ToJsonString());
        var sent = 0;
        foreach (var link in _twinSubscribed.Keys.Where(l => _twinLinks.TryGetValue(l, out var v) && v.Key == key).ToList())
        {
            link.SendMessageNoWait(BuildTwinMessage(null, null, version, bytes, "/properties/desired"), NextTag(), AmqpConstants.NullBinary);
            sent++;
        }
        return sent;
    }

    /// <summary>True when the identity has a method or twin link open (the twin's connectionState).</summary>
    internal bool IsConnected(string deviceId, string? moduleId) =>
        HasMethodLink(deviceId, moduleId) || _twinLinks.Values.Any(v => v.Key == IdentityKey(deviceId, moduleId))
        || (moduleId is null && Connections.Any(c => c.ServesDevice(deviceId)));

    private static string RequireIdentity(HubCore hub, ConnectionContext context, Route route, DateTimeOffset now)
    {
        if (route.ModuleId is null) return RequireDevice(context, route.DeviceId!, now);
        var scope = Grant.ModuleScope(route.DeviceId!, route.ModuleId);
        if (context.HasGrant(scope, now)) return scope;
        // Twins and methods exist only for registered modules (no state for made-up module names).
        if (!hub.Options.Registry.TryGetModuleKey(route.DeviceId!, route.ModuleId, out _))
            throw new AmqpException(AmqpErrorCode.NotFound, $"Module '{Escape(route.ModuleId)}' of device '{Escape(route.DeviceId)}' is not registered.");
        throw Unauthorized();
    }

    private ServiceRest? _rest;
    /// <summary>Port of the service REST API (after Start).</summary>
    public int RestPort { get; private set; }

    private void StartRest()
    {
        if (_rest is not null) return;
        var rest = new ServiceRest(this, _tokens);
        // A restarted hub keeps its REST port, as it keeps its AMQP port.
        rest.Start(Options.BindAddress, Options.RestPort != 0 ? Options.RestPort : RestPort);
        RestPort = rest.Port;
        _rest = rest;
        StartWebSockets();
    }

    private void StopRest()
    {
        var rest = _rest;
        _rest = null;
        rest?.DisposeAsync().AsTask().GetAwaiter().GetResult();
        StopWebSockets();
    }
}
