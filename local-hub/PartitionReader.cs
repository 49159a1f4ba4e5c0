using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.Azure.Amqp;
using Microsoft.Azure.Amqp.Encoding;
using Microsoft.Azure.Amqp.Framing;

namespace IotHubAmqp.LocalHub;

/// <summary>Streams one partition to an Event Hubs receiver, from the position its selector filter names.</summary>
internal sealed partial class PartitionReader
{
    private const string SelectorKey = "apache.org:selector-filter:string";
    private const ulong SelectorCode = 0x468C00000004;
    private readonly SendingAmqpLink _link;
    private readonly TelemetryStore _store;
    private readonly int _partition;
    private readonly SerialPump _pump;
    private readonly Action _onAppend;
    private long _next;

    private PartitionReader(SendingAmqpLink link, TelemetryStore store, int partition, long start)
    {
        _link = link;
        _store = store;
        _partition = partition;
        _next = start;
        _pump = new SerialPump(PumpOnce);
        _onAppend = _pump.Request;
    }

    public static void Start(SendingAmqpLink link, TelemetryStore store, int partition, TimeProvider time)
    {
        var start = StartSequence(link.Settings.Source as Source, store, partition);
        var reader = new PartitionReader(link, store, partition, start);
        store.Subscribe(partition, reader._onAppend);
        link.RegisterCreditListener((_, _, _) => reader._pump.Request());
        link.RegisterDispositionListener(d => link.DisposeDelivery(d, true, d.State ?? AmqpConstants.AcceptedOutcome));
        link.Opened += (_, _) => reader._pump.Request();
        link.SafeAddClosed((_, _) => store.Unsubscribe(partition, reader._onAppend));
    }

    [GeneratedRegex(@"amqp\.annotation\.x-opt-(offset|sequence-number|enqueued-time)\s*(>=|>)\s*(?:'([^']*)'|([^\s']+))\s*$", RegexOptions.IgnoreCase)]
    private static partial Regex Selector();

    /// <summary>Sequence number of the first event to deliver, from the selector filter (default: from the start).</summary>
    internal static long StartSequence(Source? source, TelemetryStore store, int partition)
    {
        var expression = FilterExpression(source);
        var info = store.Info(partition);
        if (expression is null) return info.Begin;
        var match = Selector().Match(expression);
        if (!match.Success) throw new AmqpException(AmqpErrorCode.InvalidField, $"Unsupported filter '{expression}'.");
        var field = match.Groups[1].Value.ToLowerInvariant();
        var inclusive = match.Groups[2].Value == ">=";
        // Quoted ('2995') as Azure's SDKs write it, or unquoted (2995) as the seed's uamqp snippets do.
        var value = match.Groups[3].Success ? match.Groups[3].Value : match.Groups[4].Value;
        if (field == "offset" && value == "@latest") return info.Next;
        if (field == "offset" && value == "-1") return info.Begin;
        if (!long.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var number))
            throw new AmqpException(AmqpErrorCode.InvalidField, $"Bad filter value '{value}'.");
        Func<StoredEvent, long> key = field switch
        {
            "offset" => e => e.Offset,
            "sequence-number" => e => e.SequenceNumber,
            _ => e => e.EnqueuedTime.ToUnixTimeMilliseconds(),
        };
        var first = store.FirstMatching(partition, e => inclusive ? key(e) >= number : key(e) > number);
        if (first is not null) return first.SequenceNumber;
        // Nothing stored matches yet: start with the next event when it names a future sequence.
        return field == "sequence-number" ? Math.Max(info.Next, inclusive ? number : number + 1) : info.Next;
    }

    private static string? FilterExpression(Source? source)
    {
        if (source?.FilterSet is not { } filters) return null;
        foreach (var kv in filters)
        {
            if (kv.Value is DescribedType described
                && (kv.Key.ToString() == SelectorKey || described.Descriptor is ulong code && code == SelectorCode
                    || described.Descriptor is AmqpSymbol sym && sym.Value == SelectorKey))
            {
                return described.Value?.ToString();
            }
        }
        return null;
    }

    private void PumpOnce()
    {
        while (_link.State == AmqpObjectState.Opened && _link.LinkCredit > 0)
        {
            var batch = _store.ReadFrom(_partition, _next, (int)Math.Min(_link.LinkCredit, 100));
            if (batch.Count == 0) return;
            foreach (var e in batch)
            {
                var tag = BitConverter.GetBytes(e.SequenceNumber);
                var message = e.Message.ToMessage();
                message.Batchable = false;
                _link.SendMessageNoWait(message, new ArraySegment<byte>(tag), AmqpConstants.NullBinary);
                _next = e.SequenceNumber + 1;
            }
        }
    }
}
