using System.Text.Json.Nodes;
using System.Threading.Channels;

namespace IotHubAmqp.LocalHub.Web;

/// <summary>
/// What the web console shows, gathered from the hub's hooks: per-device counters, recent telemetry, refusals,
/// C2D outcomes; and the page subscribers the live events go to. Everything is bounded (rings, bounded channels).
/// </summary>
internal sealed class WebFeed : IDisposable
{
    public const int RecentTelemetry = 200, RecentRefusals = 100, RecentOutcomes = 100, SubscriberQueue = 512;
    /// <summary>Telemetry pushed live per second; past it messages are counted, not sent (a page cannot show more).</summary>
    public const int LiveTelemetryPerSecond = 100;
    private readonly HubCore _hub;
    private readonly object _lock = new();
    private readonly Dictionary<string, DeviceStats> _stats = new(StringComparer.Ordinal);
    private readonly LinkedList<JsonObject> _telemetry = new(), _refusals = new(), _outcomes = new();
    private readonly List<Channel<string>> _subscribers = new();
    private readonly Timer _tick;
    private long _telemetryCount, _lastTickCount, _liveSkipped;
    private int _liveThisSecond;
    private double _rate;

    public WebFeed(HubCore hub)
    {
        _hub = hub;
        hub.EventRaised += OnEvent;
        hub.TelemetryStored += OnTelemetry;
        hub.C2dFinished += OnC2dFinished;
        hub.HandshakeFailed += OnHandshakeFailed;
        _tick = new Timer(_ => Tick(), null, 1000, 1000);
    }

    public sealed class DeviceStats
    {
        public string Auth = "";
        public DateTimeOffset? LastActivity;
        public long In, Out, Connects, Renewals, Refusals;
        public readonly HashSet<long> Connections = new();
    }

    /// <summary>Messages per second over the last tick.</summary>
    public double Rate { get { lock (_lock) return _rate; } }

    public int SubscriberCount { get { lock (_lock) return _subscribers.Count; } }

    private DeviceStats StatsOf(string deviceId)
    {
        if (!_stats.TryGetValue(deviceId, out var s))
        {
            // Bounded by the registry in practice; ids the registry does not know are not kept.
            _stats[deviceId] = s = new DeviceStats();
        }
        return s;
    }

    // EventRaised is raised inside the hub's own handling: nothing here may throw into it.
    private void OnEvent(HubEvent e)
    {
        try { Record(e); }
        catch (Exception ex) { _hub.Options.Log?.Invoke("web console: event not recorded: " + HubCore.Escape(ex.Message)); }
    }

    private void Record(HubEvent e)
    {
        JsonObject? refusal = null;
        lock (_lock)
        {
            if (e.DeviceId is { } id && _hub.Options.Registry.Contains(id))
            {
                var s = StatsOf(id);
                s.LastActivity = e.Time;
                if (e.Kind == HubEventKind.Authenticated)
                {
                    // A second token on a connection that already acts for the device is a renewal (CBS put-token).
                    if (!s.Connections.Add(e.ConnectionId)) s.Renewals++;
                    else s.Connects++;
                    s.Auth = e.Reason == "SASL PLAIN" ? "PLAIN" : e.Address == "$cbs" ? "SAS/CBS"
                        : e.Reason?.StartsWith("X.509", StringComparison.Ordinal) == true ? "X.509" : e.Reason ?? "";
                    if (s.Connections.Count > 64) s.Connections.Remove(s.Connections.Min());
                }
                else if (e.Kind == HubEventKind.MethodInvoked) s.Out++;
            }
            if (IsRefusal(e))
            {
                refusal = WebViews.Refusal(e.Time, e.Kind.ToString(), e.ConnectionId, e.DeviceId, e.Address, e.Reason);
                Push(_refusals, refusal, RecentRefusals);
                if (e.DeviceId is { } d && _stats.TryGetValue(d, out var ds)) ds.Refusals++;
            }
        }
        Publish("hub", WebViews.Event(e));
        if (refusal is not null) Publish("refusal", refusal);
    }

    /// <summary>Refusals are failed auth, refused links, and links or connections closed with an AMQP error.</summary>
    private static bool IsRefusal(HubEvent e) => e.Kind switch
    {
        HubEventKind.AuthenticationFailed or HubEventKind.LinkRefused => true,
        HubEventKind.Closed or HubEventKind.LinkClosed => e.Reason is { } r && r.StartsWith("amqp:", StringComparison.Ordinal)
            && !r.StartsWith("amqp:connection:forced", StringComparison.Ordinal) || e.Reason is { } r2 && r2.Contains("framing", StringComparison.OrdinalIgnoreCase),
        _ => false,
    };

    private void OnHandshakeFailed(string? remote, string reason)
    {
        var refusal = WebViews.Refusal(_hub.Time.GetUtcNow(), "HandshakeFailed", 0, null, remote, reason);
        lock (_lock) Push(_refusals, refusal, RecentRefusals);
        Publish("refusal", refusal);
    }

    private void OnTelemetry(ReceivedTelemetry t, IReadOnlyList<KeyValuePair<string, object?>> annotations)
    {
        var view = WebViews.Telemetry(t, annotations);
        bool live;
        lock (_lock)
        {
            _telemetryCount++;
            var s = StatsOf(t.DeviceId);
            s.In++;
            s.LastActivity = t.EnqueuedTime;
            Push(_telemetry, view, RecentTelemetry);
            live = _subscribers.Count > 0 && _liveThisSecond < LiveTelemetryPerSecond;
            if (live) _liveThisSecond++;
            else if (_subscribers.Count > 0) _liveSkipped++;
        }
        if (live) Publish("telemetry", view);
    }

    private void OnC2dFinished(string deviceId, string? messageId, string status, string ack)
    {
        var view = new JsonObject
        {
            ["time"] = _hub.Time.GetUtcNow().ToString("O"), ["deviceId"] = deviceId, ["messageId"] = WebViews.Cut(messageId, 256),
            ["status"] = status, ["ack"] = ack,
            // Feedback is produced only when the ack mode asks for this outcome (HubCore.OnC2dFinished).
            ["feedback"] = status == "Success" ? ack is "positive" or "full" : ack is "negative" or "full",
        };
        lock (_lock)
        {
            var s = StatsOf(deviceId);
            s.Out++;
            s.LastActivity = _hub.Time.GetUtcNow();
            Push(_outcomes, view, RecentOutcomes);
        }
        Publish("c2d", view);
    }

    private static void Push(LinkedList<JsonObject> ring, JsonObject item, int max)
    {
        ring.AddLast(item);
        while (ring.Count > max) ring.RemoveFirst();
    }

    private void Tick()
    {
        lock (_lock)
        {
            _rate = _telemetryCount - _lastTickCount;
            _lastTickCount = _telemetryCount;
            _liveThisSecond = 0;
            if (_subscribers.Count == 0) return;
        }
        try { Publish("stats", new JsonObject { ["devices"] = Devices(), ["health"] = Health() }); }
        catch (Exception ex) { _hub.Options.Log?.Invoke("web console tick failed: " + ex.Message); }
    }

    public JsonArray Devices()
    {
        var registry = _hub.Options.Registry;
        var connections = _hub.Connections;
        var list = new JsonArray();
        // What other parts of the hub lock (connections, C2D queues) is read before taking this feed's lock.
        var live = registry.DeviceIds.OrderBy(x => x, StringComparer.Ordinal).Select(id =>
        {
            var modules = new JsonArray();
            foreach (var (d, m) in registry.ModuleIds.Where(x => x.DeviceId == id).OrderBy(x => x.ModuleId, StringComparer.Ordinal))
                modules.Add(new JsonObject { ["moduleId"] = m, ["methods"] = _hub.HasMethodLink(d, m) });
            return (Id: id, Connected: connections.Count(c => c.ServesDevice(id)), Depth: _hub.C2d.Depth(id), Methods: _hub.HasMethodLink(id, null), Modules: modules);
        }).ToList();
        lock (_lock)
        {
            foreach (var (id, connected, depth, methods, modules) in live)
            {
                _stats.TryGetValue(id, out var s);
                list.Add(new JsonObject
                {
                    ["deviceId"] = id,
                    ["connected"] = connected,
                    ["auth"] = s?.Auth ?? "",
                    ["lastActivity"] = s?.LastActivity?.ToString("O"),
                    ["in"] = s?.In ?? 0, ["out"] = s?.Out ?? 0,
                    ["reconnects"] = Math.Max(0, (s?.Connects ?? 0) - 1), ["renewals"] = s?.Renewals ?? 0,
                    ["refusals"] = s?.Refusals ?? 0,
                    ["c2dQueued"] = depth,
                    ["methods"] = methods,
                    ["modules"] = modules,
                });
            }
        }
        return list;
    }

    public JsonObject Health()
    {
        var o = _hub.Options;
        var connections = _hub.Connections;
        long partitionBytes = 0;
        for (var p = 0; p < _hub.Telemetry.Count; p++) partitionBytes += _hub.Telemetry.BytesOf(p);
        JsonObject Budget(long used, long max) => new() { ["used"] = used, ["max"] = max };
        return new JsonObject
        {
            ["connections"] = connections.Count,
            ["authenticated"] = connections.Count(c => c.Authenticated),
            ["unauthenticated"] = connections.Count(c => !c.Authenticated),
            ["maxConnections"] = o.MaxConnections,
            ["maxUnauthenticated"] = o.MaxUnauthenticatedConnections,
            ["messagesPerSecond"] = Rate,
            ["pageSubscribers"] = SubscriberCount,
            ["liveTelemetrySkipped"] = Interlocked.Read(ref _liveSkipped),
            ["liveTelemetryPerSecond"] = LiveTelemetryPerSecond,
            ["memory"] = new JsonObject
            {
                ["observedTelemetry"] = Budget(_hub.Observed.Bytes, o.MaxObservedTelemetryBytes),
                ["partitions"] = Budget(partitionBytes, o.TelemetryRetainedBytesPerPartition * _hub.Telemetry.Count),
                ["c2d"] = Budget(_hub.C2d.TotalBytes, o.C2dMaxTotalBytes),
                ["managedHeap"] = GC.GetTotalMemory(false),
                ["workingSet"] = Environment.WorkingSet,
            },
            ["uptimeSeconds"] = (long)(DateTimeOffset.UtcNow - _hub.CreatedAt).TotalSeconds,
        };
    }

    public JsonObject State()
    {
        JsonArray telemetry, refusals, outcomes;
        lock (_lock)
        {
            telemetry = new JsonArray(_telemetry.Select(x => (JsonNode?)x.DeepClone()).ToArray());
            refusals = new JsonArray(_refusals.Select(x => (JsonNode?)x.DeepClone()).ToArray());
            outcomes = new JsonArray(_outcomes.Select(x => (JsonNode?)x.DeepClone()).ToArray());
        }
        return new JsonObject
        {
            ["hub"] = new JsonObject
            {
                ["name"] = _hub.Options.HubName, ["hostName"] = _hub.HostName, ["amqpPort"] = _hub.Port, ["restPort"] = _hub.RestPort,
                ["partitions"] = _hub.Telemetry.Count,
            },
            ["devices"] = Devices(), ["health"] = Health(), ["telemetry"] = telemetry, ["refusals"] = refusals, ["c2d"] = outcomes,
            ["events"] = new JsonArray(_hub.Events.TakeLast(50).Select(e => (JsonNode?)WebViews.Event(e)).ToArray()),
        };
    }

    /// <summary>A bounded queue for one page: when the page reads too slowly the oldest events go, never memory.</summary>
    public Channel<string> Subscribe()
    {
        var channel = Channel.CreateBounded<string>(new BoundedChannelOptions(SubscriberQueue)
        {
            FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true,
        });
        lock (_lock) _subscribers.Add(channel);
        return channel;
    }

    public void Unsubscribe(Channel<string> channel)
    {
        lock (_lock) _subscribers.Remove(channel);
        channel.Writer.TryComplete();
    }

    private void Publish(string kind, JsonNode data)
    {
        Channel<string>[] targets;
        lock (_lock)
        {
            if (_subscribers.Count == 0) return;
            targets = _subscribers.ToArray();
        }
        // One SSE frame: the JSON text has no raw newlines (System.Text.Json escapes them in strings).
        var frame = $"event: {kind}\ndata: {data.ToJsonString()}\n\n";
        foreach (var t in targets) t.Writer.TryWrite(frame);
    }

    public void Dispose()
    {
        _tick.Dispose();
        _hub.EventRaised -= OnEvent;
        _hub.TelemetryStored -= OnTelemetry;
        _hub.C2dFinished -= OnC2dFinished;
        _hub.HandshakeFailed -= OnHandshakeFailed;
        lock (_lock) foreach (var s in _subscribers) s.Writer.TryComplete();
    }
}
