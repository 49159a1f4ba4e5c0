using Microsoft.Azure.Amqp;
using Microsoft.Azure.Amqp.Encoding;
using Microsoft.Azure.Amqp.Framing;

namespace IotHubAmqp.LocalHub;

/// <summary>One queued cloud-to-device message.</summary>
internal sealed class C2dEntry
{
    public required long SequenceNumber { get; init; }
    public required MessageSnapshot Message { get; init; }
    public required DateTimeOffset EnqueuedTime { get; init; }
    public required string Ack { get; init; }
    public string? MessageId { get; init; }
    public DateTimeOffset? ExpiresAt { get; init; }
    public int DeliveryCount;
    public Guid LockToken;
    public DateTimeOffset LockedUntil;
    public SendingAmqpLink? LockedBy;
}

/// <summary>
/// Per-device C2D queues with IoT Hub's rules: bounded depth, one receive link, lock timeout,
/// max delivery count, TTL, and feedback for the acks the service asked for.
/// </summary>
internal sealed class C2dQueues
{
    private readonly LocalHubOptions _options;
    private readonly TimeProvider _time;
    private readonly Action<C2dEntry, string, string> _feedback; // entry, deviceId, status
    private readonly Dictionary<string, DeviceQueue> _queues = new(StringComparer.Ordinal);
    private long _nextSequence = 1;
    private long _totalBytes;

    /// <summary>Bytes of every queued or locked message (body + a fixed 256 per message for headers).</summary>
    public long TotalBytes => Interlocked.Read(ref _totalBytes);

    private static long Cost(MessageSnapshot m) => m.BodyLength + 256;

    public C2dQueues(LocalHubOptions options, TimeProvider time, Action<C2dEntry, string, string> feedback)
    {
        _options = options;
        _time = time;
        _feedback = feedback;
    }

    private DeviceQueue Queue(string deviceId)
    {
        lock (_queues)
        {
            if (!_queues.TryGetValue(deviceId, out var q)) _queues[deviceId] = q = new DeviceQueue(this, deviceId);
            return q;
        }
    }

    public C2dEnqueueResult Enqueue(string deviceId, MessageSnapshot message, string ack, string? messageId, DateTimeOffset? expiresAt)
    {
        if (!_options.Registry.Contains(deviceId)) return C2dEnqueueResult.DeviceNotFound;
        var q = Queue(deviceId);
        lock (q)
        {
            if (q.Pending.Count + q.Locked.Count >= _options.C2dMaxQueuedPerDevice) return C2dEnqueueResult.QueueFull;
            // All devices share one byte budget, so many devices with full queues stay bounded too.
            if (Interlocked.Add(ref _totalBytes, Cost(message)) > _options.C2dMaxTotalBytes)
            {
                Interlocked.Add(ref _totalBytes, -Cost(message));
                return C2dEnqueueResult.HubStorageFull;
            }
            q.Pending.Add(new C2dEntry
            {
                SequenceNumber = Interlocked.Increment(ref _nextSequence),
                Message = message, EnqueuedTime = _time.GetUtcNow(), Ack = ack, MessageId = messageId, ExpiresAt = expiresAt,
            });
        }
        q.Pump.Request();
        return C2dEnqueueResult.Enqueued;
    }

    public int Depth(string deviceId)
    {
        var q = Queue(deviceId);
        lock (q) return q.Pending.Count + q.Locked.Count;
    }

    /// <summary>Binds the device's receive link; false when another one is open.</summary>
    public bool Attach(string deviceId, SendingAmqpLink link)
    {
        var q = Queue(deviceId);
        lock (q)
        {
            if (q.Link is { } existing && existing.State is AmqpObjectState.Opened or AmqpObjectState.OpenReceived or AmqpObjectState.OpenSent) return false;
            q.Link = link;
        }
        link.RegisterCreditListener((_, _, _) => q.Pump.Request());
        link.RegisterDispositionListener(d => q.OnDisposition(link, d));
        link.SafeAddClosed((_, _) => q.OnLinkClosed(link));
        link.Opened += (_, _) => q.Pump.Request();
        return true;
    }

    public int Purge(string deviceId)
    {
        var q = Queue(deviceId);
        List<C2dEntry> purged;
        lock (q)
        {
            purged = q.Pending.Concat(q.Locked.Values).ToList();
            q.Pending.Clear();
            q.Locked.Clear();
        }
        foreach (var e in purged) Finish(e, deviceId, "Purged");
        return purged.Count;
    }

    /// <summary>Expires TTLs and locks.</summary>
    public void Sweep()
    {
        DeviceQueue[] queues;
        lock (_queues) queues = _queues.Values.ToArray();
        var now = _time.GetUtcNow();
        foreach (var q in queues)
        {
            var expired = new List<C2dEntry>();
            var pump = false;
            lock (q)
            {
                expired.AddRange(q.Pending.Where(e => e.ExpiresAt <= now));
                q.Pending.RemoveAll(e => e.ExpiresAt <= now);
                foreach (var e in q.Locked.Values.Where(e => e.LockedUntil <= now).ToList())
                {
                    q.Locked.Remove(e.LockToken);
                    pump |= q.AbandonLocked(e, expired);
                }
            }
            foreach (var e in expired) Finish(e, q.DeviceId, e.DeliveryCount >= _options.C2dMaxDeliveryCount ? "DeliveryCountExceeded" : "Expired");
            if (pump) q.Pump.Request();
        }
    }

    private void Finish(C2dEntry entry, string deviceId, string status)
    {
        Interlocked.Add(ref _totalBytes, -Cost(entry.Message));
        _feedback(entry, deviceId, status);
    }

    private sealed class DeviceQueue
    {
        private readonly C2dQueues _owner;
        public readonly string DeviceId;
        public readonly List<C2dEntry> Pending = new();              // ordered by sequence number
        public readonly Dictionary<Guid, C2dEntry> Locked = new();
        public SendingAmqpLink? Link;
        public readonly SerialPump Pump;

        public DeviceQueue(C2dQueues owner, string deviceId)
        {
            _owner = owner;
            DeviceId = deviceId;
            Pump = new SerialPump(PumpOnce);
        }

        // Caller holds the lock. Returns true when the entry went back to Pending; else adds it to `finished`.
        public bool AbandonLocked(C2dEntry e, List<C2dEntry> finished)
        {
            e.LockedBy = null;
            e.DeliveryCount++;
            if (e.DeliveryCount >= _owner._options.C2dMaxDeliveryCount) { finished.Add(e); return false; }
            var index = Pending.FindIndex(p => p.SequenceNumber > e.SequenceNumber);
            Pending.Insert(index < 0 ? Pending.Count : index, e);
            return true;
        }

        private void PumpOnce()
        {
            var toSend = new List<(C2dEntry Entry, AmqpMessage Message)>();
            var expired = new List<C2dEntry>();
            SendingAmqpLink? link;
            lock (this)
            {
                link = Link;
                if (link is null || link.State != AmqpObjectState.Opened) return;
                var credit = (long)link.LinkCredit;
                var now = _owner._time.GetUtcNow();
                while (credit > 0 && Pending.Count > 0)
                {
                    var e = Pending[0];
                    Pending.RemoveAt(0);
                    if (e.ExpiresAt <= now) { expired.Add(e); continue; }
                    e.LockToken = Guid.NewGuid();
                    e.LockedBy = link;
                    e.LockedUntil = now + _owner._options.C2dLockTimeout;
                    Locked[e.LockToken] = e;
                    toSend.Add((e, Build(e)));
                    credit--;
                }
            }
            foreach (var e in expired) _owner.Finish(e, DeviceId, "Expired");
            var presettled = link.Settings.SettleType == SettleMode.SettleOnSend;
            foreach (var (e, message) in toSend)
            {
                // Not batchable: a peer may hold a batchable disposition back indefinitely, and the
                // hub needs the outcome now (Microsoft.Azure.Amqp clients do exactly that).
                message.Batchable = false;
                link.SendMessageNoWait(message, new ArraySegment<byte>(e.LockToken.ToByteArray()), AmqpConstants.NullBinary);
                if (presettled) Complete(e.LockToken, link, Accepted.Code);
            }
        }

        private AmqpMessage Build(C2dEntry e)
        {
            var m = e.Message.ToMessage(new Dictionary<string, object?>
            {
                ["x-opt-sequence-number"] = e.SequenceNumber,
                ["x-opt-lock-token"] = e.LockToken,
                ["iothub-enqueuedtime"] = e.EnqueuedTime.UtcDateTime,
                ["iothub-deliverycount"] = e.DeliveryCount,
            });
            m.Properties.To = $"/devices/{Uri.EscapeDataString(DeviceId)}/messages/devicebound";
            return m;
        }

        public void OnDisposition(SendingAmqpLink link, Delivery delivery)
        {
            var state = delivery.State;
            if (delivery.DeliveryTag.Count == 16 && state is Outcome)
            {
                Complete(new Guid(delivery.DeliveryTag.AsSpan()), link, state.DescriptorCode);
            }
            link.DisposeDelivery(delivery, true, state ?? AmqpConstants.AcceptedOutcome);
        }

        private void Complete(Guid token, SendingAmqpLink link, ulong outcome)
        {
            var finished = new List<C2dEntry>();
            string? status = null;
            lock (this)
            {
                if (!Locked.TryGetValue(token, out var e) || e.LockedBy != link) return; // lock lost: ignore
                Locked.Remove(token);
                if (outcome == Accepted.Code) { finished.Add(e); status = "Success"; }
                else if (outcome == Rejected.Code) { finished.Add(e); status = "Rejected"; }
                else if (!AbandonLocked(e, finished)) status = "DeliveryCountExceeded";
            }
            foreach (var e in finished) _owner.Finish(e, DeviceId, status!);
            Pump.Request();
        }

        public void OnLinkClosed(SendingAmqpLink link)
        {
            var finished = new List<C2dEntry>();
            lock (this)
            {
                if (Link == link) Link = null;
                foreach (var e in Locked.Values.Where(e => e.LockedBy == link).ToList())
                {
                    Locked.Remove(e.LockToken);
                    AbandonLocked(e, finished);   // unsettled on disconnect: redelivered later
                }
            }
            foreach (var e in finished) _owner.Finish(e, DeviceId, "DeliveryCountExceeded");
        }
    }
}
