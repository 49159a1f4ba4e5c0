// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
using IotHubAmqp.Device.Buffers;
using IotHubAmqp.Device.Framing;
using IotHubAmqp.Device.Types;

namespace IotHubAmqp.Device.Engine
{
    /// <summary>
    /// An AMQP 1.0 client connection (2.4) as a state machine with no I/O, threads, locks or clock: its owner
    /// feeds received bytes in (<see cref="GetReceiveSpace"/>, then <c>Received</c>), takes the bytes to send
    /// (<see cref="GetOutput"/>, <see cref="OutputWritten"/>), passes the time in, and reads what happened from
    /// <see cref="NextEvent"/>. One owner, one thread: nothing here is synchronised, and nothing here calls out.
    /// </summary>
    internal sealed partial class Connection : EngineObject
    {
        /// <summary>First size of the read and write buffers; they grow, once, to what the traffic needs.</summary>
        public const int InitialBufferSize = 512;

        private const int InitialEventSlots = 8;

        /// <summary>
        /// Heartbeats go out after this share of the peer's idle timeout: every silence stays under half of it
        /// (2.4.5) with room for the network's jitter and our own scheduling.
        /// </summary>
        private const int HeartbeatPercent = 33;

        private readonly ConnectionSettings settings;
        private readonly Session[] sessions;
        private readonly EventRing events;
        private readonly ByteBuffer view = new ByteBuffer(new byte[0], 0, 0);
        private ByteBuffer input = new ByteBuffer(InitialBufferSize);
        private ByteBuffer output = new ByteBuffer(InitialBufferSize);

        // A body written from the caller's array right behind output[0..extMark] (a frame's head part).
        private byte[] ext;
        private int extOffset;
        private int extCount;
        private int extMark = -1;

        private long lastSendTick;
        private long lastReceiveTick;
        private bool closeSent;
        private bool saslDone;
        private bool headerReceived;

        public Connection(ConnectionSettings settings)
        {
            if (settings.MaxFrameSize < Frame.MinMaxFrameSize)
                throw new System.ArgumentException("max frame size must be at least " + Frame.MinMaxFrameSize);
            this.settings = settings;
            sessions = new Session[settings.ChannelMax + 1];
            // The connection, one session and its usual links; the ring grows if more have events at once.
            events = new EventRing(InitialEventSlots);
            PeerMaxFrameSize = Frame.MinMaxFrameSize;
            saslDone = settings.Sasl == null;
        }

        public ConnectionState State { get; private set; }

        /// <summary>Why the connection ended; null while it is open or after a clean close we asked for.</summary>
        public AmqpException Error { get; private set; }

        /// <summary>The limit the peer announced: no frame we write may be larger (2.7.1).</summary>
        public uint PeerMaxFrameSize { get; private set; }

        /// <summary>The peer's idle timeout in ms; we send a frame well within half of it (2.4.5).</summary>
        public uint PeerIdleTimeoutMs { get; private set; }

        /// <summary>The highest channel the peer accepts (2.7.1 channel-max).</summary>
        public ushort PeerChannelMax { get; private set; } = ushort.MaxValue;

        public string PeerContainerId { get; private set; }

        public AmqpMap PeerProperties { get; private set; }

        public ConnectionSettings Settings => settings;

        public bool IsOpen => State == ConnectionState.Opened;

        public bool IsEnded => State == ConnectionState.End;

        /// <summary>True once frames of sessions may be written: SASL is done and the AMQP header is queued.</summary>
        public bool CanBeginSessions => saslDone && State != ConnectionState.Start && !closeSent && State != ConnectionState.End;

        /// <summary>The largest frame we may write: the peer's limit (bodies are written from the caller's array).</summary>
        internal int WriteFrameLimit => PeerMaxFrameSize > int.MaxValue ? int.MaxValue : (int)PeerMaxFrameSize;

        /// <summary>Bytes written (AMQP level, before TLS) and read.</summary>
        public long BytesWritten { get; private set; }

        public long BytesRead { get; private set; }

        /// <summary>Queues the protocol header and either sasl-init (pipelined, 5.3.2) or open.</summary>
        public void Open(long now)
        {
            if (State != ConnectionState.Start) throw new AmqpException(ErrorCode.IllegalState, "the connection was already opened");
            lastReceiveTick = now;
            lastSendTick = now;
            if (settings.Sasl != null)
            {
                WriteSaslStart();
                State = ConnectionState.HeaderSent;
            }
            else
            {
                WriteHeaderAndOpen();
            }
        }

        /// <summary>Creates a session on the first free channel and queues its begin.</summary>
        public Session BeginSession(uint incomingWindow)
        {
            ThrowIfEnded();
            if (!CanBeginSessions) throw new AmqpException(ErrorCode.IllegalState, "sessions can begin only after authentication");
            int last = sessions.Length - 1;
            if (PeerChannelMax < last) last = PeerChannelMax;
            for (int i = 0; i <= last; i++)
            {
                if (sessions[i] != null) continue;
                var s = new Session(this, (ushort)i, incomingWindow);
                sessions[i] = s;
                s.SendBegin();
                return s;
            }
            throw new AmqpException(ErrorCode.ResourceLimitExceeded, "all " + (last + 1) + " channels allowed by both sides are in use");
        }

        /// <summary>Queues close (with an optional error); the connection ends when the peer's close answers.</summary>
        public void Close(Error error)
        {
            if (State == ConnectionState.End || closeSent) return;
            if (!saslDone || State == ConnectionState.Start)
            {
                // Nothing AMQP has been said yet: there is no one to send close to.
                End(null);
                return;
            }
            var c = new Close();
            c.Error = error;
            // Written before closeSent is set: WriteControl refuses frames once close is out.
            TryWriteControl(0, c);
            closeSent = true;
            State = ConnectionState.CloseSent;
        }

        /// <summary>Ends the connection now (the transport is gone, or the owner stopped waiting).</summary>
        public void Abort(AmqpException reason)
        {
            End(reason ?? new AmqpException(ErrorCode.ConnectionLost, "connection aborted locally"));
        }

        /// <summary>The transport ended under us: the peer closed it, or it failed.</summary>
        public void TransportClosed(AmqpException reason, long now)
        {
            if (State == ConnectionState.End) return;
            End(reason ?? new AmqpException(ErrorCode.ConnectionLost, "the peer closed the connection"));
        }

        /// <summary>The next object with events, and which (<see cref="EngineEvent"/> bits); null when none.</summary>
        public EngineObject NextEvent(out int kinds) => events.Next(out kinds);

        internal void Raise(EngineObject source, int kind) => events.Raise(source, kind);

        /// <summary>The earliest tick at which <see cref="Tick"/> has something to do (long.MaxValue: nothing).</summary>
        public long NextDeadline
        {
            get
            {
                if (State != ConnectionState.Opened && State != ConnectionState.CloseSent) return long.MaxValue;
                long next = long.MaxValue;
                if (PeerIdleTimeoutMs > 0) next = lastSendTick + HeartbeatIntervalMs;
                if (settings.IdleTimeoutMs > 0)
                {
                    long dead = lastReceiveTick + settings.IdleTimeoutMs + 1;
                    if (dead < next) next = dead;
                }
                return next;
            }
        }

        private long HeartbeatIntervalMs
        {
            get
            {
                long ms = (long)PeerIdleTimeoutMs * HeartbeatPercent / 100;
                return ms < 1 ? 1 : ms;
            }
        }

        /// <summary>Sends a heartbeat when we have been quiet too long, and ends a connection whose peer went silent.</summary>
        public void Tick(long now)
        {
            if (State != ConnectionState.Opened && State != ConnectionState.CloseSent) return;
            uint ours = settings.IdleTimeoutMs;
            if (ours > 0 && now - lastReceiveTick > ours)
            {
                // 2.4.5: tell the peer why, then treat it as gone; the owner drops the transport.
                var c = new Close();
                c.Error = new Error(ErrorCode.ResourceLimitExceeded, "idle timeout exceeded");
                if (!closeSent) TryWriteControl(0, c);
                closeSent = true;
                End(new AmqpException(ErrorCode.ConnectionLost, "no frame from the peer within the idle timeout of " + ours + " ms"));
                return;
            }
            if (PeerIdleTimeoutMs > 0 && now - lastSendTick >= HeartbeatIntervalMs && !HasOutput)
            {
                Frame.WriteEmpty(output);
            }
        }

        // ---- output ----

        /// <summary>True when bytes wait to be written (transfers waiting for credit are produced here).</summary>
        public bool HasOutput
        {
            get
            {
                if (ext == null && output.Length == 0) Pump();
                return ext != null || output.Length > 0;
            }
        }

        /// <summary>The next contiguous bytes to write; hand them to the transport whole, then call <see cref="OutputWritten"/>.</summary>
        public void GetOutput(out byte[] buffer, out int offset, out int count)
        {
            if (!HasOutput)
            {
                buffer = output.Buffer;
                offset = 0;
                count = 0;
                return;
            }
            if (ext != null && output.Offset >= extMark)
            {
                buffer = ext;
                offset = extOffset;
                count = extCount;
                return;
            }
            buffer = output.Buffer;
            offset = output.Offset;
            count = (ext != null ? extMark : output.WritePos) - output.Offset;
        }

        /// <summary>The piece returned by <see cref="GetOutput"/> was written.</summary>
        public void OutputWritten(long now)
        {
            lastSendTick = now;
            if (ext != null && output.Offset >= extMark)
            {
                BytesWritten += extCount;
                ext = null;
                extMark = -1;
            }
            else
            {
                int end = ext != null ? extMark : output.WritePos;
                BytesWritten += end - output.Offset;
                output.Offset = end;
            }
            if (ext == null && output.Length == 0) output.Reset();
        }

        /// <summary>Drops what was queued for the wire (the transport is gone).</summary>
        internal void DiscardOutput()
        {
            output.Reset();
            ext = null;
            extMark = -1;
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
            for (int i = 0; i < sessions.Length; i++)
            {
                Session s = sessions[i];
                if (s == null) continue;
                s.Pump();
                if (ext != null || output.Length >= (int)settings.MaxFrameSize / 2) return;
            }
        }

        internal ByteBuffer Output => output;

        /// <summary>The room a frame of up to <paramref name="size"/> bytes needs; grows the write buffer once if it must.</summary>
        internal void EnsureRoom(int size)
        {
            if (output.Writable >= size) return;
            if (ext == null && output.Offset > 0) output.Compact();
            if (output.Writable >= size) return;
            int cap = output.Capacity * 2;
            if (cap < output.Length + size) cap = output.Length + size;
            var grown = new ByteBuffer(cap);
            int n = output.Length;
            System.Array.Copy(output.Buffer, output.Offset, grown.Buffer, 0, n);
            grown.WritePos = n;
            if (ext != null) extMark -= output.Offset;
            output = grown;
        }

        /// <summary>Marks the body bytes that follow the output written so far (the caller's array, not copied).</summary>
        internal void AppendExternal(byte[] buffer, int offset, int count)
        {
            ext = buffer;
            extOffset = offset;
            extCount = count;
            extMark = output.WritePos;
        }

        internal bool ExternalPending => ext != null;

        /// <summary>Encodes one performative in one frame at the end of the output.</summary>
        internal void WriteControl(ushort channel, object performative)
        {
            ThrowIfEnded();
            int mark = output.WritePos;
            for (int room = 256; ; room *= 2)
            {
                EnsureRoom(room);
                mark = output.WritePos;
                try
                {
                    int start = Frame.Begin(output, Frame.TypeAmqp, channel);
                    Performatives.Encode(output, performative);
                    Frame.End(output, start);
                    break;
                }
                catch (AmqpException e) when (e.Condition == ErrorCode.FrameSizeTooSmall && room < 2 * WriteFrameLimit + 512)
                {
                    output.WritePos = mark;
                }
            }
            int size = output.WritePos - mark;
            if (size > WriteFrameLimit)
            {
                output.WritePos = mark;
                throw new AmqpException(ErrorCode.FrameSizeTooSmall, performative.GetType().Name + " needs " + size + " bytes, the peer's max-frame-size is " + WriteFrameLimit);
            }
        }

        /// <summary>As <see cref="WriteControl"/>, for answers on a path that is ending anyway.</summary>
        internal void TryWriteControl(ushort channel, object performative)
        {
            try
            {
                if (State != ConnectionState.End) WriteControl(channel, performative);
            }
            catch (AmqpException)
            {
                // Only a frame over the peer's limit fails here; the connection is going down regardless.
            }
        }

        internal void ThrowIfEnded()
        {
            if (State == ConnectionState.End || closeSent)
                throw Error ?? new AmqpException(ErrorCode.IllegalState, "the connection is closed");
        }

        internal void RemoveSession(Session s)
        {
            if (sessions[s.Channel] == s) sessions[s.Channel] = null;
        }

        /// <summary>Ends the connection once: every session and link fails with the reason; raises Ended.</summary>
        private void End(AmqpException error)
        {
            if (State == ConnectionState.End) return;
            Error = error;
            State = ConnectionState.End;
            AmqpException reason = error ?? new AmqpException(ErrorCode.IllegalState, "the connection is closed");
            for (int i = 0; i < sessions.Length; i++)
            {
                if (sessions[i] != null) sessions[i].OnConnectionEnded(reason);
            }
            Raise(this, EngineEvent.Ended);
        }

        /// <summary>A protocol error of the peer's: tell it why (2.8.15) and end.</summary>
        private void Fail(AmqpException e)
        {
            if (State == ConnectionState.End) return;
            if (!closeSent && saslDone && State != ConnectionState.Start)
            {
                var c = new Close();
                c.Error = Performatives.ErrorOf(e);
                TryWriteControl(0, c);
                closeSent = true;
            }
            End(e);
        }
    }
}
