using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace IotHubAmqp.LocalHub.Web;

/// <summary>
/// The JSON shapes the page gets. Device-supplied text is cut to a limit here (the page escapes it when it shows it,
/// with textContent), and reasons are scrubbed of anything that looks like a key or a token.
/// </summary>
internal static partial class WebViews
{
    /// <summary>Body bytes shown as text, and as hex when the body is not text.</summary>
    public const int MaxBodyBytes = 4096, MaxHexBytes = 1024;
    public const int MaxValueChars = 256, MaxProperties = 64, MaxReasonChars = 512;

    public static JsonObject Telemetry(ReceivedTelemetry t, IReadOnlyList<KeyValuePair<string, object?>> annotations)
    {
        var o = new JsonObject
        {
            ["deviceId"] = t.DeviceId,
            ["moduleId"] = t.ModuleId,
            ["partition"] = t.Partition,
            ["sequenceNumber"] = t.SequenceNumber,
            ["enqueuedTime"] = t.EnqueuedTime.ToString("O"),
            ["fromBatch"] = t.FromBatch,
            ["bodyLength"] = t.Body.Length,
            ["properties"] = Map(t.Properties),
            ["applicationProperties"] = Map(t.ApplicationProperties),
            ["annotations"] = Map(annotations),
        };
        // Only the head of the body is looked at: the hub's hot path must not decode 256 KB per message for a page.
        var head = t.Body.AsSpan(0, Math.Min(t.Body.Length, MaxBodyBytes));
        if (AsText(head, head.Length < t.Body.Length) is { } text)
        {
            var cut = head.Length < t.Body.Length;
            o["bodyText"] = cut ? text + "…" : text;
            o["truncated"] = cut;
        }
        else
        {
            o["bodyHex"] = Convert.ToHexString(t.Body, 0, Math.Min(t.Body.Length, MaxHexBytes));
            o["truncated"] = t.Body.Length > MaxHexBytes;
        }
        return o;
    }

    /// <summary>
    /// The bytes as text when they are valid UTF-8 without control characters other than tab and line ends; a head
    /// cut from a longer body may end inside a character, which is dropped.
    /// </summary>
    internal static string? AsText(ReadOnlySpan<byte> bytes, bool cutHead)
    {
        var chars = new char[bytes.Length];
        var status = System.Text.Unicode.Utf8.ToUtf16(bytes, chars, out _, out var written, replaceInvalidSequences: false, isFinalBlock: !cutHead);
        if (status is not (System.Buffers.OperationStatus.Done or System.Buffers.OperationStatus.NeedMoreData)) return null;
        foreach (var c in chars.AsSpan(0, written)) if (char.IsControl(c) && c is not ('\t' or '\r' or '\n')) return null;
        return new string(chars, 0, written);
    }

    private static JsonObject Map(IEnumerable<KeyValuePair<string, object?>> map)
    {
        var o = new JsonObject();
        foreach (var kv in map)
        {
            if (o.Count >= MaxProperties) { o["…"] = "more properties not shown"; break; }
            var key = Cut(kv.Key, MaxValueChars)!;
            if (!o.ContainsKey(key)) o[key] = Cut(Format(kv.Value), MaxValueChars);
        }
        return o;
    }

    internal static string? Format(object? value) => value switch
    {
        null => null,
        DateTime d => DateTime.SpecifyKind(d, DateTimeKind.Utc).ToString("O", CultureInfo.InvariantCulture),
        DateTimeOffset d => d.ToString("O", CultureInfo.InvariantCulture),
        byte[] b => "0x" + Convert.ToHexString(b, 0, Math.Min(b.Length, MaxValueChars / 2)),
        ArraySegment<byte> s => "0x" + Convert.ToHexString(s.AsSpan(0, Math.Min(s.Count, MaxValueChars / 2))),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString(),
    };

    /// <summary>At most <paramref name="max"/> characters, with an ellipsis when cut.</summary>
    public static string? Cut(string? text, int max) => text is null || text.Length <= max ? text : text[..max] + "…";

    public static JsonObject Event(HubEvent e) => new()
    {
        ["time"] = e.Time.ToString("O"),
        ["kind"] = e.Kind.ToString(),
        ["connectionId"] = e.ConnectionId,
        ["deviceId"] = Cut(e.DeviceId, MaxValueChars),
        ["address"] = Cut(e.Address, MaxValueChars),
        ["reason"] = Cut(Redact(e.Reason), MaxReasonChars),
    };

    public static JsonObject Refusal(DateTimeOffset time, string kind, long connectionId, string? deviceId, string? address, string? reason)
    {
        var clean = Redact(reason);
        return new JsonObject
        {
            ["time"] = time.ToString("O"),
            ["kind"] = kind,
            ["connectionId"] = connectionId,
            ["deviceId"] = Cut(deviceId, MaxValueChars),
            ["address"] = Cut(address, MaxValueChars),
            ["condition"] = Condition(clean),
            ["reason"] = Cut(clean, MaxReasonChars),
        };
    }

    /// <summary>The AMQP condition at the start of a described error ("amqp:unauthorized-access: ..."), else null.</summary>
    internal static string? Condition(string? reason)
    {
        if (reason is null) return null;
        var m = ConditionPattern().Match(reason);
        return m.Success ? m.Value : null;
    }

    /// <summary>Hides SAS signatures, shared access keys and whole tokens: reasons may quote what a client sent.</summary>
    internal static string? Redact(string? text)
    {
        if (text is null) return null;
        text = TokenPattern().Replace(text, "SharedAccessSignature [redacted]");
        text = SigPattern().Replace(text, "$1[redacted]");
        return KeyPattern().Replace(text, "$1[redacted]");
    }

    [GeneratedRegex(@"^(amqp|com\.microsoft)[:\w.\-]*[\w\-]")]
    private static partial Regex ConditionPattern();
    [GeneratedRegex(@"SharedAccessSignature\s+\S+", RegexOptions.IgnoreCase)]
    private static partial Regex TokenPattern();
    [GeneratedRegex(@"(\bsig=)[^&\s;]+", RegexOptions.IgnoreCase)]
    private static partial Regex SigPattern();
    [GeneratedRegex(@"(SharedAccessKey=)[^;\s]+", RegexOptions.IgnoreCase)]
    private static partial Regex KeyPattern();
}
