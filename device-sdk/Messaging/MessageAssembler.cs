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
        private const int ModeHead = 0, ModeBody = 1, ModeWhole = 2, ModeDone = 3;

        // Bytes of 00 53 75 b0 len32, the data section header this class streams from.
        private const int DataHeaderSize = 8;

        private readonly byte[] head;
        private readonly ByteBuffer reader = new ByteBuffer(0);
        private int mode = ModeDone;
        private int limit;
        private int size;

        // ModeHead: head[0, headLength) holds the bytes so far; sections before scan are complete and known.
        private int headLength;
        private int scan;
        private bool scanning;

        // ModeBody: head[0, headLength) holds the sections before the data section; body its bytes so far.
        private byte[] body;
        private int bodyLength;

        // ModeWhole: the whole message so far.
        private byte[] whole;
        private int wholeLength;

        /// <summary>
        /// Creates an assembler whose head buffer holds <paramref name="headCapacity"/> bytes: the sections before the
        /// body (header, annotations, properties, application properties) of the messages it streams; a message with a
        /// larger head is still received, accumulated whole.
        /// </summary>
        public MessageAssembler(int headCapacity)
        {
            if (headCapacity < DataHeaderSize) throw new ArgumentOutOfRangeException(nameof(headCapacity));
            head = new byte[headCapacity];
        }

        /// <summary>Bytes appended since <see cref="Reset"/>.</summary>
        public int Size => size;

        /// <summary>True while the body is copied straight into its final array (the streamed shape).</summary>
        public bool Streaming => mode == ModeBody;

        /// <summary>
        /// Starts a new message (and discards any partial one, as after an aborted delivery) that may grow to
        /// <paramref name="maxMessageSize"/> bytes (positive: the link's max-message-size, or the device's own bound).
        /// </summary>
        public void Reset(int maxMessageSize)
        {
            if (maxMessageSize <= 0) throw new ArgumentOutOfRangeException(nameof(maxMessageSize));
            limit = maxMessageSize;
            mode = ModeHead;
            size = 0;
            headLength = 0;
            scan = 0;
            scanning = true;
            body = null;
            bodyLength = 0;
            whole = null;
            wholeLength = 0;
        }

        /// <summary>
        /// Adds the next piece of the message's payload. Throws amqp:link:message-size-exceeded when the message grows
        /// past the limit (or a data section announces a length past it); the assembler must then be reset.
        /// </summary>
        public void Append(byte[] buffer, int offset, int count)
        {
            if (mode == ModeDone) throw new InvalidOperationException("Reset the assembler before appending");
            if (count < 0 || offset < 0 || offset > buffer.Length - count) throw new ArgumentOutOfRangeException(nameof(count));
            if (count > limit - size)
                throw TooLarge("message grows to " + ((long)size + count) + " bytes (" + size + " so far)");
            size += count;
            while (count > 0)
            {
                int n;
                if (mode == ModeHead)
                {
                    n = head.Length - headLength;
                    if (n > count) n = count;
                    Array.Copy(buffer, offset, head, headLength, n);
                    headLength += n;
                    if (scanning) Scan();
                    // The head buffer is full and the message goes on: keep it whole from here.
                    if (mode == ModeHead && n < count) ToWhole(count - n);
                }
                else if (mode == ModeBody)
                {
                    n = body.Length - bodyLength;
                    if (n > count) n = count;
                    Array.Copy(buffer, offset, body, bodyLength, n);
                    bodyLength += n;
                    // Bytes after the data section (a footer, another section): not the streamed shape after all.
                    if (n < count) ToWhole(count - n);
                }
                else
                {
                    n = count;
                    Reserve(n);
                    Array.Copy(buffer, offset, whole, wholeLength, n);
                    wholeLength += n;
                }
                offset += n;
                count -= n;
            }
        }

        /// <summary>
        /// Decodes the message appended since <see cref="Reset"/> and releases the assembler's hold on it. A message
        /// that ends inside a section, or any malformed section, is amqp:decode-error, as for
        /// <see cref="MessageCodec.Decode"/>.
        /// </summary>
        public Message Finish()
        {
            if (mode == ModeDone) throw new InvalidOperationException("no message to finish");
            int m = mode;
            mode = ModeDone;
            byte[] data = body;
            body = null;
            byte[] all = whole;
            whole = null;
            if (m == ModeHead) return Decode(head, headLength);
            if (m == ModeWhole) return Decode(all, wholeLength);
            if (bodyLength != data.Length)
                throw Decoder.Error("message ends after " + bodyLength + " bytes of its " + data.Length + "-byte data section");
            Message message = Decode(head, headLength);
            message.BodyType = BodyType.Data;
            message.Body = data;
            return message;
        }

        private Message Decode(byte[] bytes, int count)
        {
            reader.Wrap(bytes, 0, count);
            try
            {
                return MessageCodec.Decode(reader);
            }
            finally
            {
                reader.Wrap(head, 0, 0);
            }
        }

        // Walks the complete sections at the start of the head. Header, annotations, properties and application
        // properties are skipped over; a data section with a vbin32 length switches to streaming its body; anything
        // else (or anything odd, which Decode will report) stops the walk and the message is kept whole.
        private void Scan()
        {
            byte[] a = head;
            while (true)
            {
                int p = scan;
                if (headLength - p < 3) return;
                if (a[p] != FormatCode.Described || a[p + 1] != FormatCode.SmallULong) { scanning = false; return; }
                byte code = a[p + 2];
                p += 3;
                if (p >= headLength) return;
                if (code == (byte)Descriptor.Data && a[p] == FormatCode.Binary32)
                {
                    if (headLength - p < 5) return;
                    StartBody(p + 5, BigEndian.Get32(a, p + 1));
                    return;
                }
                if (code < (byte)Descriptor.Header || code > (byte)Descriptor.ApplicationProperties) { scanning = false; return; }
                int end = ValueEnd(a, p, headLength);
                if (end < 0) { scanning = end == -1; return; }
                scan = end;
            }
        }

        // End of the value whose constructor is at p; -1 when more bytes are needed, -2 when it is not a plain value.
        private static int ValueEnd(byte[] a, int p, int available)
        {
            if (p >= available) return -1;
            byte c = a[p];
            switch (c >> 4)
            {
                case 0x4: return p + 1;
                case 0x5: return p + 2;
                case 0x6: return p + 3;
                case 0x7: return p + 5;
                case 0x8: return p + 9;
                case 0x9: return p + 17;
                case 0xA: case 0xC: case 0xE:
                    return p + 2 > available ? -1 : p + 2 + a[p + 1];
                case 0xB: case 0xD: case 0xF:
                    if (p + 5 > available) return -1;
                    uint n = BigEndian.Get32(a, p + 1);
                    return n > (uint)(int.MaxValue - p - 5) ? -2 : p + 5 + (int)n;
                default: return -2;
            }
        }

        private void StartBody(int bodyStart, uint length)
        {
            int sectionStart = bodyStart - DataHeaderSize;
            // Check the announced length before allocating it: a forged header must not cost a huge array.
            if (length > (uint)(limit - bodyStart))
                throw TooLarge("data section of " + length + " bytes after " + bodyStart + " bytes (" + size + " so far) makes a message of " + ((long)bodyStart + length) + " bytes");
            int extra = headLength - bodyStart;
            if (extra > (int)length)
            {
                // More sections follow the body and they are all in the head already: decode it whole at the end.
                scanning = false;
                return;
            }
            body = new byte[length];
            Array.Copy(head, bodyStart, body, 0, extra);
            bodyLength = extra;
            headLength = sectionStart;
            mode = ModeBody;
        }

        // Switches to keeping the whole message, with room for the pending bytes.
        private void ToWhole(int pending)
        {
            int have = mode == ModeBody ? headLength + DataHeaderSize + bodyLength : headLength;
            // Room for the pending bytes and a head buffer's worth more: what follows is usually a small footer.
            int capacity = have + pending;
            capacity = capacity > limit - head.Length ? limit : capacity + head.Length;
            whole = new byte[capacity];
            Array.Copy(head, 0, whole, 0, headLength);
            wholeLength = headLength;
            if (mode == ModeBody)
            {
                // Rebuild the data section header the streaming path consumed.
                whole[wholeLength] = FormatCode.Described;
                whole[wholeLength + 1] = FormatCode.SmallULong;
                whole[wholeLength + 2] = (byte)Descriptor.Data;
                whole[wholeLength + 3] = FormatCode.Binary32;
                BigEndian.Put32(whole, wholeLength + 4, (uint)body.Length);
                Array.Copy(body, 0, whole, wholeLength + DataHeaderSize, bodyLength);
                wholeLength += DataHeaderSize + bodyLength;
                body = null;
            }
            mode = ModeWhole;
        }

        private void Reserve(int n)
        {
            if (whole.Length - wholeLength >= n) return;
            byte[] bigger = new byte[Grown(whole.Length, wholeLength + n)];
            Array.Copy(whole, 0, bigger, 0, wholeLength);
            whole = bigger;
        }

        // Half as much again (at least the head buffer's size, at least what is needed), never past the limit.
        private int Grown(int capacity, int needed)
        {
            int next = capacity + (capacity / 2 > head.Length ? capacity / 2 : head.Length);
            if (next < needed) next = needed;
            return next > limit ? limit : next;
        }

        private AmqpException TooLarge(string what)
        {
            return new AmqpException(ErrorCode.MessageSizeExceeded, what + ", past the limit of " + limit + " bytes");
        }
    }
}
