// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
using System;
using System.Collections;
using IotHubAmqp.Device.Buffers;

namespace IotHubAmqp.Device.Types
{
    /// <summary>
    /// Writes AMQP 1.0 values (1.6) into a <see cref="ByteBuffer"/>, always picking the most compact
    /// constructor (uint0, smalluint, list0, vbin8, str8, sym8...). A null reference is written as null.
    /// </summary>
    internal static class Encoder
    {
        // Ticks between 0001-01-01 and the Unix epoch: AMQP timestamps count milliseconds from the epoch (1.6.18).
        internal const long EpochTicks = 621355968000000000L;

        // BitConverter.IsLittleEndian is a field on .NET but a property on nanoFramework, so IL compiled against
        // one fails on the other (MissingMethodException on desktop): probe the byte order once instead.
        internal static readonly bool LittleEndianHost = BitConverter.GetBytes(1)[0] == 1;

        public static void WriteNull(ByteBuffer b) => b.WriteByte(FormatCode.Null);

        public static void WriteBoolean(ByteBuffer b, bool v) => b.WriteByte(v ? FormatCode.BooleanTrue : FormatCode.BooleanFalse);

        public static void WriteUByte(ByteBuffer b, byte v)
        {
            int at = b.Reserve(2);
            b.Buffer[at] = FormatCode.UByte;
            b.Buffer[at + 1] = v;
        }

        public static void WriteUShort(ByteBuffer b, ushort v)
        {
            b.WriteByte(FormatCode.UShort);
            BigEndian.WriteUInt16(b, v);
        }

        public static void WriteUInt(ByteBuffer b, uint v)
        {
            if (v == 0)
            {
                b.WriteByte(FormatCode.UInt0);
            }
            else if (v <= 0xFF)
            {
                int at = b.Reserve(2);
                b.Buffer[at] = FormatCode.SmallUInt;
                b.Buffer[at + 1] = (byte)v;
            }
            else
            {
                b.WriteByte(FormatCode.UInt);
                BigEndian.WriteUInt32(b, v);
            }
        }

        public static void WriteULong(ByteBuffer b, ulong v)
        {
            if (v == 0)
            {
                b.WriteByte(FormatCode.ULong0);
            }
            else if (v <= 0xFF)
            {
                int at = b.Reserve(2);
                b.Buffer[at] = FormatCode.SmallULong;
                b.Buffer[at + 1] = (byte)v;
            }
            else
            {
                b.WriteByte(FormatCode.ULong);
                BigEndian.WriteUInt64(b, v);
            }
        }

        public static void WriteByte(ByteBuffer b, sbyte v)
        {
            int at = b.Reserve(2);
            b.Buffer[at] = FormatCode.Byte;
            b.Buffer[at + 1] = (byte)v;
        }

        public static void WriteShort(ByteBuffer b, short v)
        {
            b.WriteByte(FormatCode.Short);
            BigEndian.WriteUInt16(b, (ushort)v);
        }

        public static void WriteInt(ByteBuffer b, int v)
        {
            if (v >= -128 && v <= 127)
            {
                int at = b.Reserve(2);
                b.Buffer[at] = FormatCode.SmallInt;
                b.Buffer[at + 1] = (byte)(sbyte)v;
            }
            else
            {
                b.WriteByte(FormatCode.Int);
                BigEndian.WriteUInt32(b, (uint)v);
            }
        }

        public static void WriteLong(ByteBuffer b, long v)
        {
            if (v >= -128 && v <= 127)
            {
                int at = b.Reserve(2);
                b.Buffer[at] = FormatCode.SmallLong;
                b.Buffer[at + 1] = (byte)(sbyte)v;
            }
            else
            {
                b.WriteByte(FormatCode.Long);
                BigEndian.WriteUInt64(b, (ulong)v);
            }
        }

        public static void WriteFloat(ByteBuffer b, float v)
        {
            b.WriteByte(FormatCode.Float);
            BigEndian.WriteUInt32(b, FloatBits(v));
        }

        public static void WriteDouble(ByteBuffer b, double v)
        {
            b.WriteByte(FormatCode.Double);
            BigEndian.WriteUInt64(b, (ulong)BitConverter.DoubleToInt64Bits(v));
        }

        public static void WriteDecimal(ByteBuffer b, AmqpDecimal v)
        {
            if (v == null) { WriteNull(b); return; }
            byte code = v.Bytes.Length == 4 ? FormatCode.Decimal32 : v.Bytes.Length == 8 ? FormatCode.Decimal64 : FormatCode.Decimal128;
            b.WriteByte(code);
            b.WriteBytes(v.Bytes, 0, v.Bytes.Length);
        }

        /// <summary>AMQP char is a UTF-32 code point; a .NET char holds the Basic Multilingual Plane.</summary>
        public static void WriteChar(ByteBuffer b, char v)
        {
            // A lone UTF-16 surrogate is not a Unicode scalar value, so it has no UTF-32 form (AMQP 1.0 1.6.16).
            if (v >= 0xD800 && v <= 0xDFFF) throw new AmqpException(ErrorCode.InvalidField, "char U+" + ((int)v).ToString("X4") + " is a surrogate");
            b.WriteByte(FormatCode.Char);
            BigEndian.WriteUInt32(b, v);
        }

        public static void WriteTimestamp(ByteBuffer b, DateTime v)
        {
            // Floor to whole milliseconds, so an instant before the epoch never rounds up past it.
            long ticks = v.Ticks - EpochTicks;
            long ms = ticks / TimeSpan.TicksPerMillisecond;
            if (ticks % TimeSpan.TicksPerMillisecond < 0) ms--;
            b.WriteByte(FormatCode.TimeStamp);
            BigEndian.WriteUInt64(b, (ulong)ms);
        }

        public static void WriteUuid(ByteBuffer b, Guid v)
        {
            b.WriteByte(FormatCode.Uuid);
            int at = b.Reserve(16);
            GuidToNetworkOrder(v, b.Buffer, at);
        }

        public static void WriteBinary(ByteBuffer b, byte[] v)
        {
            if (v == null) WriteNull(b);
            else WriteBinary(b, v, 0, v.Length);
        }

        public static void WriteBinary(ByteBuffer b, byte[] v, int offset, int count)
        {
            WriteBinaryHeader(b, count);
            b.WriteBytes(v, offset, count);
        }

        /// <summary>Writes the constructor and size of a binary of <paramref name="count"/> bytes; the caller writes the bytes.</summary>
        public static void WriteBinaryHeader(ByteBuffer b, int count)
        {
            if (count <= 0xFF)
            {
                int at = b.Reserve(2);
                b.Buffer[at] = FormatCode.Binary8;
                b.Buffer[at + 1] = (byte)count;
            }
            else
            {
                b.WriteByte(FormatCode.Binary32);
                BigEndian.WriteUInt32(b, (uint)count);
            }
        }

        public static void WriteString(ByteBuffer b, string v) => WriteText(b, v, FormatCode.String8, FormatCode.String32);

        public static void WriteSymbol(ByteBuffer b, Symbol v) => WriteText(b, v == null ? null : v.Value, FormatCode.Symbol8, FormatCode.Symbol32);

        public static void WriteSymbol(ByteBuffer b, string v) => WriteText(b, v, FormatCode.Symbol8, FormatCode.Symbol32);

        private static void WriteText(ByteBuffer b, string v, byte code8, byte code32)
        {
            if (v == null) { WriteNull(b); return; }
            int n = Utf8.GetByteCount(v);
            if (n <= 0xFF)
            {
                int at = b.Reserve(2 + n);
                b.Buffer[at] = code8;
                b.Buffer[at + 1] = (byte)n;
                Utf8.Encode(v, b.Buffer, at + 2);
            }
            else
            {
                b.WriteByte(code32);
                BigEndian.WriteUInt32(b, (uint)n);
                Utf8.Encode(v, b.Buffer, b.Reserve(n));
            }
        }

        /// <summary>Writes the descriptor constructor (0x00) and a numeric descriptor.</summary>
        public static void WriteDescriptor(ByteBuffer b, ulong code)
        {
            b.WriteByte(FormatCode.Described);
            WriteULong(b, code);
        }

        public static void WriteDescribed(ByteBuffer b, DescribedValue v)
        {
            if (v == null) { WriteNull(b); return; }
            // AMQP 1.0 1.2: a descriptor is a ulong or a symbol (any value but a described one).
            if (v.Descriptor is DescribedValue) throw new AmqpException(ErrorCode.InvalidField, "a descriptor cannot itself be described");
            b.WriteByte(FormatCode.Described);
            WriteObject(b, v.Descriptor);
            WriteObject(b, v.Value);
        }

        public static void WriteList(ByteBuffer b, IList v)
        {
            if (v == null) { WriteNull(b); return; }
            if (v.Count == 0) { b.WriteByte(FormatCode.List0); return; }
            int start = BeginComposite(b, FormatCode.List32);
            for (int i = 0; i < v.Count; i++) WriteObject(b, v[i]);
            EndComposite(b, start, v.Count, FormatCode.List8);
        }

        public static void WriteMap(ByteBuffer b, AmqpMap v)
        {
            if (v == null) { WriteNull(b); return; }
            int start = BeginComposite(b, FormatCode.Map32);
            for (int i = 0; i < v.Count; i++)
            {
                WriteObject(b, v.KeyAt(i));
                WriteObject(b, v.ValueAt(i));
            }
            EndComposite(b, start, v.Count * 2, FormatCode.Map8);
        }

        /// <summary>Writes a list or map header with 32-bit size and count to patch later; returns its position.</summary>
        public static int BeginComposite(ByteBuffer b, byte code32)
        {
            int at = b.Reserve(9);
            b.Buffer[at] = code32;
            return at;
        }

        /// <summary>
        /// Patches the header written by <see cref="BeginComposite"/>. When the body fits the 8-bit form
        /// the body is moved down 6 bytes so the value takes the compact constructor (list8/map8).
        /// </summary>
        public static void EndComposite(ByteBuffer b, int start, int count, byte code8)
        {
            int bodyStart = start + 9;
            int bodyLength = b.WritePos - bodyStart;
            byte[] a = b.Buffer;
            if (bodyLength + 1 <= 0xFF && count <= 0xFF)
            {
                Array.Copy(a, bodyStart, a, start + 3, bodyLength);
                a[start] = code8;
                a[start + 1] = (byte)(bodyLength + 1);
                a[start + 2] = (byte)count;
                b.WritePos -= 6;
            }
            else
            {
                BigEndian.Put32(a, start + 1, (uint)(bodyLength + 4));
                BigEndian.Put32(a, start + 5, (uint)count);
            }
        }

        public static void WriteArray(ByteBuffer b, AmqpArray v)
        {
            if (v == null) { WriteNull(b); return; }
            ArrayCodec.Write(b, v);
        }

        /// <summary>Writes any supported CLR value with its natural AMQP type.</summary>
        public static void WriteObject(ByteBuffer b, object v)
        {
            switch (v)
            {
                case null: WriteNull(b); break;
                case string s: WriteString(b, s); break;
                case Symbol sym: WriteSymbol(b, sym); break;
                case bool x: WriteBoolean(b, x); break;
                case byte x: WriteUByte(b, x); break;
                case ushort x: WriteUShort(b, x); break;
                case uint x: WriteUInt(b, x); break;
                case ulong x: WriteULong(b, x); break;
                case sbyte x: WriteByte(b, x); break;
                case short x: WriteShort(b, x); break;
                case int x: WriteInt(b, x); break;
                case long x: WriteLong(b, x); break;
                case float x: WriteFloat(b, x); break;
                case double x: WriteDouble(b, x); break;
                case char x: WriteChar(b, x); break;
                case DateTime x: WriteTimestamp(b, x); break;
                case Guid x: WriteUuid(b, x); break;
                case byte[] x: WriteBinary(b, x); break;
                case AmqpDecimal x: WriteDecimal(b, x); break;
                case AmqpMap x: WriteMap(b, x); break;
                case AmqpArray x: WriteArray(b, x); break;
                case DescribedValue x: WriteDescribed(b, x); break;
                case IList x: WriteList(b, x); break;
                default:
                    throw new AmqpException(ErrorCode.NotImplemented, "no AMQP encoding for " + v.GetType().Name);
            }
        }

        internal static uint FloatBits(float v)
        {
            byte[] x = BitConverter.GetBytes(v);
            return LittleEndianHost
                ? (uint)(x[0] | x[1] << 8 | x[2] << 16 | x[3] << 24)
                : (uint)(x[3] | x[2] << 8 | x[1] << 16 | x[0] << 24);
        }

        /// <summary>AMQP's uuid is the RFC 4122 byte order; <see cref="Guid.ToByteArray"/> stores the first three fields little-endian.</summary>
        internal static void GuidToNetworkOrder(Guid g, byte[] dest, int at)
        {
            byte[] raw = g.ToByteArray();
            dest[at] = raw[3]; dest[at + 1] = raw[2]; dest[at + 2] = raw[1]; dest[at + 3] = raw[0];
            dest[at + 4] = raw[5]; dest[at + 5] = raw[4];
            dest[at + 6] = raw[7]; dest[at + 7] = raw[6];
            Array.Copy(raw, 8, dest, at + 8, 8);
        }
    }
}
