// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
using IotHubAmqp.Device.Buffers;
using IotHubAmqp.Device.Framing;
using IotHubAmqp.Device.Types;
using nanoFramework.TestFramework;

namespace IotHubAmqp.Device.Tests.Framing
{
    /// <summary>Buffers for the described-list tests (Framing, Sasl, Messaging).</summary>
    internal static class Wire
    {
        /// <summary>An empty buffer large enough for any test value.</summary>
        public static ByteBuffer NewBuffer() => new ByteBuffer(2048);

        /// <summary>A buffer holding the bytes of <paramref name="hex"/>.</summary>
        public static ByteBuffer Of(string hex)
        {
            byte[] a = Expect.FromHex(hex);
            return new ByteBuffer(a, 0, a.Length);
        }

        /// <summary>Reads the descriptor as the frame dispatcher would and asserts it is <paramref name="expected"/>.</summary>
        public static ByteBuffer AfterDescriptor(ByteBuffer b, ulong expected)
        {
            Assert.AreEqual(expected, Decoder.ReadDescriptor(b), "descriptor");
            return b;
        }

        /// <summary>The bytes of <paramref name="hex"/>, positioned after the descriptor <paramref name="expected"/>.</summary>
        public static ByteBuffer Body(string hex, ulong expected) => AfterDescriptor(Of(hex), expected);

        /// <summary>
        /// Reads an optional described field as the field cursor does: null, or a described value (an error, source or
        /// target for <paramref name="expected"/>, or any delivery state for 0).
        /// </summary>
        public static DescribedList Read(ByteBuffer b, ulong expected) => Decoder.TryReadNull(b) ? null : FieldCodec.Read(b, expected);

        /// <summary>Asserts the whole buffer was consumed.</summary>
        public static void Consumed(ByteBuffer b)
        {
            Assert.AreEqual(0, b.Length, "bytes left after decoding");
        }
    }
}
