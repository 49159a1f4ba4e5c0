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
        /// How deeply lists, maps and described values may nest. Each level of lists and maps costs a few stack frames,
        /// so a forged frame of nested headers must be refused before it exhausts the stack; real AMQP bodies nest a few levels.
        /// TooDeep's message spells the number out.
        /// </summary>
        internal const int MaxNesting = 32;

        // Every constructor ReadObject knows, as the character code + 0x100 (a string cannot hold U+0000, the described
        // constructor), at the index of its kind: one native IndexOf and a dense switch instead of a tree of compares.
        // Kinds 0-20 are fixed-width numbers of at most 8 bytes; from KindEncoded on, values are kept as their encoding.
        private const string Kinds =
            "\u0140\u0141\u0142\u0156" +            // 0 null, 1-3 true false boolean
            "\u0143\u0152\u0170\u0144\u0153\u0180" + // 4-6 uint0 smalluint uint, 7-9 ulong0 smallulong ulong
            "\u0150\u0160\u0151\u0161" +            // 10 ubyte, 11 ushort, 12 byte, 13 short
            "\u0154\u0171\u0155\u0181" +            // 14-15 smallint int, 16-17 smalllong long
            "\u0172\u0182\u0183\u0198" +            // 18 float, 19 double, 20 timestamp, 21 uuid
            "\u01a0\u01b0\u01a1\u01b1\u01a3\u01b3" + // 22-23 vbin8/32, 24-25 str8/32, 26-27 sym8/32
            "\u0145\u01c0\u01d0\u01c1\u01d1" +      // 28-30 list0 list8 list32, 31-32 map8 map32
            "\u0100\u0174\u0184\u0194\u0173\u01e0\u01f0"; // 33- described, decimal32/64/128, char, array8/32
        private const int KindUuid = 21;
        private const int KindEncoded = 33;

        /// <summary>Consumes a null constructor when one is next; returns whether it did.</summary>
        public static bool TryReadNull(ByteBuffer b)
        {
            if (b.PeekByte() != FormatCode.Null) return false;
            b.Offset++;
            return true;
        }

        public static bool ReadBoolean(ByteBuffer b) => Bool(ReadNumber(b, "boolean", FormatCode.BooleanTrue, FormatCode.BooleanFalse, FormatCode.Boolean));

        // A boolean's byte (or the 1 or 0 that ReadFixed gives true and false).
        private static bool Bool(ulong v)
        {
            if (v > 1) throw Error("boolean byte must be 0 or 1, was " + v);
            return v == 1;
        }

        public static uint ReadUInt(ByteBuffer b) => (uint)ReadNumber(b, "uint", FormatCode.UInt0, FormatCode.SmallUInt, FormatCode.UInt);

        public static ulong ReadULong(ByteBuffer b) => ReadNumber(b, "ulong", FormatCode.ULong0, FormatCode.SmallULong, FormatCode.ULong);

        public static byte ReadUByte(ByteBuffer b) => (byte)ReadNumber(b, "ubyte", FormatCode.UByte, FormatCode.UByte, FormatCode.UByte);

        public static ushort ReadUShort(ByteBuffer b) => (ushort)ReadNumber(b, "ushort", FormatCode.UShort, FormatCode.UShort, FormatCode.UShort);

        public static DateTime ReadTimestamp(ByteBuffer b) =>
            TryReadNull(b) ? DateTime.MinValue : Timestamp((long)ReadNumber(b, "timestamp", FormatCode.TimeStamp, FormatCode.TimeStamp, FormatCode.TimeStamp));

        // A number whose constructor is one of three (repeated when the type has fewer), or null as 0.
        private static ulong ReadNumber(ByteBuffer b, string type, byte code1, byte code2, byte code3)
        {
            byte code = b.ReadByte();
            if (code == FormatCode.Null) return 0;
            if (code != code1 && code != code2 && code != code3) throw Unexpected(type, code);
            return ReadFixed(b, code);
        }

        public static string ReadString(ByteBuffer b) => ReadText(b, ReadSizeOf(b, "string", FormatCode.String8));

        /// <summary>Reads a symbol's text (symbols are ASCII, so the UTF-8 reader covers them).</summary>
        public static string ReadSymbol(ByteBuffer b) => ReadText(b, ReadSizeOf(b, "symbol", FormatCode.Symbol8));

        public static byte[] ReadBinary(ByteBuffer b) => Copy(b, ReadSizeOf(b, "binary", FormatCode.Binary8), b.Offset);

        // Consumes null (returns -1) or the 8-bit (code8) or 32-bit (code8 + 0x10) form's constructor and size.
        private static int ReadSizeOf(ByteBuffer b, string type, byte code8)
        {
            byte code = b.ReadByte();
            if (code == FormatCode.Null) return -1;
            // code | 0x10 is the 32-bit form for either form (code8 has bit 4 clear), and only for them.
            if ((code | 0x10) != code8 + 0x10) throw Unexpected(type, code);
            return ReadSize(b, code == code8);
        }

        /// <summary>
        /// Reads a symbol or an array of symbols (the "multiple" fields of AMQP 1.0 1.3) as a string array.
        /// </summary>
        public static string[] ReadSymbols(ByteBuffer b)
        {
            byte code = b.PeekByte();
            if ((code | 0x10) != FormatCode.Array32)
            {
                return TryReadNull(b) ? null : new[] { ReadSymbol(b) };
            }
            b.ReadByte(); // the array constructor peeked
            string[] result = new string[ReadSizeAndCount(b, code == FormatCode.Array8, out int end)];
            code = b.ReadByte();
            if ((code | 0x10) != FormatCode.Symbol32) throw Unexpected("an array of symbols", code);
            for (int i = 0; i < result.Length; i++) result[i] = ReadText(b, ReadSize(b, code == FormatCode.Symbol8));
            CheckEnd(b, end, "array");
            return result;
        }

        /// <summary>Reads a map, or null.</summary>
        public static AmqpMap ReadMap(ByteBuffer b)
        {
            byte code = b.PeekByte();
            if ((code | 0x10) != FormatCode.Map32 && code != FormatCode.Null) throw Unexpected("map", code);
            return (AmqpMap)ReadObject(b);
        }

        /// <summary>
        /// Reads a list header and returns the element count; <paramref name="end"/> is where the list
        /// ends in the buffer, so a reader can skip fields it does not know.
        /// </summary>
        public static int ReadListHeader(ByteBuffer b, out int end)
        {
            byte code = b.ReadByte();
            end = b.Offset;
            if (code == FormatCode.List0) return 0;
            if ((code | 0x10) != FormatCode.List32) throw Unexpected("list", code);
            return ReadSizeAndCount(b, code == FormatCode.List8, out end);
        }

        // The size and count of a list, map or array (constructor consumed); end is where its body ends.
        private static int ReadSizeAndCount(ByteBuffer b, bool small, out int end)
        {
            int width = small ? 1 : 4;
            int size = ReadSize(b, small);
            if (size < width) throw NoCount(size);
            end = b.Offset + size;
            int count = (int)BigEndian.Read(b, width);
            // Each element takes at least one byte: a count larger than the body is a lie.
            // Unsigned, so a negative count fails the same test.
            if ((uint)count > (uint)(end - b.Offset)) throw AmqpException.Of(ErrorCode.DecodeError, "", count, " elements cannot fit a body of ", end - b.Offset, " bytes");
            return count;
        }

        /// <summary>Reads a descriptor and returns its numeric code; a symbolic descriptor is looked up by name.</summary>
        public static ulong ReadDescriptor(ByteBuffer b)
        {
            byte code = b.ReadByte();
            if (code != FormatCode.Described) throw Unexpected("described type", code);
            if ((b.PeekByte() | 0x10) == FormatCode.Symbol32)
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
            // walks them without using the stack; their depth is bounded all the same, as for the other composites.
            for (int depth = 0; code == FormatCode.Described; depth++)
            {
                if (depth >= MaxNesting) throw TooDeep();
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
            if (width < 0)
            {
                bool small = (code & 0x10) == 0;
                width = ReadSize(b, small);
                // A list, map or array body starts with its count.
                if (code >= FormatCode.List8 && width < (small ? 1 : 4)) throw NoCount(width);
            }
            b.Take(width);
        }

        /// <summary>
        /// Reads any value. Lists become object[], maps <see cref="AmqpMap"/>; decimals, chars, arrays and described
        /// values, which the device only carries, become <see cref="EncodedValue"/>.
        /// </summary>
        public static object ReadObject(ByteBuffer b) => ReadObject(b, 0);

        private static object ReadObject(ByteBuffer b, int depth)
        {
            if (depth > MaxNesting) throw TooDeep();
            byte code = b.ReadByte();
            int kind = Kinds.IndexOf((char)(code | 0x100));
            if (kind < 0) throw UnknownCode(code);
            if (kind >= KindEncoded) return ReadEncoded(b, b.Offset - 1);
            ulong v = kind < KindUuid ? ReadFixed(b, code) : 0;
            bool small = (code & 0x10) == 0;
            switch (kind)
            {
                case 0: return null;
                case 1:
                case 2:
                case 3: return Bool(v) ? BoxedTrue : BoxedFalse;
                case 4: return BoxedUInt0;
                case 5:
                case 6: return (uint)v;
                case 7: return BoxedULong0;
                case 8:
                case 9: return v;
                case 10: return (byte)v;
                case 11: return (ushort)v;
                case 12: return (sbyte)v;
                case 13: return (short)v;
                case 14: return (int)(sbyte)v;
                case 15: return (int)v;
                case 16: return (long)(sbyte)v;
                case 17: return (long)v;
                case 18: return FloatFromBits((uint)v);
                case 19: return BitConverter.Int64BitsToDouble((long)v);
                case 20: return Timestamp((long)v);
                case 21: return new Guid(SwapGuidBytes(b.Buffer, b.Take(16), new byte[16], 0));
                case 22:
                case 23: return Copy(b, ReadSize(b, small), b.Offset);
                case 24:
                case 25: return ReadText(b, ReadSize(b, small));
                case 26:
                case 27: return new Symbol(ReadText(b, ReadSize(b, small)));
                case 28: return new object[0];
                case 29:
                case 30:
                    object[] list = new object[ReadSizeAndCount(b, small, out int end)];
                    for (int i = 0; i < list.Length; i++) list[i] = ReadObject(b, depth + 1);
                    CheckEnd(b, end, "list");
                    return list;
                default:
                    return ReadMapBody(b, small, depth);
            }
        }

        private static AmqpMap ReadMapBody(ByteBuffer b, bool small, int depth)
        {
            int count = ReadSizeAndCount(b, small, out int end);
            if (count % 2 != 0) throw Error("map has an odd element count " + count);
            var map = new AmqpMap();
            for (; count > 0; count -= 2)
            {
                // A list or map key is kept as its encoding, so every key the index hashes is a scalar or bytes.
                byte k = b.PeekByte();
                object key = k == FormatCode.List0 || k >= FormatCode.List8 ? ReadEncoded(b, b.Offset) : ReadObject(b, depth + 1);
                // AMQP 1.0 1.6.23: a map's keys are unique. TryAdd finds a duplicate through the map's hash index
                // once it holds more than a few entries, so a large map decodes in linear time.
                if (!map.TryAdd(key, ReadObject(b, depth + 1))) throw Error(string.Concat("map has a duplicate key ", key));
            }
            CheckEnd(b, end, "map");
            return map;
        }

        // The whole encoding of the value that starts at start, bounds-checked by Skip.
        private static EncodedValue ReadEncoded(ByteBuffer b, int start)
        {
            b.Offset = start;
            Skip(b);
            return new EncodedValue(Copy(b, b.Offset - start, start));
        }

        private static void CheckEnd(ByteBuffer b, int end, string type)
        {
            if (b.Offset != end) throw Error(type + " body size does not match its elements");
        }

        // A size field (1 or 4 bytes), checked against the bytes left before anything is allocated for it.
        private static int ReadSize(ByteBuffer b, bool small)
        {
            ulong n = BigEndian.Read(b, small ? 1 : 4);
            if (n > (ulong)b.Length) throw AmqpException.Of(ErrorCode.DecodeError, "size ", (long)n, " runs past the ", b.Length, " bytes left");
            return (int)n;
        }

        // The n bytes next as text; null for n = -1 (ReadSizeOf's null).
        private static string ReadText(ByteBuffer b, int n) => n < 0 ? null : Utf8.Decode(b.Buffer, b.Take(n), n);

        // Copies n bytes from at, consuming up to at + n (Take checks they are there before the array is allocated);
        // null for n = -1 (ReadSizeOf's null). The size comes first so a caller can read it before the offset.
        private static byte[] Copy(ByteBuffer b, int n, int at)
        {
            if (n < 0) return null;
            b.Take(at + n - b.Offset);
            byte[] v = new byte[n];
            Array.Copy(b.Buffer, at, v, 0, n);
            return v;
        }

        // A fixed-width value of at most 8 bytes as a number; the zero-width constructors read as 1 (true) or 0.
        private static ulong ReadFixed(ByteBuffer b, byte code)
        {
            int width = FixedWidth(code);
            if (width < 0) throw UnknownCode(code);
            return width == 0 ? (code == FormatCode.BooleanTrue ? 1ul : 0ul) : BigEndian.Read(b, width);
        }

        // Width after a fixed-width constructor from its high nibble (0x4: 0, 0x5: 1, 0x6: 2 ... 0x9: 16), or -1 for variable widths.
        private static int FixedWidth(byte code)
        {
            int n = code >> 4;
            if (n < 4) throw UnknownCode(code);
            return n > 9 ? -1 : n == 4 ? 0 : 1 << (n - 5);
        }

        private static DateTime Timestamp(long ms)
        {
            // Range-check before scaling: ms * 10000 overflows long for |ms| above ~9.2e14 and would wrap into range.
            // The range is read from DateTime at run time: nanoFramework's DateTime spans 1601-3000, desktop .NET's 0001-9999.
            if (ms < UnixMs(DateTime.MinValue) || ms > UnixMs(DateTime.MaxValue)) throw Error("timestamp " + ms + " is out of range");
            return new DateTime(Encoder.EpochTicks + ms * TimeSpan.TicksPerMillisecond);
        }

        // Milliseconds from the epoch to d, by integer division (DateTime's bounds are whole milliseconds on either runtime).
        private static long UnixMs(DateTime d) => (d.Ticks - Encoder.EpochTicks) / TimeSpan.TicksPerMillisecond;

        // Through the host's byte order both ways, so the bits come out the same on either endianness.
        internal static float FloatFromBits(uint bits) => BitConverter.ToSingle(BitConverter.GetBytes(bits), 0);

        /// <summary>
        /// AMQP's uuid is the RFC 4122 byte order; <see cref="Guid.ToByteArray"/> stores the first three fields
        /// little-endian. The swap is its own inverse, so it serves both directions.
        /// </summary>
        internal static byte[] SwapGuidBytes(byte[] src, int from, byte[] dest, int at)
        {
            for (int i = 0; i < 16; i++) dest[at + (i < 4 ? 3 - i : i < 6 ? 9 - i : i < 8 ? 13 - i : i)] = src[from + i];
            return dest;
        }

        private static AmqpException NoCount(int size) => Error("size " + size + " leaves no room for the count");

        // The number is MaxNesting, spelled out so the message costs no formatting.
        private static AmqpException TooDeep() => Error("values nest deeper than 32 levels");

        private static AmqpException UnknownCode(byte code) => Error("unknown format code 0x" + code.ToString("X2"));

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
