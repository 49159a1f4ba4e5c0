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

        public static void WriteNull(ByteBuffer b) => b.WriteByte(FormatCode.Null);

        public static void WriteBoolean(ByteBuffer b, bool v) => b.WriteByte(v ? FormatCode.BooleanTrue : FormatCode.BooleanFalse);

        public static void WriteUByte(ByteBuffer b, byte v) => WriteFixed(b, FormatCode.UByte, v, 1);

        public static void WriteUShort(ByteBuffer b, ushort v) => WriteFixed(b, FormatCode.UShort, v, 2);

        public static void WriteUInt(ByteBuffer b, uint v) => WriteUnsigned(b, v, FormatCode.UInt0, FormatCode.SmallUInt, FormatCode.UInt, 4);

        public static void WriteULong(ByteBuffer b, ulong v) => WriteUnsigned(b, v, FormatCode.ULong0, FormatCode.SmallULong, FormatCode.ULong, 8);

        // uint0/ulong0 for zero, smalluint/smallulong up to 255 (AMQP 1.0 1.6.6, 1.6.7).
        private static void WriteUnsigned(ByteBuffer b, ulong v, byte zeroCode, byte smallCode, byte code, int width)
        {
            if (v == 0) b.WriteByte(zeroCode);
            else if (v <= 0xFF) WriteFixed(b, smallCode, v, 1);
            else WriteFixed(b, code, v, width);
        }

        // smallint/smalllong when the value fits one signed byte (AMQP 1.0 1.6.8, 1.6.9).
        private static void WriteSigned(ByteBuffer b, long v, byte smallCode, byte code, int width)
        {
            if (v >= -128 && v <= 127) WriteFixed(b, smallCode, (ulong)v, 1);
            else WriteFixed(b, code, (ulong)v, width);
        }

        /// <summary>Writes constructor <paramref name="code"/> and the low <paramref name="width"/> bytes of <paramref name="v"/>.</summary>
        private static void WriteFixed(ByteBuffer b, byte code, ulong v, int width)
        {
            int at = b.Reserve(1 + width);
            b.Buffer[at] = code;
            BigEndian.Put(b.Buffer, at + 1, v, width);
        }

        public static void WriteTimestamp(ByteBuffer b, DateTime v)
        {
            // Floor to whole milliseconds, so an instant before the epoch never rounds up past it: division truncates
            // towards zero, so a negative count first moves down by one millisecond less a tick.
            long ticks = v.Ticks - EpochTicks;
            if (ticks < 0) ticks -= TimeSpan.TicksPerMillisecond - 1;
            WriteFixed(b, FormatCode.TimeStamp, (ulong)(ticks / TimeSpan.TicksPerMillisecond), 8);
        }

        private static void WriteUuid(ByteBuffer b, Guid v)
        {
            int at = b.Reserve(17);
            b.Buffer[at] = FormatCode.Uuid;
            Decoder.SwapGuidBytes(v.ToByteArray(), 0, b.Buffer, at + 1);
        }

        public static void WriteBinary(ByteBuffer b, byte[] v)
        {
            if (v == null) WriteNull(b);
            else Array.Copy(v, 0, b.Buffer, ReserveSized(b, FormatCode.Binary8, v.Length), v.Length);
        }

        /// <summary>Writes the constructor and size of a binary of <paramref name="count"/> bytes; the caller writes the bytes.</summary>
        public static void WriteBinaryHeader(ByteBuffer b, int count)
        {
            if (count <= 0xFF) WriteFixed(b, FormatCode.Binary8, (ulong)count, 1);
            else WriteFixed(b, FormatCode.Binary32, (ulong)count, 4);
        }

        public static void WriteString(ByteBuffer b, string v) => WriteText(b, v, FormatCode.String8);

        public static void WriteSymbol(ByteBuffer b, string v) => WriteText(b, v, FormatCode.Symbol8);

        private static void WriteText(ByteBuffer b, string v, byte code8)
        {
            if (v == null) WriteNull(b);
            else Utf8.Encode(v, b.Buffer, ReserveSized(b, code8, Utf8.GetByteCount(v)));
        }

        // Reserves an n-byte body with its constructor (code8, or its 32-bit size form code8 + 0x10) and size in one
        // piece, so a value that does not fit leaves nothing behind; returns where the body goes.
        private static int ReserveSized(ByteBuffer b, byte code8, int n)
        {
            int width = n <= 0xFF ? 1 : 4;
            int at = b.Reserve(1 + width + n);
            b.Buffer[at] = (byte)(code8 | (width << 2 & 0x10)); // + 0x10 for width 4
            BigEndian.Put(b.Buffer, at + 1, (ulong)n, width);
            return at + 1 + width;
        }

        /// <summary>Writes the descriptor constructor (0x00) and a numeric descriptor.</summary>
        public static void WriteDescriptor(ByteBuffer b, ulong code)
        {
            b.WriteByte(FormatCode.Described);
            WriteULong(b, code);
        }

        public static void WriteList(ByteBuffer b, IList v)
        {
            if (v == null) { WriteNull(b); return; }
            int n = v.Count;
            if (n == 0) { b.WriteByte(FormatCode.List0); return; }
            int start = BeginComposite(b, FormatCode.List32);
            for (int i = 0; i < n; i++) WriteObject(b, v[i]);
            EndComposite(b, start, n, FormatCode.List8);
        }

        public static void WriteMap(ByteBuffer b, AmqpMap v)
        {
            if (v == null) { WriteNull(b); return; }
            int start = BeginComposite(b, FormatCode.Map32), n = v.Count;
            for (int i = 0; i < n; i++)
            {
                WriteObject(b, v.KeyAt(i));
                WriteObject(b, v.ValueAt(i));
            }
            EndComposite(b, start, n * 2, FormatCode.Map8);
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
                // size (counting the count) and count, 4 bytes each.
                BigEndian.Put(a, start + 1, (ulong)(uint)(bodyLength + 4) << 32 | (uint)count, 8);
            }
        }

        /// <summary>Writes any supported CLR value with its natural AMQP type.</summary>
        public static void WriteObject(ByteBuffer b, object v)
        {
            // Casts after the type tests rather than a pattern switch: the same dispatch in less IL. The types only this
            // method writes go straight to WriteFixed/WriteSigned, with no one-line writer each.
            if (v == null) WriteNull(b);
            else if (v is string) WriteString(b, (string)v);
            else if (v is Symbol) WriteText(b, ((Symbol)v).Value, FormatCode.Symbol8);
            else if (v is bool) WriteBoolean(b, (bool)v);
            else if (v is uint) WriteUInt(b, (uint)v);
            else if (v is ulong) WriteULong(b, (ulong)v);
            else if (v is int) WriteSigned(b, (int)v, FormatCode.SmallInt, FormatCode.Int, 4);
            else if (v is long) WriteSigned(b, (long)v, FormatCode.SmallLong, FormatCode.Long, 8);
            else if (v is byte) WriteUByte(b, (byte)v);
            else if (v is ushort) WriteUShort(b, (ushort)v);
            else if (v is sbyte) WriteFixed(b, FormatCode.Byte, (ulong)(sbyte)v, 1);
            else if (v is short) WriteFixed(b, FormatCode.Short, (ulong)(short)v, 2);
            else if (v is float) WriteFixed(b, FormatCode.Float, FloatBits((float)v), 4);
            else if (v is double) WriteFixed(b, FormatCode.Double, (ulong)BitConverter.DoubleToInt64Bits((double)v), 8);
            else if (v is DateTime) WriteTimestamp(b, (DateTime)v);
            else if (v is Guid) WriteUuid(b, (Guid)v);
            else if (v is byte[]) WriteBinary(b, (byte[])v);
            else if (v is EncodedValue)
            {
                byte[] e = ((EncodedValue)v).Bytes;
                b.WriteBytes(e, 0, e.Length);
            }
            else if (v is AmqpMap) WriteMap(b, (AmqpMap)v);
            else if (v is IList) WriteList(b, (IList)v);
            else throw new AmqpException(ErrorCode.NotImplemented, "no AMQP encoding for " + v.GetType().Name);
        }

        // Through the host's byte order both ways, so the bits come out the same on either endianness.
        internal static uint FloatBits(float v) => BitConverter.ToUInt32(BitConverter.GetBytes(v), 0);
    }
}
