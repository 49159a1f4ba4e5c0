// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.

namespace IotHubAmqp.Device.Buffers
{
    /// <summary>Network byte order (AMQP 1.0 1.2: all multi-byte values are big-endian).</summary>
    internal static class BigEndian
    {
        public static void WriteUInt32(ByteBuffer b, uint v) => Write(b, v, 4);

        /// <summary>Appends the low <paramref name="width"/> bytes of <paramref name="v"/>, most significant first.</summary>
        public static void Write(ByteBuffer b, ulong v, int width) => Put(b.Buffer, b.Reserve(width), v, width);

        public static void Put32(byte[] a, int at, uint v) => Put(a, at, v, 4);

        /// <summary>Stores the low <paramref name="width"/> bytes of <paramref name="v"/> at <paramref name="at"/>, most significant first.</summary>
        public static void Put(byte[] a, int at, ulong v, int width)
        {
            // Last byte first: each takes the low 8 bits left.
            while (width-- > 0)
            {
                a[at + width] = (byte)v;
                v >>= 8;
            }
        }

        /// <summary>Consumes <paramref name="width"/> bytes (at most 8) as one big-endian number.</summary>
        public static ulong Read(ByteBuffer b, int width) => Get(b.Buffer, b.Take(width), width);

        public static uint Get32(byte[] a, int at) => (uint)Get(a, at, 4);

        private static ulong Get(byte[] a, int at, int width)
        {
            ulong v = 0;
            while (width-- > 0) v = v << 8 | a[at++];
            return v;
        }
    }
}
