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

        /// <summary>
        /// Heartbeats go out after this share of the peer's idle timeout: every silence stays under half of it
        /// (2.4.5) with room for the network's jitter and our own scheduling.
        /// </summary>
        private const int HeartbeatPercent = 33;

        public readonly ConnectionSettings Settings;
        private readonly Session[] sessions;
        private ByteBuffer input = new ByteBuffer(InitialBufferSize);

        /// <summary>The write buffer (frames are encoded at its end); replaced when it grows.</summary>
        internal ByteBuffer Output = new ByteBuffer(InitialBufferSize);

        // A body written from the caller's array right behind Output[0..extMark] (a frame's head part).
        private byte[] ext;
        private int extOffset;
        private int extCount;
        private int extMark;

        // Objects with pending events, linked through EngineObject.NextPending: each is queued at most once, so the
        // queue is bounded by the number of objects and never allocates.
        private EngineObject eventHead;
        private EngineObject eventTail;

        private long lastSendTick;
        private long lastReceiveTick;
        private bool closeSent;
        private bool saslDone;
        private bool headerReceived;

        public Connection(ConnectionSettings settings)
        {
            if (settings.MaxFrameSize < Frame.MinMaxFrameSize)
                throw new System.ArgumentException("max frame size must be at least 512 bytes (2.7.1)");
            Settings = settings;
            sessions = new Session[settings.ChannelMax + 1];
            saslDone = settings.Sasl == null;
        }

        public ConnectionState State;

        /// <summary>Why the connection ended; null while it is open or after a clean close we asked for.</summary>
        public AmqpException Error;

        /// <summary>The largest frame we may write: the peer's max-frame-size (2.7.1), capped to an int.</summary>
        public int PeerMaxFrameSize = (int)Frame.MinMaxFrameSize;

        /// <summary>The peer's idle timeout in ms; we send a frame well within half of it (2.4.5).</summary>
        public uint PeerIdleTimeoutMs;

        /// <summary>The highest channel the peer accepts (2.7.1 channel-max).</summary>
        public ushort PeerChannelMax = ushort.MaxValue;

        public string PeerContainerId;

        /// <summary>Bytes written (AMQP level, before TLS) and read.</summary>
        public long BytesWritten;

        public long BytesRead;

        public bool IsOpen => State == ConnectionState.Opened;

        public bool IsEnded => State == ConnectionState.End;

        /// <summary>True once frames of sessions may be written: SASL is done and the AMQP header is queued.</summary>
        public bool CanBeginSessions => AmqpStarted && !closeSent && State != ConnectionState.End;

        // The peer's open arrived and the connection has not ended: frames flow, timers run.
        // (Opened or CloseSent: the two states are adjacent.)
        private bool Running => (uint)(State - ConnectionState.Opened) <= ConnectionState.CloseSent - ConnectionState.Opened;

        // The AMQP header is out: there is someone to send close to.
        private bool AmqpStarted => saslDone && State != ConnectionState.Start;

        /// <summary>Queues the protocol header and either sasl-init (pipelined, 5.3.2) or open.</summary>
        public void Open(long now)
        {
            if (State != ConnectionState.Start) throw new AmqpException(ErrorCode.IllegalState, "the connection was already opened");
            lastReceiveTick = now;
            lastSendTick = now;
            if (saslDone) WriteHeaderAndOpen();
            else WriteSaslStart();
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
            throw Performatives.Fault(ErrorCode.ResourceLimitExceeded, "all ", last + 1, " channels allowed by both sides are in use");
        }

        /// <summary>Queues close (with an optional error); the connection ends when the peer's close answers.</summary>
        public void Close(Error error)
        {
            if (State == ConnectionState.End || closeSent) return;
            if (!AmqpStarted)
            {
                // Nothing AMQP has been said yet: there is no one to send close to.
                End(null);
                return;
            }
            SendClose(error);
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
            End(reason ?? new AmqpException(ErrorCode.ConnectionLost, "the peer closed the connection"));
        }

        /// <summary>The next object with events, and which (<see cref="EngineEvent"/> bits); null when none.</summary>
        public EngineObject NextEvent(out int kinds)
        {
            EngineObject o = eventHead;
            kinds = 0;
            if (o == null) return null;
            eventHead = o.NextPending;
            if (eventHead == null) eventTail = null;
            o.NextPending = null;
            kinds = o.PendingEvents;
            o.PendingEvents = 0;
            return o;
        }

        /// <summary>Queues <paramref name="source"/> (once) with <paramref name="kind"/>, an <see cref="EngineEvent"/> bit (never 0).</summary>
        internal void Raise(EngineObject source, int kind)
        {
            if (source.PendingEvents == 0)
            {
                if (eventTail == null) eventHead = source;
                else eventTail.NextPending = source;
                eventTail = source;
            }
            source.PendingEvents |= kind;
        }

        /// <summary>The earliest tick at which <see cref="Tick"/> has something to do (long.MaxValue: nothing).</summary>
        public long NextDeadline
        {
            get
            {
                long next = long.MaxValue;
                if (!Running) return next;
                if (PeerIdleTimeoutMs > 0) next = lastSendTick + HeartbeatIntervalMs();
                uint ours = Settings.IdleTimeoutMs;
                long silent = lastReceiveTick + ours + 1;
                if (ours > 0 && silent < next) next = silent;
                return next;
            }
        }

        private long HeartbeatIntervalMs()
        {
            long ms = (long)PeerIdleTimeoutMs * HeartbeatPercent / 100;
            return ms < 1 ? 1 : ms;
        }

        /// <summary>Sends a heartbeat when we have been quiet too long, and ends a connection whose peer went silent.</summary>
        public void Tick(long now)
        {
            if (!Running) return;
            uint ours = Settings.IdleTimeoutMs;
            if (ours > 0 && now - lastReceiveTick > ours)
            {
                // 2.4.5: tell the peer why, then treat it as gone; the owner drops the transport.
                if (!closeSent) SendClose(new Error(ErrorCode.ResourceLimitExceeded, "idle timeout exceeded"));
                End(Performatives.Fault(ErrorCode.ConnectionLost, "no frame from the peer within the idle timeout of ", ours, " ms"));
                return;
            }
            if (PeerIdleTimeoutMs > 0 && now - lastSendTick >= HeartbeatIntervalMs() && !HasOutput) Frame.WriteEmpty(Output);
        }

        /// <summary>As <see cref="WriteControl"/>, for answers on a path that is ending anyway.</summary>
        internal void TryWriteControl(ushort channel, DescribedList performative)
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

        private void SendClose(Error error)
        {
            // Written before closeSent is set: WriteControl refuses frames once close is out.
            TryWriteControl(0, new Close { Error = error });
            closeSent = true;
        }

        /// <summary>Ends the connection once: every session and link fails with the reason; raises Ended.</summary>
        private void End(AmqpException error)
        {
            if (State == ConnectionState.End) return;
            Error = error;
            State = ConnectionState.End;
            AmqpException reason = error ?? new AmqpException(ErrorCode.IllegalState, "the connection is closed");
            foreach (Session s in sessions)
            {
                if (s != null) s.OnConnectionEnded(reason);
            }
            Raise(this, EngineEvent.Ended);
        }
    }
}
