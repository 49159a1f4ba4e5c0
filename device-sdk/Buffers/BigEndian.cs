// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.

namespace IotHubAmqp.Device.Buffers
{
    /// <summary>Network byte order (AMQP 1.0 1.2: all multi-byte values are big-endian).</summary>
    internal static class BigEndian
    {
        public static void WriteUInt16(ByteBuffer b, ushort v)
        {
            int at = b.Reserve(2);
            b.Buffer[at] = (byte)(v >> 8);
            b.Buffer[at + 1] = (byte)v;
        }

        public static void WriteUInt32(ByteBuffer b, uint v)
        {
            int at = b.Reserve(4);
            Put32(b.Buffer, at, v);
        }

        public static void WriteUInt64(ByteBuffer b, ulong v)
        {
            int at = b.Reserve(8);
            Put32(b.Buffer, at, (uint)(v >> 32));
            Put32(b.Buffer, at + 4, (uint)v);
        }

        public static void Put32(byte[] a, int at, uint v)
        {
            a[at] = (byte)(v >> 24);
            a[at + 1] = (byte)(v >> 16);
            a[at + 2] = (byte)(v >> 8);
            a[at + 3] = (byte)v;
        }

        public static ushort ReadUInt16(ByteBuffer b)
        {
            int at = b.Take(2);
            return (ushort)((b.Buffer[at] << 8) | b.Buffer[at + 1]);
        }

        public static uint ReadUInt32(ByteBuffer b)
        {
            return Get32(b.Buffer, b.Take(4));
        }

        public static ulong ReadUInt64(ByteBuffer b)
        {
            int at = b.Take(8);
            return ((ulong)Get32(b.Buffer, at) << 32) | Get32(b.Buffer, at + 4);
        }

        public static uint Get32(byte[] a, int at)
        {
            return ((uint)a[at] << 24) | ((uint)a[at + 1] << 16) | ((uint)a[at + 2] << 8) | a[at + 3];
        }
    }
}
