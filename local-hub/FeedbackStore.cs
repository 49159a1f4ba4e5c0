using System.Text.Json;
using Microsoft.Azure.Amqp;
using Microsoft.Azure.Amqp.Framing;

namespace IotHubAmqp.LocalHub;

/// <summary>
/// Feedback records waiting for the service, sent as batches on <c>/messages/serviceBound/feedback</c>.
/// A batch goes back to the queue if released or if its link closes before it is settled.
/// </summary>
internal sealed class FeedbackStore
{
    private const int MaxBatch = 64;
    private readonly object _lock = new();
    private readonly LinkedList<FeedbackRecord> _pending = new();
    private readonly List<FeedbackRecord> _all = new();
    private readonly Dictionary<Guid, List<FeedbackRecord>> _inFlight = new();
    private readonly Dictionary<Guid, SendingAmqpLink> _linkOf = new();
    private readonly List<(SendingAmqpLink Link, SerialPump Pump)> _readers = new();
    private readonly int _maxPending;
    private readonly int _maxObserved;
    private readonly string _hubHost;

    public FeedbackStore(int maxPending, int maxObserved, string hubHost)
    {
        _maxPending = maxPending;
        _maxObserved = maxObserved;
        _hubHost = hubHost;
    }

    public IReadOnlyList<FeedbackRecord> All { get { lock (_lock) return _all.ToList(); } }

    public void Add(FeedbackRecord record)
    {
        SerialPump[] pumps;
        lock (_lock)
        {
            _pending.AddLast(record);
            if (_pending.Count > _maxPending) _pending.RemoveFirst();
            _all.Add(record);
            if (_all.Count > _maxObserved) _all.RemoveAt(0);
            pumps = _readers.Select(r => r.Pump).ToArray();
        }
        foreach (var p in pumps) p.Request();
    }

    public void Attach(SendingAmqpLink link)
    {
        var pump = new SerialPump(() => PumpOnce(link));
        lock (_lock) _readers.Add((link, pump));
        link.RegisterCreditListener((_, _, _) => pump.Request());
        link.RegisterDispositionListener(d => OnDisposition(link, d));
        link.Opened += (_, _) => pump.Request();
        link.SafeAddClosed((_, _) => OnClosed(link));
    }

    private void PumpOnce(SendingAmqpLink link)
    {
        while (link.State == AmqpObjectState.Opened && link.LinkCredit > 0)
        {
            List<FeedbackRecord> batch;
            var tag = Guid.NewGuid();
            lock (_lock)
            {
                if (_pending.Count == 0) return;
                batch = new List<FeedbackRecord>();
                while (batch.Count < MaxBatch && _pending.First is { } first) { batch.Add(first.Value); _pending.RemoveFirst(); }
                _inFlight[tag] = batch;
                _linkOf[tag] = link;
            }
            var message = Build(batch, tag);
            message.Batchable = false; // see C2dQueues: the outcome is wanted now
            link.SendMessageNoWait(message, new ArraySegment<byte>(tag.ToByteArray()), AmqpConstants.NullBinary);
        }
    }

    private AmqpMessage Build(List<FeedbackRecord> batch, Guid id)
    {
        var json = JsonSerializer.SerializeToUtf8Bytes(batch.Select(r => new
        {
            originalMessageId = r.OriginalMessageId,
            deviceId = r.DeviceId,
            statusCode = r.StatusCode,
            description = r.Description,
            enqueuedTimeUtc = r.EnqueuedTimeUtc.UtcDateTime,
            deviceGenerationId = r.DeviceGenerationId,
        }));
        var message = AmqpMessage.Create(new Data { Value = new ArraySegment<byte>(json) });
        message.Properties.MessageId = id.ToString();
        message.Properties.ContentType = "application/vnd.microsoft.iothub.feedback.json";
        message.Properties.UserId = new ArraySegment<byte>(System.Text.Encoding.UTF8.GetBytes(_hubHost));
        message.MessageAnnotations.Map["iothub-enqueuedtime"] = DateTime.UtcNow;
        return message;
    }

    private void OnDisposition(SendingAmqpLink link, Delivery delivery)
    {
        if (delivery.DeliveryTag.Count == 16)
        {
            var tag = new Guid(delivery.DeliveryTag.AsSpan());
            lock (_lock)
            {
                if (_inFlight.Remove(tag, out var batch))
                {
                    _linkOf.Remove(tag);
                    // Released/modified: give the records back (the client tolerates duplicates anyway).
                    if (delivery.State is Released or Modified) foreach (var r in Enumerable.Reverse(batch)) _pending.AddFirst(r);
                }
            }
        }
        link.DisposeDelivery(delivery, true, delivery.State ?? AmqpConstants.AcceptedOutcome);
    }

    private void OnClosed(SendingAmqpLink link)
    {
        lock (_lock)
        {
            _readers.RemoveAll(r => r.Link == link);
            foreach (var tag in _linkOf.Where(kv => kv.Value == link).Select(kv => kv.Key).ToList())
            {
                _linkOf.Remove(tag);
                if (_inFlight.Remove(tag, out var batch)) foreach (var r in Enumerable.Reverse(batch)) _pending.AddFirst(r);
            }
        }
    }
}
