// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
using System;
using IotHubAmqp.Device.Buffers;
using IotHubAmqp.Device.Types;

namespace IotHubAmqp.Device.Messaging
{
    /// <summary>
    /// Reassembles one incoming message from the payloads of its transfer frames (AMQP 1.0 2.6.14), in order.
    /// For the shape IoT Hub sends (sections before the body, then one data section with a 4-byte length, last) it
    /// keeps only the head in a buffer allocated once, allocates the body array at its exact length as soon as the
    /// data section's header arrives, and copies later payload straight into it: the peak is the body plus the head
    /// buffer, and the decoder does not copy the body again. Any other shape (several data sections, amqp-value or
    /// amqp-sequence, a footer, a vbin8 body, a head larger than the head buffer) is accumulated whole, in a buffer
    /// that grows by half at a time up to the size limit, and decoded with <see cref="MessageCodec.Decode"/>.
    /// One instance per receiving link, reused: <see cref="Reset"/>, <see cref="Append"/>... <see cref="Finish"/>.
    /// </summary>
    internal sealed class MessageAssembler
    {
        // Bytes of 00 53 75 b0 len32, the data section header this class streams from.
        private const int DataHeaderSize = 8;

        private readonly byte[] head;
        private readonly ByteBuffer reader = new ByteBuffer(0);
        private int limit; // 0 while no message is open (before Reset, after Finish)
        private int size;

        // The message so far, less a streamed body: the head buffer until the message is kept whole, then a buffer
        // of its own. While buffer is the head, sections before scan are complete and known; scan is -1 once the walk
        // has stopped (the message is not the streamed shape).
        private byte[] buffer;
        private int length;
        private int scan;

        // Streaming: the data section's bytes so far (buffer holds the sections before it, without its header).
        private byte[] body;
        private int bodyLength;

        /// <summary>
        /// Creates an assembler whose head buffer holds <paramref name="headCapacity"/> bytes: the sections before the
        /// body (header, annotations, properties, application properties) of the messages it streams; a message with a
        /// larger head is still received, accumulated whole.
        /// </summary>
        public MessageAssembler(int headCapacity)
        {
            if (headCapacity < DataHeaderSize) throw new ArgumentOutOfRangeException(nameof(headCapacity));
            head = new byte[headCapacity];
            buffer = head;
        }

        /// <summary>Bytes appended since <see cref="Reset"/>.</summary>
        public int Size => size;

        /// <summary>True while the body is copied straight into its final array (the streamed shape).</summary>
        public bool Streaming => body != null;

        /// <summary>
        /// Starts a new message (and discards any partial one, as after an aborted delivery) that may grow to
        /// <paramref name="maxMessageSize"/> bytes (positive: the link's max-message-size, or the device's own bound).
        /// </summary>
        public void Reset(int maxMessageSize)
        {
            if (maxMessageSize <= 0) throw new ArgumentOutOfRangeException(nameof(maxMessageSize));
            limit = maxMessageSize;
            size = 0;
            buffer = head;
            length = 0;
            scan = 0;
            body = null;
        }

        /// <summary>
        /// Adds the next piece of the message's payload. Throws amqp:link:message-size-exceeded when the message grows
        /// past the limit (or a data section announces a length past it); the assembler must then be reset.
        /// </summary>
        public void Append(byte[] bytes, int offset, int count)
        {
            if (limit == 0) throw new InvalidOperationException("Reset the assembler before appending");
            // The range is the caller's frame payload, valid by construction (Array.Copy checks it all the same).
            if (count > limit - size) throw TooLarge((long)size + count, size, " so far");
            size += count;
            while (count > 0)
            {
                bool streaming = body != null;
                if (!streaming && buffer != head) Reserve(count);
                byte[] into = streaming ? body : buffer;
                int at = streaming ? bodyLength : length;
                int n = into.Length - at;
                if (n > count) n = count;
                Array.Copy(bytes, offset, into, at, n);
                offset += n;
                count -= n;
                if (streaming) bodyLength += n;
                else
                {
                    length += n;
                    if (buffer != head) continue;
                    if (scan >= 0) Scan();
                    if (body != null) continue;
                }
                // The head buffer is full, or bytes follow the data section (a footer, another section: not the
                // streamed shape after all), and the message goes on: keep it whole from here.
                if (count > 0) ToWhole(count);
            }
        }

        /// <summary>
        /// Decodes the message appended since <see cref="Reset"/> and releases the assembler's hold on it. A message
        /// that ends inside a section, or any malformed section, is amqp:decode-error, as for
        /// <see cref="MessageCodec.Decode"/>.
        /// </summary>
        public Message Finish()
        {
            if (limit == 0) throw new InvalidOperationException("no message to finish");
            limit = 0;
            byte[] data = body;
            byte[] all = buffer;
            body = null;
            buffer = head;
            if (data != null && bodyLength != data.Length)
                throw Decoder.Error("message ends " + (data.Length - bodyLength) + " bytes short of the end of its data section");
            // A reader of its own: the shared one only ever wraps the head, so it holds no message after this.
            Message message = MessageCodec.Decode(new ByteBuffer(all, 0, length));
            if (data != null)
            {
                message.BodyType = BodyType.Data;
                message.Body = data;
            }
            return message;
        }

        // Walks the complete sections at the start of the head. Header, annotations, properties and application
        // properties are skipped over; a data section with a vbin32 length switches to streaming its body; anything
        // else stops the walk and the message is kept whole. A section that does not parse yet waits for more bytes
        // (a malformed one is reported by the decoder at the end).
        private void Scan()
        {
            byte[] a = head;
            while (true)
            {
                int p = scan;
                if (length - p < 4) return;
                if (a[p] != FormatCode.Described || a[p + 1] != FormatCode.SmallULong) break;
                byte code = a[p + 2];
                if (code == (byte)Descriptor.Data && a[p + 3] == FormatCode.Binary32)
                {
                    if (length - p >= DataHeaderSize) StartBody(p + DataHeaderSize, BigEndian.Get32(a, p + 4));
                    return;
                }
                if (code < (byte)Descriptor.Header || code > (byte)Descriptor.ApplicationProperties) break;
                reader.Wrap(a, p + 3, length - p - 3);
                try
                {
                    Decoder.Skip(reader);
                }
                catch (AmqpException)
                {
                    return;
                }
                scan = reader.Offset;
            }
            scan = -1;
        }

        private void StartBody(int bodyStart, uint bodySize)
        {
            // Check the announced length before allocating it: a forged header must not cost a huge array.
            if (bodySize > (uint)(limit - bodyStart)) throw TooLarge((long)bodyStart + bodySize, bodySize, "-byte data section");
            int extra = length - bodyStart;
            if (extra > (int)bodySize)
            {
                // More sections follow the body and they are all in the head already: decode it whole at the end.
                scan = -1;
                return;
            }
            body = new byte[bodySize];
            Array.Copy(head, bodyStart, body, 0, extra);
            bodyLength = extra;
            length = bodyStart - DataHeaderSize;
        }

        // Switches to keeping the whole message in a buffer of its own, with room for the pending bytes. While
        // streaming, the head still holds the data section header after the sections before it (StartBody only
        // moved the body bytes out), so the bytes are the head's, then the body's.
        private void ToWhole(int pending)
        {
            int have = length + (body == null ? 0 : DataHeaderSize + bodyLength);
            // Room for the pending bytes and a head buffer's worth more: what follows is usually a small footer.
            int capacity = have + pending;
            if (body != null) length += DataHeaderSize;
            Regrow(capacity > limit - head.Length ? limit : capacity + head.Length);
            if (body != null) Array.Copy(body, 0, buffer, length, bodyLength);
            body = null;
            length = have;
        }

        // Grows the whole buffer by half (at least the head buffer's size, at least what is needed), never past the limit.
        private void Reserve(int n)
        {
            int capacity = buffer.Length;
            if (capacity - length >= n) return;
            int next = capacity + (capacity / 2 > head.Length ? capacity / 2 : head.Length);
            if (next < length + n) next = length + n;
            Regrow(next > limit ? limit : next);
        }

        private void Regrow(int capacity)
        {
            byte[] bigger = new byte[capacity];
            Array.Copy(buffer, 0, bigger, 0, length);
            buffer = bigger;
        }

        // E.g. "a message of 70000 bytes is past the limit of 65536 bytes (69000-byte data section)".
        private AmqpException TooLarge(long total, long part, string what) => new AmqpException(ErrorCode.MessageSizeExceeded,
            "a message of " + total + " bytes is past the limit of " + limit + " bytes (" + part + what + ")");
    }
}
