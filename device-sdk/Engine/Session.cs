// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
using System.Threading;
using IotHubAmqp.Device.Buffers;
using IotHubAmqp.Device.Framing;
using IotHubAmqp.Device.Types;

namespace IotHubAmqp.Device.Engine
{
    /// <summary>
    /// A session (AMQP 1.0 2.5): a channel, the transfer windows of 2.5.6, and a fixed table of links.
    /// Frames for its links arrive on the connection's I/O thread and are routed here by handle.
    /// </summary>
    internal sealed class Session
    {
        /// <summary>A device attaches at most telemetry, C2D, feedback and two CBS links.</summary>
        public const int MaxLinks = 8;

        /// <summary>Incoming window in transfer frames; credit bounds memory, this only needs to not stall a link.</summary>
        public const uint DefaultIncomingWindow = 256;

        private readonly Connection connection;
        private readonly Link[] links = new Link[MaxLinks];
        private readonly ManualResetEvent mapped = new ManualResetEvent(false);
        private readonly uint incomingWindowSize;
        private readonly Flow flow = new Flow();

        // 2.5.6 session window state. Writes happen under the connection's write lock.
        internal uint NextOutgoingId;
        internal uint RemoteIncomingWindow;
        private uint nextIncomingId;
        private uint incomingWindow;
        private uint remoteHandleMax = uint.MaxValue;

        internal Session(Connection connection, ushort channel, uint incomingWindow)
        {
            this.connection = connection;
            Channel = channel;
            incomingWindowSize = incomingWindow == 0 ? DefaultIncomingWindow : incomingWindow;
            this.incomingWindow = incomingWindowSize;
        }

        public ushort Channel { get; }

        public ushort RemoteChannel { get; private set; }

        public bool HasRemoteChannel { get; private set; }

        public SessionState State { get; private set; }

        public AmqpException Error { get; private set; }

        internal Connection Connection => connection;

        internal void SendBegin()
        {
            var b = new Begin();
            b.NextOutgoingId = NextOutgoingId;
            b.IncomingWindow = incomingWindow;
            b.OutgoingWindow = uint.MaxValue;
            b.HandleMax = MaxLinks - 1;
            State = SessionState.BeginSent;
            connection.WriteFrame(Channel, b);
        }

        /// <summary>Waits until the peer's begin arrived; throws the session's or connection's error, or a timeout.</summary>
        public void WaitMapped(int timeoutMs)
        {
            mapped.WaitOne(timeoutMs, false);
            if (State == SessionState.Mapped) return;
            ThrowIfEnded();
            throw new AmqpException(ErrorCode.Timeout, "the peer did not answer begin within " + timeoutMs + " ms");
        }

        /// <summary>Attaches a sending link to <paramref name="targetAddress"/> (sends attach, does not wait).</summary>
        public SenderLink AttachSender(string name, string targetAddress, byte sndSettleMode, AmqpMap properties)
        {
            var link = new SenderLink(this, name, targetAddress, sndSettleMode);
            Register(link);
            link.SendAttach(properties);
            return link;
        }

        /// <summary>Attaches a receiving link from <paramref name="sourceAddress"/> with <paramref name="credit"/> messages of prefetch.</summary>
        public ReceiverLink AttachReceiver(string name, string sourceAddress, uint credit, byte rcvSettleMode, int maxMessageSize, AmqpMap properties)
        {
            var link = new ReceiverLink(this, name, sourceAddress, credit, rcvSettleMode, maxMessageSize);
            Register(link);
            link.SendAttach(properties);
            return link;
        }

        /// <summary>
        /// Sends end and fails the session's links. The channel stays mapped until the peer's end answers.
        /// </summary>
        public void End(AmqpException reason = null)
        {
            if (State == SessionState.Ended || State == SessionState.EndSent) return;
            var e = new End();
            if (reason != null) e.Error = Performatives.ErrorOf(reason);
            State = SessionState.EndSent;
            Error = reason ?? new AmqpException(ErrorCode.IllegalState, "the session was ended");
            try
            {
                connection.WriteFrame(Channel, e);
            }
            catch (AmqpException)
            {
                // The connection is gone: nothing will answer.
                OnEnded(Error);
                return;
            }
            FailLinks(Error);
        }

        internal void ThrowIfEnded()
        {
            connection.ThrowIfEnded();
            if (State == SessionState.Ended || State == SessionState.EndSent)
                throw Error ?? new AmqpException(ErrorCode.IllegalState, "the session has ended");
        }

        private void Register(Link link)
        {
            ThrowIfEnded();
            lock (links)
            {
                // Before the peer's begin arrives its handle-max is unknown; our table bounds us anyway.
                for (uint h = 0; h < links.Length && h <= remoteHandleMax; h++)
                {
                    if (links[h] == null)
                    {
                        link.Handle = h;
                        links[h] = link;
                        return;
                    }
                }
            }
            throw new AmqpException(ErrorCode.ResourceLimitExceeded, "all link handles allowed by both sides (" + MaxLinks + " here, handle-max " + remoteHandleMax + " there) are in use");
        }

        internal void RemoveLink(Link link)
        {
            lock (links)
            {
                if (link.Handle < links.Length && links[link.Handle] == link) links[link.Handle] = null;
            }
        }

        internal void OnBegin(ushort remoteChannel, Begin begin)
        {
            if (State != SessionState.BeginSent) throw new AmqpException(ErrorCode.IllegalState, "begin on a session that is not waiting for one");
            RemoteChannel = remoteChannel;
            HasRemoteChannel = true;
            nextIncomingId = begin.NextOutgoingId;
            RemoteIncomingWindow = begin.IncomingWindow;
            remoteHandleMax = begin.HandleMax;
            State = SessionState.Mapped;
            mapped.Set();
        }

        internal void OnEnd(End end)
        {
            AmqpException error = end.Error == null ? new AmqpException(ErrorCode.IllegalState, "the peer ended the session") : end.Error.ToException();
            if (State != SessionState.EndSent)
            {
                try
                {
                    connection.WriteFrame(Channel, new End());
                }
                catch (AmqpException)
                {
                    // The connection is going down; the session ends either way.
                }
            }
            OnEnded(error);
        }

        internal void OnConnectionEnded(AmqpException reason)
        {
            OnEnded(reason);
        }

        private void OnEnded(AmqpException reason)
        {
            if (State == SessionState.Ended) return;
            if (State != SessionState.EndSent) Error = reason;
            State = SessionState.Ended;
            connection.RemoveSession(this);
            mapped.Set();
            FailLinks(Error);
        }

        private void FailLinks(AmqpException reason)
        {
            Link[] copy;
            lock (links)
            {
                copy = (Link[])links.Clone();
            }
            for (int i = 0; i < copy.Length; i++)
            {
                if (copy[i] != null) copy[i].OnSessionEnded(reason);
            }
        }

        internal void OnFrame(ulong code, ByteBuffer body)
        {
            switch (code)
            {
                case Descriptor.Attach:
                    Attach attach = connection.RxAttach;
                    attach.Decode(body);
                    LinkByName(attach.Name, attach.Role).OnAttach(attach);
                    break;
                case Descriptor.Flow:
                    Flow f = connection.RxFlow;
                    f.Decode(body);
                    OnFlow(f);
                    break;
                case Descriptor.Transfer:
                    Transfer t = connection.RxTransfer;
                    t.Decode(body);
                    OnTransfer(t, body);
                    break;
                case Descriptor.Disposition:
                    Disposition d = connection.RxDisposition;
                    d.Decode(body);
                    OnDisposition(d);
                    break;
                case Descriptor.Detach:
                    Detach detach = connection.RxDetach;
                    detach.Decode(body);
                    LinkByRemoteHandle(detach.Handle).OnDetach(detach);
                    break;
            }
        }

        private void OnFlow(Flow f)
        {
            // 2.5.6: the peer's incoming window counts from the next-incoming-id it names (ours when absent).
            lock (connection.WriteLock)
            {
                uint peerNextIncoming = f.HasNextIncomingId ? f.NextIncomingId : 0;
                RemoteIncomingWindow = peerNextIncoming + f.IncomingWindow - NextOutgoingId;
            }
            if (f.HasHandle)
            {
                Link link = LinkByRemoteHandle(f.Handle);
                if (link.State != LinkState.DetachSent) link.OnFlow(f);
            }
            else if (f.Echo)
            {
                SendFlow(null);
            }
            SignalSenders();
        }

        private void OnTransfer(Transfer t, ByteBuffer payload)
        {
            if (incomingWindow == 0)
                throw new AmqpException(ErrorCode.WindowViolation, "transfer beyond the incoming window of " + incomingWindowSize);
            nextIncomingId++;
            incomingWindow--;
            Link link = LinkByRemoteHandle(t.Handle);
            if (!(link is ReceiverLink receiver))
                throw new AmqpException(ErrorCode.NotAllowed, "transfer on sending link " + link.Name);
            // Frames the peer sent before it saw our detach (2.6.5) are counted in the window and dropped.
            if (link.State != LinkState.DetachSent) receiver.OnTransfer(t, payload);
            if (incomingWindow < incomingWindowSize / 2)
            {
                incomingWindow = incomingWindowSize;
                SendFlow(null);
            }
        }

        private void OnDisposition(Disposition d)
        {
            // The peer's role names the side it settles for: a receiver's disposition is about our sends. A sender's
            // disposition (rcv-settle-mode second: it settles after our outcome) needs nothing from us.
            if (d.Role != Role.Receiver) return;
            uint last = d.HasLast ? d.Last : d.First;
            // No copy of the table: a disposition arrives for every send, and each slot is read once, so a link
            // added or removed meanwhile is either seen whole or not at all (reference reads are atomic).
            for (int i = 0; i < links.Length; i++)
            {
                if (links[i] is SenderLink s) s.OnDisposition(d.First, last, d.Settled, d.State);
            }
        }

        /// <summary>Sends a flow with the session's window and, when given, the link's credit state (2.7.4).</summary>
        internal void SendFlow(Link link)
        {
            lock (connection.WriteLock)
            {
                flow.HasNextIncomingId = HasRemoteChannel;
                flow.NextIncomingId = nextIncomingId;
                flow.IncomingWindow = incomingWindow;
                flow.NextOutgoingId = NextOutgoingId;
                flow.OutgoingWindow = uint.MaxValue;
                flow.HasHandle = link != null;
                flow.HasDeliveryCount = link != null;
                flow.HasLinkCredit = link != null;
                flow.HasAvailable = false;
                flow.Drain = false;
                flow.Echo = false;
                flow.Properties = null;
                if (link != null)
                {
                    flow.Handle = link.Handle;
                    flow.DeliveryCount = link.DeliveryCount;
                    flow.LinkCredit = link.LinkCredit;
                }
                connection.WriteFrame(Channel, flow);
            }
        }

        private void SignalSenders()
        {
            for (int i = 0; i < links.Length; i++)
            {
                if (links[i] is SenderLink s) s.SignalCredit();
            }
        }

        private Link LinkByName(string name, bool peerRole)
        {
            lock (links)
            {
                for (int i = 0; i < links.Length; i++)
                {
                    Link l = links[i];
                    // The peer's attach carries its own role: the opposite of ours.
                    if (l != null && l.Name == name && l.Role != peerRole) return l;
                }
            }
            throw new AmqpException(ErrorCode.NotImplemented, "attach for unknown link '" + name + "': peer-initiated links are not supported");
        }

        private Link LinkByRemoteHandle(uint handle)
        {
            lock (links)
            {
                for (int i = 0; i < links.Length; i++)
                {
                    Link l = links[i];
                    if (l != null && l.HasRemoteHandle && l.RemoteHandle == handle) return l;
                }
            }
            throw new AmqpException(ErrorCode.UnattachedHandle, "frame for handle " + handle + ", which is not attached");
        }
    }
}
