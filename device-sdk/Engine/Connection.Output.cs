// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
using IotHubAmqp.Device.Buffers;
using IotHubAmqp.Device.Framing;

namespace IotHubAmqp.Device.Engine
{
    // Bytes to send: control frames, transfers pumped from the links, and bodies written from the caller's array.
    internal sealed partial class Connection
    {
        /// <summary>True when bytes wait to be written (transfers waiting for credit are produced here).</summary>
        public bool HasOutput
        {
            get
            {
                if (ext == null && Output.Length == 0) Pump();
                return ext != null || Output.Length > 0;
            }
        }

        // The external body is next on the wire: the head bytes before it are written.
        private bool ExternalTurn => ext != null && Output.Offset >= extMark;

        // Where the piece of Output that goes out next ends.
        private int OutputEnd => ext != null ? extMark : Output.WritePos;

        /// <summary>The next contiguous bytes to write; hand them to the transport whole, then call <see cref="OutputWritten"/>.</summary>
        public void GetOutput(out byte[] buffer, out int offset, out int count)
        {
            bool any = HasOutput;
            ByteBuffer o = Output;
            buffer = o.Buffer;
            offset = 0;
            count = 0;
            if (!any) return;
            if (ExternalTurn)
            {
                buffer = ext;
                offset = extOffset;
                count = extCount;
                return;
            }
            offset = o.Offset;
            count = OutputEnd - offset;
        }

        /// <summary>The piece returned by <see cref="GetOutput"/> was written.</summary>
        public void OutputWritten(long now)
        {
            ByteBuffer o = Output;
            lastSendTick = now;
            int n;
            if (ExternalTurn)
            {
                n = extCount;
                ext = null;
            }
            else
            {
                int end = OutputEnd;
                n = end - o.Offset;
                o.Offset = end;
            }
            BytesWritten += n;
            if (ext == null && o.Length == 0) o.Reset();
        }

        /// <summary>Drops what was queued for the wire (the transport is gone).</summary>
        internal void DiscardOutput()
        {
            Output.Reset();
            ext = null;
        }

        /// <summary>Writes the transfers that credit and window allow now, so the owner can order frames after them.</summary>
        internal void PumpTransfers()
        {
            if (ext == null) Pump();
        }

        // Produces transfer frames while the output is small: several small messages share one write.
        private void Pump()
        {
            if (State != ConnectionState.Opened) return;
            foreach (Session s in sessions)
            {
                if (s == null) continue;
                s.Pump();
                if (OutputFull) return;
            }
        }

        /// <summary>True when no more transfers should be written now: a body waits in the caller's array, or half a frame is queued.</summary>
        internal bool OutputFull => ext != null || Output.Length >= (int)Settings.MaxFrameSize / 2;

        /// <summary>The room a frame of up to <paramref name="size"/> bytes needs; grows the write buffer once if it must.</summary>
        internal void EnsureRoom(int size)
        {
            ByteBuffer o = Output;
            if (o.Writable >= size) return;
            if (ext == null && o.Offset > 0) o.Compact();
            if (o.Writable >= size) return;
            int need = o.Length + size;
            int cap = o.Capacity * 2;
            if (cap < need) cap = need;
            extMark -= o.Offset;
            Output = Moved(o, cap);
        }

        // A new buffer of cap bytes holding b's unread bytes at its start.
        private static ByteBuffer Moved(ByteBuffer b, int cap)
        {
            var grown = new ByteBuffer(cap);
            int n = b.Length;
            System.Array.Copy(b.Buffer, b.Offset, grown.Buffer, 0, n);
            grown.WritePos = n;
            return grown;
        }

        /// <summary>Marks the body bytes that follow the output written so far (the caller's array, not copied).</summary>
        internal void AppendExternal(byte[] buffer, int offset, int count)
        {
            ext = buffer;
            extOffset = offset;
            extCount = count;
            extMark = Output.WritePos;
        }

        internal bool ExternalPending => ext != null;

        /// <summary>Encodes one performative in one frame at the end of the output.</summary>
        internal void WriteControl(ushort channel, DescribedList performative)
        {
            ThrowIfEnded();
            ByteBuffer o;
            int mark;
            for (int room = 256; ; room *= 2)
            {
                EnsureRoom(room);
                o = Output;
                mark = o.WritePos;
                try
                {
                    int start = Frame.Begin(o, Frame.TypeAmqp, channel);
                    performative.Encode(o);
                    Frame.End(o, start);
                    break;
                }
                catch (AmqpException e)
                {
                    if (e.Condition != ErrorCode.FrameSizeTooSmall || room >= 2 * PeerMaxFrameSize + 512) throw;
                    o.WritePos = mark;
                }
            }
            int size = o.WritePos - mark;
            if (size > PeerMaxFrameSize)
            {
                o.WritePos = mark;
                string what = Performatives.Text(performative.GetType().Name + " needs ", size, " bytes, the peer's max-frame-size is ");
                throw Performatives.Fault(ErrorCode.FrameSizeTooSmall, what, PeerMaxFrameSize, null);
            }
        }
    }
}
