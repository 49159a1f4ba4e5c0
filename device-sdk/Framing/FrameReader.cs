// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
using IotHubAmqp.Device.Buffers;
using IotHubAmqp.Device.Platform;

namespace IotHubAmqp.Device.Framing
{
    /// <summary>
    /// Reads whole frames from a transport into one buffer sized once to our max-frame-size. Several small
    /// frames arrive per socket read; a frame larger than the limit we announced is a framing error
    /// (2.7.1: the peer must not exceed it), so a hostile peer can never make us allocate.
    /// </summary>
    internal sealed class FrameReader
    {
        private readonly ITransport transport;
        private readonly ByteBuffer buffer;
        private int frameEnd;

        public FrameReader(ITransport transport, int maxFrameSize)
        {
            this.transport = transport;
            buffer = new ByteBuffer(maxFrameSize);
            MaxFrameSize = maxFrameSize;
        }

        public int MaxFrameSize { get; }

        /// <summary>Frame type of the last frame read.</summary>
        public byte Type;

        /// <summary>Channel of the last frame read.</summary>
        public ushort Channel;

        /// <summary>Bytes read from the transport so far (for statistics and tests).</summary>
        public long BytesRead;

        /// <summary>Reads exactly the 8-byte protocol header.</summary>
        public void ReadProtocolHeader(byte expectedId)
        {
            DropFrame();
            Fill(ProtocolHeader.Size);
            ProtocolHeader.Validate(buffer.Buffer, buffer.Offset, expectedId);
            buffer.Offset += ProtocolHeader.Size;
        }

        /// <summary>
        /// Reads the next frame and returns a buffer positioned at its body (the body ends at WritePos of the
        /// returned view); an empty frame returns a view of length 0. The view is valid until the next call.
        /// </summary>
        public ByteBuffer ReadFrame(ByteBuffer view)
        {
            DropFrame();
            Fill(Frame.HeaderSize);
            byte[] a = buffer.Buffer;
            int at = buffer.Offset;
            uint size = BigEndian.Get32(a, at);
            int doff = a[at + 4] * 4;
            Type = a[at + 5];
            Channel = (ushort)((a[at + 6] << 8) | a[at + 7]);
            if (size > (uint)MaxFrameSize)
                throw new AmqpException(ErrorCode.FramingError, "frame of " + size + " bytes exceeds our max-frame-size " + MaxFrameSize);
            if (doff < Frame.HeaderSize || doff > size)
                throw new AmqpException(ErrorCode.FramingError, "frame data offset " + doff + " is invalid for a " + size + "-byte frame");
            if (Type != Frame.TypeAmqp && Type != Frame.TypeSasl)
                throw new AmqpException(ErrorCode.FramingError, "unknown frame type " + Type);
            Fill((int)size);
            frameEnd = buffer.Offset + (int)size;
            view.Wrap(a, buffer.Offset + doff, (int)size - doff);
            return view;
        }

        // The previous frame's view is no longer needed: consume its bytes.
        private void DropFrame()
        {
            if (frameEnd > 0)
            {
                buffer.Offset = frameEnd;
                frameEnd = 0;
            }
        }

        // Ensures count unread bytes are in the buffer, compacting and reading as needed.
        private void Fill(int count)
        {
            if (buffer.Length >= count) return;
            if (buffer.Offset + count > buffer.Capacity) buffer.Compact();
            while (buffer.Length < count)
            {
                int n = transport.Receive(buffer.Buffer, buffer.WritePos, buffer.Capacity - buffer.WritePos);
                if (n <= 0)
                    throw new AmqpException(ErrorCode.ConnectionLost, "the peer closed the connection");
                buffer.WritePos += n;
                BytesRead += n;
            }
        }
    }
}
