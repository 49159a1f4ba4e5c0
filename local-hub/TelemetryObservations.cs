namespace IotHubAmqp.LocalHub;

/// <summary>
/// Accepted telemetry kept for tests (<see cref="LocalHub.GetTelemetry"/>), beside the partitions: a second
/// copy of each body, so it is bounded by entries per device and by bytes over all devices (oldest dropped first).
/// </summary>
internal sealed class TelemetryObservations
{
    private readonly object _lock = new();
    private readonly Dictionary<string, LinkedList<Entry>> _byDevice = new(StringComparer.Ordinal);
    private readonly LinkedList<Entry> _arrival = new();
    private readonly int _maxPerDevice;
    private readonly long _maxBytes;
    private long _bytes;

    public TelemetryObservations(int maxPerDevice, long maxBytes)
    {
        _maxPerDevice = maxPerDevice;
        _maxBytes = maxBytes;
    }

    /// <summary>Bytes of bodies held.</summary>
    public long Bytes { get { lock (_lock) return _bytes; } }

    public void Add(ReceivedTelemetry t)
    {
        lock (_lock)
        {
            if (!_byDevice.TryGetValue(t.DeviceId, out var list)) _byDevice[t.DeviceId] = list = new LinkedList<Entry>();
            var entry = new Entry(t);
            entry.InDevice = list.AddLast(entry);
            entry.InArrival = _arrival.AddLast(entry);
            _bytes += Cost(t);
            if (list.Count > _maxPerDevice) Drop(list.First!.Value);
            while (_bytes > _maxBytes && _arrival.Count > 1) Drop(_arrival.First!.Value);
        }
    }

    public IReadOnlyList<ReceivedTelemetry> Of(string? deviceId)
    {
        lock (_lock)
        {
            if (deviceId is null) return _arrival.Select(e => e.Telemetry).ToList();
            return _byDevice.TryGetValue(deviceId, out var list) ? list.Select(e => e.Telemetry).ToList() : Array.Empty<ReceivedTelemetry>();
        }
    }

    // Caller holds the lock. Each entry knows its two list nodes, so a drop is O(1).
    private void Drop(Entry e)
    {
        _arrival.Remove(e.InArrival!);
        var list = e.InDevice!.List!;
        list.Remove(e.InDevice);
        if (list.Count == 0) _byDevice.Remove(e.Telemetry.DeviceId);
        _bytes -= Cost(e.Telemetry);
    }

    private sealed class Entry
    {
        public Entry(ReceivedTelemetry telemetry) => Telemetry = telemetry;
        public ReceivedTelemetry Telemetry { get; }
        public LinkedListNode<Entry>? InDevice;
        public LinkedListNode<Entry>? InArrival;
    }

    private static long Cost(ReceivedTelemetry t) => t.Body.Length + 256;
}
