// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
using IotHubAmqp.Device.Buffers;
using IotHubAmqp.Device.Types;

namespace IotHubAmqp.Device
{
    /// <summary>
    /// An AMQP value of a type the device reads past: a decimal, a char, an array, a described value, or a list or
    /// map used as a map key. It keeps the value's whole encoding (constructor included), so it is written back byte
    /// for byte; two are equal when their bytes are.
    /// </summary>
    public sealed class EncodedValue
    {
        /// <summary>
        /// Wraps the encoding of one AMQP value (AMQP 1.0 1.2). Bytes that are not exactly one value (empty, cut
        /// short, or with bytes after it) are <c>amqp:decode-error</c>.
        /// </summary>
        public EncodedValue(byte[] bytes)
        {
            // Null reads as no bytes: Skip then fails as for an empty array, before the missing array is touched.
            var b = new ByteBuffer(bytes, 0, bytes == null ? 0 : bytes.Length);
            Decoder.Skip(b);
            if (b.Length != 0) throw Decoder.Error("bytes follow the encoded value");
            Bytes = bytes;
        }

        /// <summary>The encoded value, constructor first.</summary>
        public byte[] Bytes { get; }

        /// <inheritdoc/>
        public override bool Equals(object obj) => obj is EncodedValue && ValueEquality.AreEqual(((EncodedValue)obj).Bytes, Bytes);

        /// <inheritdoc/>
        public override int GetHashCode() => Bytes.Length;
    }
}
