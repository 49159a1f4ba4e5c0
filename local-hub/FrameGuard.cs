using System.Buffers;
using System.Buffers.Binary;

namespace IotHubAmqp.LocalHub;

/// <summary>
/// Checks each AMQP frame before Microsoft.Azure.Amqp decodes it. The library's decoder recurses once
/// per described value, so a frame of deeply nested described values overflows the stack and kills the
/// process; this scan walks the same bytes with an explicit stack and refuses such frames first. It also
/// refuses frame headers the library would skip (a data offset outside the frame).
/// </summary>
internal sealed class FrameGuard
{
    /// <summary>Nesting depth allowed (lists, maps, described values). Real clients stay under 10.</summary>
    public const int MaxDepth = 64;
    private readonly uint _maxFrameSize;
    private readonly byte[] _header = new byte[8];
    private int _headerFilled;
    private byte[]? _frame;
    private int _frameSize;
    private int _frameFilled;

    public FrameGuard(uint maxFrameSize) => _maxFrameSize = maxFrameSize;

    /// <summary>Feeds received bytes; returns an error text when a frame completed in them is refused.</summary>
    public string? Feed(ReadOnlySpan<byte> bytes)
    {
        while (!bytes.IsEmpty)
        {
            if (_headerFilled < 8)
            {
                var n = Math.Min(8 - _headerFilled, bytes.Length);
                bytes[..n].CopyTo(_header.AsSpan(_headerFilled));
                _headerFilled += n;
                bytes = bytes[n..];
                if (_headerFilled < 8) return null;
                var size = BinaryPrimitives.ReadUInt32BigEndian(_header);
                var doff = _header[4];
                if (size < 8 || size > _maxFrameSize) return $"Frame size {size} is outside 8..{_maxFrameSize}.";
                if (doff < 2 || doff * 4u > size) return $"Data offset {doff} does not fit a frame of {size} bytes.";
                _frameSize = (int)size;
                _frameFilled = 8;
                _frame = ArrayPool<byte>.Shared.Rent(_frameSize);
                _header.CopyTo(_frame, 0);
            }
            var take = Math.Min(_frameSize - _frameFilled, bytes.Length);
            bytes[..take].CopyTo(_frame.AsSpan(_frameFilled));
            _frameFilled += take;
            bytes = bytes[take..];
            if (_frameFilled < _frameSize) return null;
            var error = ScanFrame(_frame.AsSpan(_header[4] * 4, _frameSize - _header[4] * 4),
                BinaryPrimitives.ReadUInt16BigEndian(_header.AsSpan(6)));
            ArrayPool<byte>.Shared.Return(_frame!);
            _frame = null;
            _headerFilled = 0;
            if (error is not null) return error;
        }
        return null;
    }

    // Payload of multi-frame deliveries, by (channel, handle): scanned whole when the last frame arrives,
    // because a value may span frames. The library refuses messages past the link's max size anyway.
    private readonly Dictionary<(ushort, uint), MemoryStream> _partial = new();
    private const int MaxPartialBytes = 1024 * 1024;

    private string? ScanFrame(ReadOnlySpan<byte> body, ushort channel)
    {
        var isTransfer = body.Length >= 3 && body[0] == 0x00 && body[1] == 0x53 && body[2] == 0x14;
        if (!isTransfer) return ScanBody(body);
        var performativeError = ScanBody(body, oneValue: true, out var length);
        if (performativeError is not null) return performativeError;
        if (length < 0) return "Transfer performative cut off.";
        // Depth is bounded now, so the library may decode the performative.
        var bytes = body[..length].ToArray();
        if (Microsoft.Azure.Amqp.AmqpCodec.DecodeAmqpDescribed(new Microsoft.Azure.Amqp.ByteBuffer(bytes, 0, bytes.Length))
            is not Microsoft.Azure.Amqp.Framing.Transfer transfer) return "Malformed transfer.";
        var key = (channel, transfer.Handle ?? 0);
        var payload = body[length..];
        var more = transfer.More == true && transfer.Aborted != true;
        if (!_partial.TryGetValue(key, out var pending))
        {
            if (!more) return ScanBody(payload);
            _partial[key] = pending = new MemoryStream();
        }
        if (pending.Length + payload.Length > MaxPartialBytes) return "Delivery too large.";
        pending.Write(payload);
        if (more) return null;
        _partial.Remove(key);
        return transfer.Aborted == true ? null : ScanBody(pending.GetBuffer().AsSpan(0, (int)pending.Length));
    }

    internal static string? ScanBody(ReadOnlySpan<byte> body) => ScanBody(body, false, out _);

    /// <summary>
    /// Walks a frame body (performative and payload) as a sequence of encoded values. A value cut off at the
    /// end of the frame (a message split over transfers) ends the walk: the rest is in the next frame.
    /// </summary>
    internal static string? ScanBody(ReadOnlySpan<byte> body, bool oneValue, out int length)
    {
        length = -1;
        // Each entry: values still to read at that level. The bottom level is unbounded.
        Span<int> remaining = stackalloc int[MaxDepth + 2];
        var depth = 0;
        remaining[0] = int.MaxValue;
        var pos = 0;
        while (pos < body.Length)
        {
            while (depth > 0 && remaining[depth] == 0) depth--;
            if (oneValue && depth == 0 && remaining[0] != int.MaxValue) { length = pos; return null; }
            remaining[depth]--;
            var code = body[pos++];
            int open; // values in a new nested level; -1 = none
            switch (code >> 4)
            {
                case 0x0:
                    if (code != 0x00) return $"Unknown type code 0x{code:x2}.";
                    open = 2; // descriptor, then the value
                    break;
                case 0x4: open = -1; break;
                case 0x5: pos += 1; open = -1; break;
                case 0x6: pos += 2; open = -1; break;
                case 0x7: pos += 4; open = -1; break;
                case 0x8: pos += 8; open = -1; break;
                case 0x9: pos += 16; open = -1; break;
                case 0xA:
                    if (pos + 1 > body.Length) return null;
                    pos += 1 + body[pos]; open = -1; break;
                case 0xB:
                    if (pos + 4 > body.Length) return null;
                    pos += 4 + (int)Math.Min(BinaryPrimitives.ReadUInt32BigEndian(body[pos..]), int.MaxValue / 2); open = -1; break;
                case 0xC:
                    if (pos + 2 > body.Length) return null;
                    open = body[pos + 1]; pos += 2; break;
                case 0xD:
                    if (pos + 8 > body.Length) return null;
                    open = (int)Math.Min(BinaryPrimitives.ReadUInt32BigEndian(body[(pos + 4)..]), int.MaxValue / 2); pos += 8; break;
                case 0xE:
                case 0xF:
                {
                    var wide = code >> 4 == 0xF;
                    var head = wide ? 8 : 2;
                    if (pos + head + 1 > body.Length) return null;
                    var size = wide ? (int)Math.Min(BinaryPrimitives.ReadUInt32BigEndian(body[pos..]), int.MaxValue / 2) : body[pos];
                    var element = body[pos + head];
                    // Arrays of described, compound or array elements decode recursively: clients never send them.
                    if (element == 0x00 || element >> 4 is 0xC or 0xD or 0xE or 0xF)
                        return $"Arrays of type 0x{element:x2} are not accepted.";
                    pos += (wide ? 4 : 1) + size;
                    open = -1;
                    break;
                }
                default: return $"Unknown type code 0x{code:x2}.";
            }
            if (open < 0) continue;
            if (code >> 4 is 0xC or 0xD && code is not (0xC0 or 0xD0 or 0xC1 or 0xD1))
                return $"Unknown type code 0x{code:x2}.";
            if (open == 0) continue;
            if (++depth > MaxDepth) return $"Values nested deeper than {MaxDepth} are not accepted.";
            remaining[depth] = open;
        }
        while (depth > 0 && remaining[depth] == 0) depth--;
        if (oneValue && depth == 0 && remaining[0] != int.MaxValue && pos <= body.Length) length = pos;
        return null;
    }
}
