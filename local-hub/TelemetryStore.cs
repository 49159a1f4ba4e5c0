namespace IotHubAmqp.LocalHub;

/// <summary>One stored event of the Event Hubs-compatible endpoint.</summary>
internal sealed record StoredEvent(long SequenceNumber, long Offset, DateTimeOffset EnqueuedTime, MessageSnapshot Message);

/// <summary>Partitions of telemetry, bounded: the oldest events are dropped past the retention count.</summary>
internal sealed class TelemetryStore
{
    private readonly Partition[] _partitions;
    private readonly int _retained;
    private readonly long _retainedBytes;

    public TelemetryStore(int partitions, int retained, long retainedBytes = long.MaxValue)
    {
        _partitions = Enumerable.Range(0, partitions).Select(_ => new Partition()).ToArray();
        _retained = retained;
        _retainedBytes = retainedBytes;
    }

    /// <summary>Bytes held by a partition (serialized sizes of its events).</summary>
    public long BytesOf(int partition) { var p = _partitions[partition]; lock (p) return p.Bytes; }

    public int Count => _partitions.Length;

    /// <summary>Stable (process-independent) FNV-1a hash of the device id, mod the partition count.</summary>
    public int PartitionOf(string deviceId)
    {
        uint hash = 2166136261;
        foreach (var c in deviceId) { hash ^= c; hash *= 16777619; }
        return (int)(hash % (uint)_partitions.Length);
    }

    public StoredEvent Append(int partition, DateTimeOffset now, Func<long, long, MessageSnapshot> build)
    {
        var p = _partitions[partition];
        StoredEvent stored;
        Action[] listeners;
        lock (p)
        {
            var seq = p.NextSequence++;
            var offset = p.NextOffset;
            var message = build(seq, offset);
            stored = new StoredEvent(seq, offset, now, message);
            p.NextOffset += Math.Max(1, message.Size);
            p.Events.Add(stored);
            p.Bytes += Math.Max(1, message.Size);
            // Bounded by count and by bytes: the oldest events go first (the newest is always kept).
            var drop = 0;
            while (p.Events.Count - drop > 1 && (p.Events.Count - drop > _retained || p.Bytes > _retainedBytes))
            {
                p.Bytes -= Math.Max(1, p.Events[drop].Message.Size);
                drop++;
            }
            if (drop > 0) p.Events.RemoveRange(0, drop);
            listeners = p.Listeners.ToArray();
        }
        foreach (var l in listeners) l();
        return stored;
    }

    /// <summary>Up to <paramref name="max"/> retained events from <paramref name="fromSequence"/> on (a copy).</summary>
    public List<StoredEvent> ReadFrom(int partition, long fromSequence, int max)
    {
        var p = _partitions[partition];
        lock (p) return p.Events.Where(e => e.SequenceNumber >= fromSequence).Take(max).ToList();
    }

    public StoredEvent? FirstMatching(int partition, Func<StoredEvent, bool> predicate)
    {
        var p = _partitions[partition];
        lock (p) return p.Events.FirstOrDefault(predicate);
    }

    public (long Begin, long Last, long LastOffset, DateTimeOffset LastTime, bool Empty, long Next) Info(int partition)
    {
        var p = _partitions[partition];
        lock (p)
        {
            if (p.Events.Count == 0) return (p.NextSequence, p.NextSequence - 1, -1, DateTimeOffset.UnixEpoch, true, p.NextSequence);
            var last = p.Events[^1];
            return (p.Events[0].SequenceNumber, last.SequenceNumber, last.Offset, last.EnqueuedTime, false, p.NextSequence);
        }
    }

    public void Subscribe(int partition, Action onAppend)
    {
        var p = _partitions[partition];
        lock (p) p.Listeners.Add(onAppend);
    }

    public void Unsubscribe(int partition, Action onAppend)
    {
        var p = _partitions[partition];
        lock (p) p.Listeners.Remove(onAppend);
    }

    private sealed class Partition
    {
        public readonly List<StoredEvent> Events = new();
        public readonly List<Action> Listeners = new();
        public long NextSequence;
        public long NextOffset;
        public long Bytes;
    }
}
