// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
using System;
using IotHubAmqp.Device.Buffers;

namespace IotHubAmqp.Device.Types
{
    /// <summary>
    /// Reads AMQP 1.0 values (1.6). Typed readers accept every constructor of their type and null (returning
    /// the type's default); anything else, or a size that runs past the buffer, is <c>amqp:decode-error</c>.
    /// </summary>
    internal static class Decoder
    {
        // One shared box for each zero-width value: a frame of a thousand `true`s (one byte each on the wire)
        // decodes to a thousand references to one object instead of a thousand objects.
        private static readonly object BoxedTrue = true;
        private static readonly object BoxedFalse = false;
        private static readonly object BoxedUInt0 = 0u;
        private static readonly object BoxedULong0 = 0ul;

        /// <summary>
        /// How deeply lists, maps, arrays and described values may nest. Each level costs a few stack frames, so a
        /// forged frame of nested headers must be refused before it exhausts the stack; real AMQP bodies nest a few levels.
        /// </summary>
        internal const int MaxNesting = 32;

        // Millisecond range of an AMQP timestamp (1.6.18) that DateTime can hold, checked before scaling to ticks.
        // Read from DateTime at run time: nanoFramework's DateTime spans 1601-3000, desktop .NET's 0001-9999.
        private static readonly long MinTimestampMs = (DateTime.MinValue.Ticks - Encoder.EpochTicks) / TimeSpan.TicksPerMillisecond;
        private static readonly long MaxTimestampMs = (DateTime.MaxValue.Ticks - Encoder.EpochTicks) / TimeSpan.TicksPerMillisecond;

        /// <summary>Consumes a null constructor when one is next; returns whether it did.</summary>
        public static bool TryReadNull(ByteBuffer b)
        {
            if (b.PeekByte() != FormatCode.Null) return false;
            b.Offset++;
            return true;
        }

        public static bool ReadBoolean(ByteBuffer b)
        {
            byte code = b.ReadByte();
            switch (code)
            {
                case FormatCode.BooleanTrue: return true;
                case FormatCode.BooleanFalse: return false;
                case FormatCode.Null: return false;
                case FormatCode.Boolean:
                    byte v = b.ReadByte();
                    if (v > 1) throw Error("boolean byte must be 0 or 1, was " + v);
                    return v == 1;
                default: throw Unexpected("boolean", code);
            }
        }

        public static uint ReadUInt(ByteBuffer b)
        {
            byte code = b.ReadByte();
            switch (code)
            {
                case FormatCode.UInt0: return 0;
                case FormatCode.SmallUInt: return b.ReadByte();
                case FormatCode.UInt: return BigEndian.ReadUInt32(b);
                case FormatCode.Null: return 0;
                default: throw Unexpected("uint", code);
            }
        }

        public static ulong ReadULong(ByteBuffer b)
        {
            byte code = b.ReadByte();
            switch (code)
            {
                case FormatCode.ULong0: return 0;
                case FormatCode.SmallULong: return b.ReadByte();
                case FormatCode.ULong: return BigEndian.ReadUInt64(b);
                case FormatCode.Null: return 0;
                default: throw Unexpected("ulong", code);
            }
        }

        public static byte ReadUByte(ByteBuffer b)
        {
            byte code = b.ReadByte();
            if (code == FormatCode.UByte) return b.ReadByte();
            if (code == FormatCode.Null) return 0;
            throw Unexpected("ubyte", code);
        }

        public static ushort ReadUShort(ByteBuffer b)
        {
            byte code = b.ReadByte();
            if (code == FormatCode.UShort) return BigEndian.ReadUInt16(b);
            if (code == FormatCode.Null) return 0;
            throw Unexpected("ushort", code);
        }

        public static DateTime ReadTimestamp(ByteBuffer b)
        {
            byte code = b.ReadByte();
            if (code == FormatCode.Null) return DateTime.MinValue;
            if (code != FormatCode.TimeStamp) throw Unexpected("timestamp", code);
            return Timestamp((long)BigEndian.ReadUInt64(b));
        }

        public static string ReadString(ByteBuffer b)
        {
            byte code = b.ReadByte();
            if (code == FormatCode.Null) return null;
            if (code != FormatCode.String8 && code != FormatCode.String32) throw Unexpected("string", code);
            return ReadText(b, code == FormatCode.String8);
        }

        /// <summary>Reads a symbol's text (symbols are ASCII, so the UTF-8 reader covers them).</summary>
        public static string ReadSymbol(ByteBuffer b)
        {
            byte code = b.ReadByte();
            if (code == FormatCode.Null) return null;
            if (code != FormatCode.Symbol8 && code != FormatCode.Symbol32) throw Unexpected("symbol", code);
            return ReadText(b, code == FormatCode.Symbol8);
        }

        public static byte[] ReadBinary(ByteBuffer b)
        {
            byte code = b.ReadByte();
            if (code == FormatCode.Null) return null;
            if (code != FormatCode.Binary8 && code != FormatCode.Binary32) throw Unexpected("binary", code);
            return Copy(b, ReadSize(b, code == FormatCode.Binary8));
        }

        /// <summary>
        /// Reads a symbol or an array of symbols (the "multiple" fields of AMQP 1.0 1.3) as a string array.
        /// </summary>
        public static string[] ReadSymbols(ByteBuffer b)
        {
            byte code = b.PeekByte();
            if (code == FormatCode.Null) { b.Offset++; return null; }
            if (code == FormatCode.Symbol8 || code == FormatCode.Symbol32) return new[] { ReadSymbol(b) };
            object v = ReadObject(b);
            if (!(v is AmqpArray a)) throw Error("expected a symbol or an array of symbols");
            string[] result = new string[a.Items.Length];
            for (int i = 0; i < result.Length; i++)
            {
                if (!(a.Items[i] is Symbol s)) throw Error("expected an array of symbols");
                result[i] = s.Value;
            }
            return result;
        }

        /// <summary>Reads a map, or null.</summary>
        public static AmqpMap ReadMap(ByteBuffer b)
        {
            byte code = b.PeekByte();
            if (code == FormatCode.Null) { b.Offset++; return null; }
            if (code != FormatCode.Map8 && code != FormatCode.Map32) throw Unexpected("map", code);
            return (AmqpMap)ReadObject(b);
        }

        /// <summary>
        /// Reads a list header and returns the element count; <paramref name="end"/> is where the list
        /// ends in the buffer, so a reader can skip fields it does not know.
        /// </summary>
        public static int ReadListHeader(ByteBuffer b, out int end)
        {
            byte code = b.ReadByte();
            switch (code)
            {
                case FormatCode.List0:
                    end = b.Offset;
                    return 0;
                case FormatCode.List8:
                case FormatCode.List32:
                    return ReadListSizeAndCount(b, code == FormatCode.List8, out end);
                default:
                    throw Unexpected("list", code);
            }
        }

        /// <summary>Reads a list8/list32 size and count (the constructor already consumed, as in an array element).</summary>
        private static int ReadListSizeAndCount(ByteBuffer b, bool small, out int end)
        {
            int size = ReadSize(b, small);
            CheckSize(b, size, small ? 1 : 4);
            end = b.Offset + size;
            int count = small ? b.ReadByte() : (int)BigEndian.ReadUInt32(b);
            // Each element takes at least one byte: a count larger than the body is a lie.
            if (count < 0 || count > end - b.Offset) throw Error("list count " + count + " exceeds its " + (end - b.Offset) + "-byte body");
            return count;
        }

        /// <summary>Reads a descriptor and returns its numeric code; a symbolic descriptor is looked up by name.</summary>
        public static ulong ReadDescriptor(ByteBuffer b)
        {
            byte code = b.ReadByte();
            if (code != FormatCode.Described) throw Unexpected("described type", code);
            byte next = b.PeekByte();
            if (next == FormatCode.Symbol8 || next == FormatCode.Symbol32)
            {
                string name = ReadSymbol(b);
                ulong c = Descriptor.CodeOf(name);
                if (c == 0) throw Error("unknown descriptor " + name);
                return c;
            }
            return ReadULong(b);
        }

        /// <summary>Skips one encoded value of any type without allocating or recursing.</summary>
        public static void Skip(ByteBuffer b)
        {
            byte code = b.ReadByte();
            // Described values nest only through their value (1.2: a descriptor is never itself described), so a loop
            // walks any depth of them without using the stack.
            while (code == FormatCode.Described)
            {
                byte descriptor = b.ReadByte();
                if (descriptor == FormatCode.Described) throw Error("a descriptor cannot itself be described");
                SkipBody(b, descriptor);
                code = b.ReadByte();
            }
            SkipBody(b, code);
        }

        // The width category is the constructor's high nibble (1.2), so even unassigned codes can be skipped.
        private static void SkipBody(ByteBuffer b, byte code)
        {
            int width = FixedWidth(code);
            if (width >= 0)
            {
                b.Take(width);
                return;
            }
            int size = ReadSize(b, (code & 0xF0) == 0xA0 || (code & 0xF0) == 0xC0 || (code & 0xF0) == 0xE0);
            b.Take(size);
        }

        /// <summary>Reads any value. Lists become object[], arrays <see cref="AmqpArray"/>, maps <see cref="AmqpMap"/>.</summary>
        public static object ReadObject(ByteBuffer b) => ReadObject(b, 0);

        /// <summary>Reads any value nested <paramref name="depth"/> levels inside composites.</summary>
        internal static object ReadObject(ByteBuffer b, int depth)
        {
            if (depth > MaxNesting) throw Error("values nest deeper than " + MaxNesting + " levels");
            byte code = b.ReadByte();
            if (code == FormatCode.Described)
            {
                // AMQP 1.0 1.2: a descriptor is a ulong or a symbol, never itself described.
                if (b.PeekByte() == FormatCode.Described) throw Error("a descriptor cannot itself be described");
                object descriptor = ReadObject(b, depth + 1);
                return new DescribedValue(descriptor, ReadObject(b, depth + 1));
            }
            return ReadValue(b, code, false, depth);
        }

        /// <summary>Reads the value that follows constructor <paramref name="code"/>.</summary>
        internal static object ReadValue(ByteBuffer b, byte code, bool inArray) => ReadValue(b, code, inArray, 0);

        /// <summary>
        /// Reads the value that follows constructor <paramref name="code"/>, at nesting <paramref name="depth"/>.
        /// Array elements (<paramref name="inArray"/>) share one constructor, so none precedes the value here either way.
        /// </summary>
        internal static object ReadValue(ByteBuffer b, byte code, bool inArray, int depth)
        {
            switch (code)
            {
                case FormatCode.Null: return null;
                case FormatCode.BooleanTrue: return BoxedTrue;
                case FormatCode.BooleanFalse: return BoxedFalse;
                case FormatCode.Boolean:
                    byte bv = b.ReadByte();
                    if (bv > 1) throw Error("boolean byte must be 0 or 1, was " + bv);
                    return bv == 1 ? BoxedTrue : BoxedFalse;
                case FormatCode.UByte: return b.ReadByte();
                case FormatCode.UShort: return BigEndian.ReadUInt16(b);
                case FormatCode.UInt0: return BoxedUInt0;
                case FormatCode.SmallUInt: return (uint)b.ReadByte();
                case FormatCode.UInt: return BigEndian.ReadUInt32(b);
                case FormatCode.ULong0: return BoxedULong0;
                case FormatCode.SmallULong: return (ulong)b.ReadByte();
                case FormatCode.ULong: return BigEndian.ReadUInt64(b);
                case FormatCode.Byte: return (sbyte)b.ReadByte();
                case FormatCode.Short: return (short)BigEndian.ReadUInt16(b);
                case FormatCode.SmallInt: return (int)(sbyte)b.ReadByte();
                case FormatCode.Int: return (int)BigEndian.ReadUInt32(b);
                case FormatCode.SmallLong: return (long)(sbyte)b.ReadByte();
                case FormatCode.Long: return (long)BigEndian.ReadUInt64(b);
                case FormatCode.Float: return FloatFromBits(BigEndian.ReadUInt32(b));
                case FormatCode.Double: return BitConverter.Int64BitsToDouble((long)BigEndian.ReadUInt64(b));
                case FormatCode.Decimal32: return new AmqpDecimal(Copy(b, 4));
                case FormatCode.Decimal64: return new AmqpDecimal(Copy(b, 8));
                case FormatCode.Decimal128: return new AmqpDecimal(Copy(b, 16));
                case FormatCode.Char:
                    uint cp = BigEndian.ReadUInt32(b);
                    // UTF-32 carries Unicode scalar values only: no surrogates, nothing above U+10FFFF.
                    if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) throw Error("char 0x" + cp.ToString("X") + " is not a Unicode scalar value");
                    if (cp > 0xFFFF) throw new AmqpException(ErrorCode.NotImplemented, "char U+" + cp.ToString("X") + " is outside the Basic Multilingual Plane");
                    return (char)cp;
                case FormatCode.TimeStamp: return Timestamp((long)BigEndian.ReadUInt64(b));
                case FormatCode.Uuid: return GuidFromNetworkOrder(b.Buffer, b.Take(16));
                case FormatCode.Binary8:
                case FormatCode.Binary32:
                    return Copy(b, ReadSize(b, code == FormatCode.Binary8));
                case FormatCode.String8:
                case FormatCode.String32:
                    return ReadText(b, code == FormatCode.String8);
                case FormatCode.Symbol8:
                case FormatCode.Symbol32:
                    return new Symbol(ReadText(b, code == FormatCode.Symbol8));
                case FormatCode.List0: return new object[0];
                case FormatCode.List8:
                case FormatCode.List32:
                    int count = ReadListSizeAndCount(b, code == FormatCode.List8, out int end);
                    object[] list = new object[count];
                    for (int i = 0; i < count; i++) list[i] = ReadObject(b, depth + 1);
                    if (b.Offset != end) throw Error("list body size does not match its elements");
                    return list;
                case FormatCode.Map8:
                case FormatCode.Map32:
                    return ReadMapBody(b, code == FormatCode.Map8, depth);
                case FormatCode.Array8:
                case FormatCode.Array32:
                    return ArrayCodec.Read(b, code == FormatCode.Array8, depth);
                default:
                    throw Error("unknown format code 0x" + code.ToString("X2"));
            }
        }

        private static AmqpMap ReadMapBody(ByteBuffer b, bool small, int depth)
        {
            int size = ReadSize(b, small);
            CheckSize(b, size, small ? 1 : 4);
            int end = b.Offset + size;
            int count = small ? b.ReadByte() : (int)BigEndian.ReadUInt32(b);
            if (count < 0 || count % 2 != 0) throw Error("map has an invalid element count " + count);
            if (count > end - b.Offset) throw Error("map count " + count + " exceeds its body");
            var map = new AmqpMap();
            for (int i = 0; i < count; i += 2)
            {
                // AMQP 1.0 1.6.23: a map's keys are unique. TryAdd finds a duplicate through the map's hash index
                // once it holds more than a few entries, so a large map decodes in linear time.
                object key = ReadObject(b, depth + 1);
                if (!map.TryAdd(key, ReadObject(b, depth + 1))) throw Error("map has a duplicate key " + key);
            }
            if (b.Offset != end) throw Error("map body size does not match its elements");
            return map;
        }

        internal static int ReadSize(ByteBuffer b, bool small)
        {
            if (small) return b.ReadByte();
            uint n = BigEndian.ReadUInt32(b);
            if (n > int.MaxValue) throw Error("size " + n + " is too large");
            return (int)n;
        }

        private static void CheckSize(ByteBuffer b, int size, int countWidth)
        {
            if (size < countWidth || size > b.Length) throw Error("size " + size + " runs past the end (" + b.Length + " left)");
        }

        private static string ReadText(ByteBuffer b, bool small)
        {
            int n = ReadSize(b, small);
            return Utf8.Decode(b.Buffer, b.Take(n), n);
        }

        private static byte[] Copy(ByteBuffer b, int n)
        {
            // Take checks the size against the bytes present before the array is allocated.
            int at = b.Take(n);
            byte[] v = new byte[n];
            Array.Copy(b.Buffer, at, v, 0, n);
            return v;
        }

        /// <summary>Width of a fixed-width value after its constructor, or -1 for variable-width types.</summary>
        internal static int FixedWidth(byte code)
        {
            switch (code >> 4)
            {
                case 0x4: return 0;
                case 0x5: return 1;
                case 0x6: return 2;
                case 0x7: return 4;
                case 0x8: return 8;
                case 0x9: return 16;
                case 0xA: case 0xB: case 0xC: case 0xD: case 0xE: case 0xF: return -1;
                default: throw Error("unknown format code 0x" + code.ToString("X2"));
            }
        }

        internal static DateTime Timestamp(long ms)
        {
            // Range-check before scaling: ms * 10000 overflows long for |ms| above ~9.2e14 and would wrap into range.
            if (ms < MinTimestampMs || ms > MaxTimestampMs) throw Error("timestamp " + ms + " is out of range");
            return new DateTime(Encoder.EpochTicks + ms * TimeSpan.TicksPerMillisecond);
        }

        internal static float FloatFromBits(uint bits)
        {
            byte[] x = Encoder.LittleEndianHost
                ? new[] { (byte)bits, (byte)(bits >> 8), (byte)(bits >> 16), (byte)(bits >> 24) }
                : new[] { (byte)(bits >> 24), (byte)(bits >> 16), (byte)(bits >> 8), (byte)bits };
            return BitConverter.ToSingle(x, 0);
        }

        internal static Guid GuidFromNetworkOrder(byte[] a, int at)
        {
            byte[] raw = new byte[16];
            raw[0] = a[at + 3]; raw[1] = a[at + 2]; raw[2] = a[at + 1]; raw[3] = a[at];
            raw[4] = a[at + 5]; raw[5] = a[at + 4];
            raw[6] = a[at + 7]; raw[7] = a[at + 6];
            Array.Copy(a, at + 8, raw, 8, 8);
            return new Guid(raw);
        }

        internal static AmqpException Unexpected(string type, byte code)
        {
            return Error("expected " + type + ", found format code 0x" + code.ToString("X2"));
        }

        internal static AmqpException Error(string description)
        {
            return new AmqpException(ErrorCode.DecodeError, description);
        }
    }
}
