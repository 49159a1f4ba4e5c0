// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
using System;
using System.Threading;
using IotHubAmqp.Device.Buffers;
using IotHubAmqp.Device.Framing;
using IotHubAmqp.Device.Platform;
using IotHubAmqp.Device.Sasl;
using IotHubAmqp.Device.Types;

namespace IotHubAmqp.Device.Engine
{
    /// <summary>Raised once when a connection ends; <paramref name="error"/> is null for a clean close we asked for.</summary>
    internal delegate void ConnectionClosedHandler(Connection connection, AmqpException error);

    /// <summary>
    /// An AMQP 1.0 client connection (2.4). One I/O thread reads and dispatches every frame; callers write
    /// frames under <see cref="writeLock"/> from their own threads, each frame (or whole small message) in one
    /// transport send. The connection handles open, begin, end and close itself and routes the rest by channel
    /// to its sessions. Buffers are sized once from our max-frame-size and reused.
    /// </summary>
    internal sealed class Connection
    {
        private readonly ITransport transport;
        private readonly IPlatform platform;
        private readonly ConnectionSettings settings;
        private readonly object writeLock = new object();
        private readonly ByteBuffer writeBuffer;
        private readonly FrameReader reader;
        private readonly ByteBuffer view = new ByteBuffer(new byte[0], 0, 0);
        private readonly Session[] sessions;
        private readonly ManualResetEvent opened = new ManualResetEvent(false);
        private readonly ManualResetEvent ended = new ManualResetEvent(false);

        // Decoded in place on the I/O thread, one instance each for the life of the connection.
        private readonly Open open = new Open();
        private readonly Begin begin = new Begin();
        private readonly End end = new End();
        private readonly Close close = new Close();
        internal readonly Attach RxAttach = new Attach();
        internal readonly Flow RxFlow = new Flow();
        internal readonly Transfer RxTransfer = new Transfer();
        internal readonly Disposition RxDisposition = new Disposition();
        internal readonly Detach RxDetach = new Detach();

        private Thread ioThread;
        private Timer heartbeat;
        private long lastSendTick;
        private long lastReceiveTick;
        private bool closeSent;
        private int terminated;

        private Connection(ITransport transport, ConnectionSettings settings, IPlatform platform)
        {
            this.transport = transport;
            this.settings = settings;
            this.platform = platform;
            if (settings.MaxFrameSize < Frame.MinMaxFrameSize)
                throw new ArgumentException("max frame size must be at least " + Frame.MinMaxFrameSize);
            writeBuffer = new ByteBuffer((int)settings.MaxFrameSize);
            reader = new FrameReader(transport, (int)settings.MaxFrameSize);
            sessions = new Session[settings.ChannelMax + 1];
            PeerMaxFrameSize = Frame.MinMaxFrameSize;
        }

        public ConnectionState State { get; private set; }

        /// <summary>Why the connection ended; null while it is open or after a clean close we asked for.</summary>
        public AmqpException Error { get; private set; }

        /// <summary>The limit the peer announced: no frame we write may be larger (2.7.1).</summary>
        public uint PeerMaxFrameSize { get; private set; }

        /// <summary>The peer's idle timeout in ms; we send a frame at least every half of it (2.4.5).</summary>
        public uint PeerIdleTimeoutMs { get; private set; }

        /// <summary>The highest channel the peer accepts (2.7.1 channel-max).</summary>
        public ushort PeerChannelMax { get; private set; } = ushort.MaxValue;

        public string PeerContainerId { get; private set; }

        public AmqpMap PeerProperties { get; private set; }

        /// <summary>The size our frames may have: the smaller of the two limits.</summary>
        internal int WriteFrameLimit => (int)(PeerMaxFrameSize < (uint)writeBuffer.Capacity ? PeerMaxFrameSize : (uint)writeBuffer.Capacity);

        internal IPlatform Platform => platform;

        /// <summary>Bytes written to and read from the transport (AMQP level, before TLS).</summary>
        public long BytesWritten { get; private set; }

        public long BytesRead => reader.BytesRead;

        public event ConnectionClosedHandler Closed;

        /// <summary>
        /// Runs SASL (if configured) on the caller's thread, then sends the AMQP header and open in one write
        /// and starts the I/O thread. Returns without waiting for the peer's open, so begin and attach can be
        /// pipelined behind it (2.4.1); <see cref="WaitOpened"/> waits.
        /// </summary>
        public static Connection Start(ITransport transport, ConnectionSettings settings, IPlatform platform, int timeoutMs)
        {
            var c = new Connection(transport, settings, platform);
            try
            {
                if (settings.Sasl != null) c.Authenticate(settings.Sasl);
                c.SendHeaderAndOpen();
            }
            catch (Exception e)
            {
                transport.Close();
                throw Wrap(e);
            }
            c.ioThread = new Thread(c.Run);
            c.ioThread.Start();
            return c;
        }

        /// <summary>Waits for the peer's open; throws the connection's error or a timeout.</summary>
        public void WaitOpened(int timeoutMs)
        {
            // Terminate sets 'opened' too, so one wait covers success and failure.
            opened.WaitOne(timeoutMs, false);
            if (State == ConnectionState.Opened) return;
            ThrowIfEnded();
            throw new AmqpException(ErrorCode.Timeout, "the peer did not answer open within " + timeoutMs + " ms");
        }

        /// <summary>Sends close (with an optional error), waits for the peer's close up to the timeout, and drops the transport.</summary>
        public void Close(int timeoutMs, Error error = null)
        {
            bool sent = false;
            lock (writeLock)
            {
                if (State != ConnectionState.End && !closeSent)
                {
                    // Marked before writing: the peer's answer may be read before WriteFrame returns.
                    closeSent = true;
                    State = ConnectionState.CloseSent;
                    try
                    {
                        var c = new Close();
                        c.Error = error;
                        WriteFrame(0, c);
                        sent = true;
                    }
                    catch (Exception)
                    {
                        // The transport is already gone: nothing to wait for.
                    }
                }
            }
            if (sent) ended.WaitOne(timeoutMs, false);
            Terminate(null);
            ended.WaitOne(timeoutMs, false);
        }

        /// <summary>Aborts the transport at once (tests and fault paths).</summary>
        public void Abort()
        {
            Terminate(new AmqpException(ErrorCode.ConnectionLost, "connection aborted locally"));
        }

        public bool IsOpen => State == ConnectionState.Opened;

        /// <summary>Creates a session on the first free channel and sends begin.</summary>
        public Session BeginSession(uint incomingWindow)
        {
            Session s;
            lock (sessions)
            {
                ThrowIfEnded();
                int ch = -1;
                // Before the peer's open arrives its channel-max is unknown; channel 0 is always allowed.
                int last = sessions.Length - 1;
                if (PeerChannelMax < last) last = PeerChannelMax;
                for (int i = 0; i <= last; i++)
                {
                    if (sessions[i] == null)
                    {
                        ch = i;
                        break;
                    }
                }
                if (ch < 0) throw new AmqpException(ErrorCode.ResourceLimitExceeded, "all " + (last + 1) + " channels allowed by both sides are in use");
                s = new Session(this, (ushort)ch, incomingWindow);
                sessions[ch] = s;
            }
            s.SendBegin();
            return s;
        }

        internal void RemoveSession(Session s)
        {
            lock (sessions)
            {
                if (sessions[s.Channel] == s) sessions[s.Channel] = null;
            }
        }

        internal void ThrowIfEnded()
        {
            if (State == ConnectionState.End || closeSent)
                throw Error ?? new AmqpException(ErrorCode.IllegalState, "the connection is closed");
        }

        /// <summary>Encodes one performative in one frame and sends it in one transport write.</summary>
        internal void WriteFrame(ushort channel, object performative)
        {
            lock (writeLock)
            {
                ByteBuffer b = writeBuffer;
                b.Reset();
                int start = Frame.Begin(b, Frame.TypeAmqp, channel);
                Performatives.Encode(b, performative);
                Frame.End(b, start);
                CheckFrameSize(b.Length, performative);
                Flush(b);
            }
        }

        /// <summary>The write buffer and lock, for a sender that builds transfer frames in place.</summary>
        internal object WriteLock => writeLock;

        internal ByteBuffer WriteBuffer => writeBuffer;

        internal void CheckFrameSize(int size, object what)
        {
            if (size > WriteFrameLimit)
                throw new AmqpException(ErrorCode.FrameSizeTooSmall, (what == null ? "frame" : what.GetType().Name) + " needs " + size + " bytes, the negotiated max-frame-size is " + WriteFrameLimit);
        }

        /// <summary>Sends the buffer's bytes; the caller holds the write lock.</summary>
        internal void Flush(ByteBuffer b)
        {
            if (State == ConnectionState.End) throw Error ?? new AmqpException(ErrorCode.IllegalState, "the connection is closed");
            try
            {
                transport.Send(b.Buffer, b.Offset, b.Length);
            }
            catch (Exception e)
            {
                var error = Wrap(e);
                Terminate(error);
                throw error;
            }
            BytesWritten += b.Length;
            lastSendTick = platform.TickMilliseconds;
        }

        private void Authenticate(SaslProfile profile)
        {
            // The header and sasl-init go out together (5.3.2 lets a client pipeline them): one round trip
            // instead of two; the mechanisms frame is still checked below.
            lock (writeLock)
            {
                ByteBuffer b = writeBuffer;
                b.Reset();
                ProtocolHeader.Write(b, ProtocolHeader.Sasl);
                int start = Frame.Begin(b, Frame.TypeSasl, 0);
                var init = new SaslInit();
                init.Mechanism = profile.Mechanism;
                init.InitialResponse = profile.InitialResponse;
                init.Hostname = settings.HostName;
                init.Encode(b);
                Frame.End(b, start);
                Flush(b);
            }
            reader.ReadProtocolHeader(ProtocolHeader.Sasl);
            bool offered = false;
            while (true)
            {
                ByteBuffer body = reader.ReadFrame(view);
                if (body.Length == 0) continue;
                if (reader.Type != Frame.TypeSasl) throw new AmqpException(ErrorCode.FramingError, "expected a SASL frame, got frame type " + reader.Type);
                ulong code = Decoder.ReadDescriptor(body);
                if (code == Descriptor.SaslMechanisms)
                {
                    var m = new SaslMechanisms();
                    m.Decode(body);
                    offered = Contains(m.SaslServerMechanisms, profile.Mechanism);
                    if (!offered)
                        throw new AmqpException(ErrorCode.NotImplemented, "the peer does not offer SASL " + profile.Mechanism + " (offers " + Join(m.SaslServerMechanisms) + ")");
                }
                else if (code == Descriptor.SaslOutcome)
                {
                    var o = new SaslOutcome();
                    o.Decode(body);
                    if (!offered) throw new AmqpException(ErrorCode.IllegalState, "SASL outcome before mechanisms");
                    if (o.Code != SaslOutcome.Ok)
                        throw new AmqpException(ErrorCode.UnauthorizedAccess, "SASL " + profile.Mechanism + " failed with outcome code " + o.Code + " (" + DescribeSaslCode(o.Code) + ")");
                    return;
                }
                else if (code == Descriptor.SaslChallenge)
                {
                    throw new AmqpException(ErrorCode.NotImplemented, "SASL " + profile.Mechanism + " takes no challenge, the peer sent one");
                }
                else
                {
                    throw new AmqpException(ErrorCode.FramingError, "unexpected SASL frame 0x" + code.ToString("X"));
                }
            }
        }

        private void SendHeaderAndOpen()
        {
            var o = new Open();
            o.ContainerId = settings.ContainerId;
            o.Hostname = settings.HostName;
            o.MaxFrameSize = settings.MaxFrameSize;
            o.ChannelMax = settings.ChannelMax;
            o.IdleTimeOut = settings.IdleTimeoutMs;
            lock (writeLock)
            {
                ByteBuffer b = writeBuffer;
                b.Reset();
                ProtocolHeader.Write(b, ProtocolHeader.Amqp);
                int start = Frame.Begin(b, Frame.TypeAmqp, 0);
                o.Encode(b);
                Frame.End(b, start);
                Flush(b);
                State = ConnectionState.OpenPipe;
            }
        }

        private void Run()
        {
            lastReceiveTick = platform.TickMilliseconds;
            try
            {
                reader.ReadProtocolHeader(ProtocolHeader.Amqp);
                if (State == ConnectionState.OpenPipe) State = ConnectionState.OpenSent;
                while (State != ConnectionState.End)
                {
                    ByteBuffer body = reader.ReadFrame(view);
                    lastReceiveTick = platform.TickMilliseconds;
                    if (body.Length == 0) continue;
                    if (reader.Type != Frame.TypeAmqp)
                        throw new AmqpException(ErrorCode.FramingError, "SASL frame after the AMQP header");
                    if (!Dispatch(reader.Channel, body)) return;
                }
            }
            catch (AmqpException e)
            {
                // A protocol error of the peer's: tell it why before dropping the transport (2.8.15).
                if (e.Condition != ErrorCode.ConnectionLost && e.Condition != ErrorCode.Timeout)
                    TrySendClose(e);
                Terminate(e);
            }
            catch (Exception e)
            {
                Terminate(Wrap(e));
            }
        }

        // Returns false once the connection is closed.
        private bool Dispatch(ushort channel, ByteBuffer body)
        {
            ulong code = Decoder.ReadDescriptor(body);
            if (State != ConnectionState.Opened && State != ConnectionState.CloseSent && code != Descriptor.Open && code != Descriptor.Close)
                throw new AmqpException(ErrorCode.IllegalState, Descriptor.NameOf(code) + " received before open");
            switch (code)
            {
                case Descriptor.Open:
                    open.Decode(body);
                    OnOpen();
                    return true;
                case Descriptor.Close:
                    close.Decode(body);
                    OnClose();
                    return false;
                case Descriptor.Begin:
                    begin.Decode(body);
                    OnBegin(channel);
                    return true;
                case Descriptor.End:
                    end.Decode(body);
                    FindSession(channel).OnEnd(end);
                    return true;
                case Descriptor.Attach:
                case Descriptor.Flow:
                case Descriptor.Transfer:
                case Descriptor.Disposition:
                case Descriptor.Detach:
                    FindSession(channel).OnFrame(code, body);
                    return true;
                default:
                    throw new AmqpException(ErrorCode.DecodeError, "unknown performative 0x" + code.ToString("X"));
            }
        }

        private void OnOpen()
        {
            if (State == ConnectionState.Opened) throw new AmqpException(ErrorCode.IllegalState, "second open");
            if (open.MaxFrameSize < Frame.MinMaxFrameSize)
                throw new AmqpException(ErrorCode.InvalidField, "peer max-frame-size " + open.MaxFrameSize + " is below the minimum of 512");
            PeerMaxFrameSize = open.MaxFrameSize;
            PeerIdleTimeoutMs = open.IdleTimeOut;
            PeerChannelMax = open.ChannelMax;
            PeerContainerId = open.ContainerId;
            PeerProperties = open.Properties;
            State = ConnectionState.Opened;
            StartHeartbeat();
            opened.Set();
        }

        private void OnClose()
        {
            AmqpException error = close.Error == null ? null : close.Error.ToException();
            bool weClosed;
            lock (writeLock) weClosed = closeSent;
            if (!weClosed)
            {
                // The peer closed first: answer, and report why it closed.
                TrySendClose(null);
                if (error == null) error = new AmqpException(ErrorCode.ConnectionForced, "the peer closed the connection");
            }
            Terminate(error);
        }

        private void OnBegin(ushort channel)
        {
            if (!begin.HasRemoteChannel)
                throw new AmqpException(ErrorCode.NotImplemented, "peer-initiated sessions are not supported");
            Session s = begin.RemoteChannel < sessions.Length ? sessions[begin.RemoteChannel] : null;
            if (s == null) throw new AmqpException(ErrorCode.IllegalState, "begin answers unknown channel " + begin.RemoteChannel);
            s.OnBegin(channel, begin);
        }

        private Session FindSession(ushort remoteChannel)
        {
            for (int i = 0; i < sessions.Length; i++)
            {
                Session s = sessions[i];
                if (s != null && s.HasRemoteChannel && s.RemoteChannel == remoteChannel) return s;
            }
            throw new AmqpException(ErrorCode.IllegalState, "frame on unmapped channel " + remoteChannel);
        }

        private void TrySendClose(AmqpException reason)
        {
            try
            {
                lock (writeLock)
                {
                    if (closeSent || State == ConnectionState.End) return;
                    closeSent = true;
                    var c = new Close();
                    if (reason != null) c.Error = Performatives.ErrorOf(reason);
                    WriteFrame(0, c);
                }
            }
            catch (Exception)
            {
                // Best effort: the transport may already be gone.
            }
        }

        private void StartHeartbeat()
        {
            uint ours = settings.IdleTimeoutMs;
            uint theirs = PeerIdleTimeoutMs;
            if (ours == 0 && theirs == 0) return;
            // Tick often enough to send within half the peer's timeout and to notice ours passing.
            uint period = uint.MaxValue;
            if (theirs > 0) period = theirs / 4;
            if (ours > 0 && ours / 4 < period) period = ours / 4;
            if (period < 50) period = 50;
            heartbeat = new Timer(OnHeartbeat, null, (int)period, (int)period);
        }

        private void OnHeartbeat(object state)
        {
            if (State == ConnectionState.End) return;
            long now = platform.TickMilliseconds;
            uint ours = settings.IdleTimeoutMs;
            if (ours > 0 && now - lastReceiveTick > ours)
            {
                var e = new AmqpException(ErrorCode.ConnectionLost, "no frame from the peer within the idle timeout of " + ours + " ms");
                TrySendClose(new AmqpException(ErrorCode.ResourceLimitExceeded, "idle timeout exceeded"));
                Terminate(e);
                return;
            }
            uint theirs = PeerIdleTimeoutMs;
            if (theirs > 0 && now - lastSendTick >= theirs / 2)
            {
                try
                {
                    lock (writeLock)
                    {
                        if (State == ConnectionState.End) return;
                        writeBuffer.Reset();
                        Frame.WriteEmpty(writeBuffer);
                        Flush(writeBuffer);
                    }
                }
                catch (Exception)
                {
                    // Flush already ended the connection.
                }
            }
        }

        /// <summary>Ends the connection once: drops the transport, fails every waiter, raises <see cref="Closed"/>.</summary>
        internal void Terminate(AmqpException error)
        {
            if (Interlocked.Exchange(ref terminated, 1) != 0) return;
            Error = error;
            State = ConnectionState.End;
            if (heartbeat != null) heartbeat.Dispose();
            try
            {
                transport.Close();
            }
            catch (Exception)
            {
                // Closing a broken transport may throw; it is closed either way.
            }
            Session[] copy;
            lock (sessions)
            {
                copy = (Session[])sessions.Clone();
            }
            AmqpException reason = error ?? new AmqpException(ErrorCode.IllegalState, "the connection is closed");
            for (int i = 0; i < copy.Length; i++)
            {
                if (copy[i] != null) copy[i].OnConnectionEnded(reason);
            }
            ended.Set();
            opened.Set();
            ConnectionClosedHandler handler = Closed;
            if (handler != null) handler(this, error);
        }

        internal static AmqpException Wrap(Exception e)
        {
            if (e is AmqpException a) return a;
            return new AmqpException(ErrorCode.ConnectionLost, e.GetType().Name + ": " + e.Message);
        }

        private static string DescribeSaslCode(byte code)
        {
            switch (code)
            {
                case SaslOutcome.Auth: return "authentication failed";
                case SaslOutcome.Sys: return "system error";
                case SaslOutcome.SysPerm: return "permanent system error";
                case SaslOutcome.SysTemp: return "temporary system error";
                default: return "unknown code";
            }
        }

        private static bool Contains(string[] list, string value)
        {
            if (list == null) return false;
            for (int i = 0; i < list.Length; i++) if (list[i] == value) return true;
            return false;
        }

        private static string Join(string[] list)
        {
            if (list == null || list.Length == 0) return "none";
            string s = list[0];
            for (int i = 1; i < list.Length; i++) s += ", " + list[i];
            return s;
        }
    }
}
