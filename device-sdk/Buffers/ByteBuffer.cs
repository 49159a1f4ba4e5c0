// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.

namespace IotHubAmqp.Device.Buffers
{
    /// <summary>
    /// A byte array with a read cursor and a write cursor, allocated once and reused.
    /// <code>
    ///  0          Offset         WritePos           Capacity
    ///  |  consumed  |   readable   |    writable      |
    /// </code>
    /// Writers append at WritePos, readers consume from Offset. It never grows on its own: a write that
    /// does not fit throws, so a hot path can never allocate behind the caller's back.
    /// </summary>
    internal sealed class ByteBuffer
    {
        public byte[] Buffer;
        public int Offset;
        public int WritePos;

        public ByteBuffer(int capacity)
        {
            Buffer = new byte[capacity];
        }

        public ByteBuffer(byte[] buffer, int offset, int count)
        {
            Wrap(buffer, offset, count);
        }

        public int Capacity => Buffer.Length;

        /// <summary>Bytes written and not yet read.</summary>
        public int Length => WritePos - Offset;

        /// <summary>Free bytes after the write cursor.</summary>
        public int Writable => Buffer.Length - WritePos;

        public void Reset()
        {
            Offset = 0;
            WritePos = 0;
        }

        /// <summary>Points the buffer at other bytes, for decoding in place without a copy.</summary>
        public void Wrap(byte[] buffer, int offset, int count)
        {
            Buffer = buffer;
            Offset = offset;
            WritePos = offset + count;
        }

        /// <summary>Reserves <paramref name="count"/> bytes for writing and returns where they start.</summary>
        public int Reserve(int count)
        {
            if (count > Buffer.Length - WritePos) throw Short(ErrorCode.FrameSizeTooSmall, count, Writable);
            int at = WritePos;
            WritePos += count;
            return at;
        }

        /// <summary>Consumes <paramref name="count"/> readable bytes and returns where they start.</summary>
        public int Take(int count)
        {
            // Unsigned, so a negative count fails the same test.
            if ((uint)count > (uint)(WritePos - Offset)) throw Short(ErrorCode.DecodeError, count, Length);
            int at = Offset;
            Offset += count;
            return at;
        }

        public void WriteByte(byte value) { Buffer[Reserve(1)] = value; }

        public void WriteBytes(byte[] source, int offset, int count)
        {
            System.Array.Copy(source, offset, Buffer, Reserve(count), count);
        }

        public byte ReadByte() { return Buffer[Take(1)]; }

        public byte PeekByte()
        {
            if (Offset >= WritePos) throw Short(ErrorCode.DecodeError, 1, 0);
            return Buffer[Offset];
        }

        private static AmqpException Short(string condition, int count, int left) =>
            AmqpException.Of(condition, "needs ", count, " bytes, ", left, " left");

        /// <summary>Moves the unread bytes to the start of the array, making room to write.</summary>
        public void Compact()
        {
            // Nothing to move (Offset 0, or no bytes) copies nothing.
            System.Array.Copy(Buffer, Offset, Buffer, 0, Length);
            WritePos = Length;
            Offset = 0;
        }
    }
}
