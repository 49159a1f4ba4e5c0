// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
using IotHubAmqp.Device.Buffers;
using IotHubAmqp.Device.Framing;
using IotHubAmqp.Device.Types;

namespace IotHubAmqp.Device.Engine
{
    /// <summary>
    /// A session (AMQP 1.0 2.5): a channel, the transfer windows of 2.5.6, and a fixed table of links. The
    /// transfer-id (next-outgoing-id) counts frames; delivery-ids are a separate counter, unique in the session.
    /// </summary>
    internal sealed class Session : EngineObject
    {
        /// <summary>A device attaches at most telemetry, C2D, feedback, two CBS links and a few feature links.</summary>
        public const int MaxLinks = 8;

        /// <summary>Incoming window in transfer frames; credit bounds memory, this only needs to not stall a link.</summary>
        public const uint DefaultIncomingWindow = 256;

        internal readonly Connection Connection;
        private readonly Link[] links = new Link[MaxLinks];
        private readonly uint incomingWindowSize;
        private readonly Flow flow = new Flow();

        // 2.5.6 window state.
        internal uint NextOutgoingId;
        internal uint RemoteIncomingWindow;
        private uint nextDeliveryId;
        private uint nextIncomingId;
        private uint incomingWindow;
        private uint remoteHandleMax = uint.MaxValue;

        internal Session(Connection connection, ushort channel, uint incomingWindow)
        {
            Connection = connection;
            Channel = channel;
            incomingWindowSize = incomingWindow == 0 ? DefaultIncomingWindow : incomingWindow;
            this.incomingWindow = incomingWindowSize;
        }

        public readonly ushort Channel;

        public ushort RemoteChannel;

        public bool HasRemoteChannel;

        public SessionState State;

        public AmqpException Error;

        public bool IsMapped => State == SessionState.Mapped;

        // EndSent or Ended: the last two states.
        private bool IsEnding => State >= SessionState.EndSent;

        internal void SendBegin()
        {
            State = SessionState.BeginSent;
            // Sent once, before any transfer: next-outgoing-id is our initial transfer-id, 0, the field's default.
            Connection.WriteControl(Channel, new Begin { IncomingWindow = incomingWindow, OutgoingWindow = uint.MaxValue, HandleMax = MaxLinks - 1 });
        }

        /// <summary>Attaches a sending link to <paramref name="targetAddress"/> (queues attach).</summary>
        public SenderLink AttachSender(string name, string targetAddress, byte sndSettleMode, AmqpMap properties)
        {
            return (SenderLink)AttachLink(new SenderLink(this, name, targetAddress, sndSettleMode), properties);
        }

        /// <summary>Attaches a receiving link from <paramref name="sourceAddress"/> granting <paramref name="credit"/> messages.</summary>
        public ReceiverLink AttachReceiver(string name, string sourceAddress, uint credit, byte rcvSettleMode, int maxMessageSize, AmqpMap properties)
        {
            var link = new ReceiverLink(this, name, sourceAddress, credit, rcvSettleMode, maxMessageSize);
            AttachLink(link, properties);
            // Credit goes out right behind the attach (pipelined, 2.6.7) rather than a round trip later; without a
            // delivery-count, since the sender's initial one is not known yet (2.7.4).
            link.LinkCredit = credit;
            SendFlow(link);
            return link;
        }

        /// <summary>Queues end and fails the session's links; the channel stays mapped until the peer's end.</summary>
        public void End(AmqpException reason)
        {
            if (!IsEnding)
            {
                State = SessionState.EndSent;
                Error = reason;
                Connection.TryWriteControl(Channel, new End { Error = Performatives.ErrorOf(reason) });
                FailLinks();
            }
        }

        internal void ThrowIfEnded()
        {
            Connection.ThrowIfEnded();
            if (IsEnding) throw Ended();
        }

        // Why the session is gone (null Error: it was ended by us or the peer without one).
        private AmqpException Ended() => Error ?? new AmqpException(ErrorCode.IllegalState, "the session has ended");

        /// <summary>Takes the next delivery-id: one counter per session, so ids never collide across links.</summary>
        internal uint TakeDeliveryId()
        {
            nextDeliveryId++;
            return nextDeliveryId - 1;
        }

        // Takes a handle for the link and queues its attach; returns the link.
        private Link AttachLink(Link link, AmqpMap properties)
        {
            ThrowIfEnded();
            // Before the peer's begin arrives its handle-max is unknown; our table bounds us anyway.
            for (uint h = 0; h < MaxLinks && h <= remoteHandleMax; h++)
            {
                if (links[h] != null) continue;
                link.Handle = h;
                links[h] = link;
                link.SendAttach(properties);
                return link;
            }
            throw Performatives.Fault(ErrorCode.ResourceLimitExceeded, "all link handles allowed by both sides are in use (the peer's handle-max is ", remoteHandleMax, ")");
        }

        internal void RemoveLink(Link link)
        {
            if (links[link.Handle] == link) links[link.Handle] = null;
        }

        internal void OnBegin(ushort remoteChannel, Begin begin)
        {
            if (State != SessionState.BeginSent) throw new AmqpException(ErrorCode.IllegalState, "begin on a session that is not waiting for one");
            RemoteChannel = remoteChannel;
            HasRemoteChannel = true;
            nextIncomingId = begin.NextOutgoingId;
            RemoteIncomingWindow = begin.IncomingWindow;
            uint max = begin.HandleMax;
            remoteHandleMax = max;
            State = SessionState.Mapped;
            // Links attached before the begin arrived took handles from our table alone.
            for (uint h = max + 1; h < MaxLinks && h > max; h++)
            {
                if (links[h] != null)
                    throw Performatives.Fault(ErrorCode.FramingError, Performatives.Text("link handle ", h, " is above the peer's handle-max "), max, null);
            }
            Connection.Raise(this, EngineEvent.Opened);
        }

        internal void OnEnd(End end)
        {
            AmqpException error = Error;
            if (State != SessionState.EndSent)
            {
                Connection.TryWriteControl(Channel, new End());
                error = Performatives.ExceptionOf(end.Error, new AmqpException(ErrorCode.IllegalState, "the peer ended the session"));
            }
            OnEnded(error);
        }

        internal void OnConnectionEnded(AmqpException reason)
        {
            OnEnded(State == SessionState.EndSent ? Error : reason);
        }

        private void OnEnded(AmqpException reason)
        {
            if (State == SessionState.Ended) return;
            Error = reason;
            State = SessionState.Ended;
            Connection.RemoveSession(this);
            FailLinks();
            Connection.Raise(this, EngineEvent.Ended);
        }

        // Fails the links with the session's Error (set by both callers), or "the session has ended".
        private void FailLinks()
        {
            AmqpException reason = Ended();
            foreach (Link l in links)
            {
                if (l != null) l.OnSessionEnded(reason);
            }
        }

        internal void OnFrame(ulong code, ByteBuffer body)
        {
            if (State != SessionState.Mapped) return; // 2.5.5: frames crossing our end are dropped
            Connection c = Connection;
            if (code == Descriptor.Attach)
            {
                Attach attach = c.RxAttach;
                attach.Decode(body);
                LinkByName(attach.Name, attach.Role).OnAttach(attach);
            }
            else if (code == Descriptor.Flow)
            {
                Flow f = c.RxFlow;
                f.Decode(body);
                OnFlow(f);
            }
            else if (code == Descriptor.Transfer)
            {
                Transfer t = c.RxTransfer;
                t.Decode(body);
                OnTransfer(t, body);
            }
            else if (code == Descriptor.Disposition)
            {
                Disposition d = c.RxDisposition;
                d.Decode(body);
                // The peer's role names the side it settles for: a receiver's disposition is about our sends. A
                // sender's disposition (rcv-settle-mode second at the peer) needs nothing from us.
                if (d.Role != Role.Receiver) return;
                uint last = d.HasLast ? d.Last : d.First;
                for (int i = 0; i < MaxLinks; i++)
                {
                    if (links[i] is SenderLink s) s.OnDisposition(d.First, last, d.Settled, d.State);
                }
            }
            else
            {
                Detach detach = c.RxDetach;
                detach.Decode(body);
                Link l = LinkByRemoteHandle(detach.Handle, true);
                if (l != null) l.OnDetach(detach);
            }
        }

        private void OnFlow(Flow f)
        {
            // 2.5.6: the peer's incoming window counts from the next-incoming-id it names (our initial id, 0, when
            // absent: an absent field decodes as 0).
            RemoteIncomingWindow = f.NextIncomingId + f.IncomingWindow - NextOutgoingId;
            if (f.HasHandle)
            {
                Link link = LinkByRemoteHandle(f.Handle, true);
                if (link != null && link.State == LinkState.Attached) link.OnFlow(f);
            }
            else if (f.Echo)
            {
                SendFlow(null);
            }
        }

        private void OnTransfer(Transfer t, ByteBuffer payload)
        {
            uint size = incomingWindowSize;
            if (incomingWindow == 0)
            {
                // A window violation is the session's fault, not the connection's: end just this session (2.5.6).
                End(Performatives.Fault(ErrorCode.WindowViolation, "transfer beyond the incoming window of ", size, null));
                return;
            }
            nextIncomingId++;
            incomingWindow--;
            Link link = LinkByRemoteHandle(t.Handle, false);
            var receiver = link as ReceiverLink;
            if (receiver == null)
            {
                End(new AmqpException(ErrorCode.NotAllowed, "transfer on sending link " + link.Name));
                return;
            }
            // Frames the peer sent before it saw our detach (2.6.5) are counted in the window and dropped.
            if (link.State == LinkState.Attached) receiver.OnTransfer(t, payload);
            if ((incomingWindow == 0 || incomingWindow < size / 2) && State == SessionState.Mapped)
            {
                incomingWindow = size;
                SendFlow(null);
            }
        }

        /// <summary>Writes transfers for links that have work, credit and window (called while the output is small).</summary>
        internal void Pump()
        {
            if (State != SessionState.Mapped) return;
            for (int i = 0; i < MaxLinks; i++)
            {
                if (links[i] is SenderLink s && s.State == LinkState.Attached)
                {
                    s.Pump();
                    if (Connection.ExternalPending) return;
                }
            }
        }

        /// <summary>Queues a flow with the session's window and, when given, the link's credit state (2.7.4).</summary>
        internal void SendFlow(Link link)
        {
            // Only this method sets the flow we send: drain, echo and properties stay unset (false, null).
            Flow f = flow;
            bool forLink = link != null;
            f.HasNextIncomingId = HasRemoteChannel;
            f.NextIncomingId = nextIncomingId;
            f.IncomingWindow = incomingWindow;
            f.NextOutgoingId = NextOutgoingId;
            f.OutgoingWindow = uint.MaxValue;
            f.HasHandle = forLink;
            f.HasLinkCredit = forLink;
            f.HasDeliveryCount = forLink && link.DeliveryCountKnown;
            if (forLink)
            {
                f.Handle = link.Handle;
                f.DeliveryCount = link.DeliveryCount;
                f.LinkCredit = link.LinkCredit;
            }
            Connection.WriteControl(Channel, f);
        }

        /// <summary>One transfer frame of ours went out: it takes a transfer-id and a place in the peer's window.</summary>
        internal void TransferSent()
        {
            NextOutgoingId++;
            RemoteIncomingWindow--;
        }

        private Link LinkByName(string name, bool peerRole)
        {
            for (int i = 0; i < MaxLinks; i++)
            {
                Link l = links[i];
                // The peer's attach carries its own role: the opposite of ours.
                if (l != null && l.Name == name && l.Role != peerRole) return l;
            }
            throw new AmqpException(ErrorCode.NotImplemented, "attach for unknown link '" + name + "': peer-initiated links are not supported");
        }

        // A flow or detach for a handle we already forgot (our detach crossed the peer's frame) is dropped.
        private Link LinkByRemoteHandle(uint handle, bool mayBeGone)
        {
            for (int i = 0; i < MaxLinks; i++)
            {
                Link l = links[i];
                if (l != null && l.HasRemoteHandle && l.RemoteHandle == handle) return l;
            }
            if (mayBeGone) return null;
            throw Performatives.Fault(ErrorCode.UnattachedHandle, "frame for handle ", handle, ", which is not attached");
        }
    }
}
