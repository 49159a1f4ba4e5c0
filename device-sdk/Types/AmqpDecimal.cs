// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.

namespace IotHubAmqp.Device
{
    /// <summary>
    /// An IEEE 754 decimal32, decimal64 or decimal128 kept as its raw bytes: a device only carries
    /// these values through, and arithmetic would cost flash for no use.
    /// </summary>
    public sealed class AmqpDecimal
    {
        /// <summary>Wraps 4, 8 or 16 raw bytes (big-endian, as on the wire).</summary>
        public AmqpDecimal(byte[] bytes)
        {
            if (bytes == null || (bytes.Length != 4 && bytes.Length != 8 && bytes.Length != 16))
                throw new System.ArgumentException("a decimal has 4, 8 or 16 bytes", nameof(bytes));
            Bytes = bytes;
        }

        /// <summary>The encoded value.</summary>
        public byte[] Bytes { get; }

        /// <inheritdoc/>
        public override bool Equals(object obj)
        {
            if (!(obj is AmqpDecimal d) || d.Bytes.Length != Bytes.Length) return false;
            for (int i = 0; i < Bytes.Length; i++) if (d.Bytes[i] != Bytes[i]) return false;
            return true;
        }

        /// <inheritdoc/>
        public override int GetHashCode() => Bytes.Length;
    }
}
