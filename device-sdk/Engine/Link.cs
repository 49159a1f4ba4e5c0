// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
using IotHubAmqp.Device.Framing;

namespace IotHubAmqp.Device.Engine
{
    /// <summary>
    /// What sending and receiving links share (AMQP 1.0 2.6): name, handles, the attach/detach handshake,
    /// delivery-count and link-credit (2.6.7), and the error that ended the link. Events: Attached, Ended.
    /// </summary>
    internal abstract class Link : EngineObject
    {
        protected Link(Session session, string name, bool role, string address, byte settleMode)
        {
            Session = session;
            Connection = session.Connection;
            Name = name;
            Role = role;
            Address = address;
            SettleMode = settleMode;
        }

        public readonly Session Session;

        public readonly string Name;

        /// <summary>Our role: <see cref="Framing.Role.Sender"/> or <see cref="Framing.Role.Receiver"/>.</summary>
        public readonly bool Role;

        /// <summary>Target address of a sender, source address of a receiver.</summary>
        public readonly string Address;

        /// <summary>Our settle mode: snd-settle-mode of a sender, rcv-settle-mode of a receiver (2.7.3).</summary>
        protected readonly byte SettleMode;

        protected readonly Connection Connection;

        public uint Handle;

        public uint RemoteHandle;

        public bool HasRemoteHandle;

        public LinkState State;

        /// <summary>Why the link ended: the peer's detach error, ours, or the session's or connection's.</summary>
        public AmqpException Error;

        /// <summary>Attach properties the peer sent.</summary>
        public AmqpMap RemoteProperties;

        /// <summary>The peer's max-message-size (0: no limit).</summary>
        public ulong RemoteMaxMessageSize;

        /// <summary>True once we sent detach ourselves with no error (a local close, not a fault).</summary>
        public bool ClosedByUs;

        internal uint DeliveryCount;
        internal uint LinkCredit;

        /// <summary>False on a receiver until the sender's attach told its initial-delivery-count (2.7.4).</summary>
        internal bool DeliveryCountKnown = true;

        /// <summary>The max-message-size we announce (a receiver's cap; 0 on a sender: none).</summary>
        protected int MaxMessageSize;

        public bool IsAttached => State == LinkState.Attached;

        /// <summary>True once it is detached for good (by either side, or its session or connection ending).</summary>
        public bool IsEnded => State == LinkState.Detached || State == LinkState.DetachSent;

        /// <summary>Queues detach (closed) and fails what waits on the link; the handle stays until the peer answers.</summary>
        public void Close()
        {
            if (IsEnded) return;
            ClosedByUs = true;
            SendDetach(null, Failure(ErrorCode.IllegalState, "was closed"));
        }

        /// <summary>Detaches with an error of ours (2.6.5), for example a message over the size cap.</summary>
        internal void DetachWithError(AmqpException error)
        {
            if (IsEnded) return;
            SendDetach(Performatives.ErrorOf(error), error);
            Connection.Raise(this, EngineEvent.Ended);
        }

        /// <summary>An error about this link: "link 'name' <paramref name="what"/>".</summary>
        internal AmqpException Failure(string condition, string what) => new AmqpException(condition, "link '" + Name + "' " + what);

        /// <summary>Detaches with <see cref="Failure"/>: the peer broke the link's rules, or a message cannot be taken.</summary>
        protected void DetachWith(string condition, string what) => DetachWithError(Failure(condition, what));

        private void SendDetach(Error wire, AmqpException reason)
        {
            State = LinkState.DetachSent;
            WriteDetach(true, wire);
            EndWith(reason);
        }

        // Records why the link ended and fails what waits on it.
        private void EndWith(AmqpException reason)
        {
            Error = reason;
            OnEnded(reason);
        }

        private void WriteDetach(bool closed, Error wire)
        {
            Connection.TryWriteControl(Session.Channel, new Detach { Handle = Handle, Closed = closed, Error = wire });
        }

        /// <summary>Queues attach: a sender's target and a receiver's source is its address, the other terminus its name.</summary>
        internal void SendAttach(AmqpMap properties)
        {
            bool sender = Role == Framing.Role.Sender;
            var a = new Attach
            {
                Name = Name,
                Handle = Handle,
                Role = Role,
                Properties = properties,
                Source = new Source { Address = sender ? Name : Address },
                Target = new Target { Address = sender ? Address : Name },
                // 2.7.3: a sender names its initial-delivery-count (ours is 0).
                HasInitialDeliveryCount = sender,
                // 0 on a sender: none announced.
                MaxMessageSize = (ulong)MaxMessageSize,
            };
            // The other side's settle mode keeps its default: a sender's rcv-settle-mode first, a receiver's
            // snd-settle-mode mixed.
            if (sender) a.SndSettleMode = SettleMode;
            else a.RcvSettleMode = SettleMode;
            State = LinkState.AttachSent;
            Connection.WriteControl(Session.Channel, a);
        }

        internal void OnAttach(Attach attach)
        {
            if (HasRemoteHandle) throw Failure(ErrorCode.IllegalState, "got a second attach");
            RemoteHandle = attach.Handle;
            HasRemoteHandle = true;
            RemoteProperties = attach.Properties;
            RemoteMaxMessageSize = attach.MaxMessageSize;
            if (State != LinkState.AttachSent) return;
            // 2.6.3: a peer that refuses the link attaches with a null terminus and detaches right after with the
            // reason; wait for that detach rather than reporting success.
            if (Role == Framing.Role.Sender ? attach.Target == null : attach.Source == null) return;
            State = LinkState.Attached;
            if (Role == Framing.Role.Receiver)
            {
                // 2.6.7: a receiver's delivery-count mirrors the sender's, starting from its initial-delivery-count.
                // An absent initial-delivery-count decodes as 0.
                DeliveryCount = attach.InitialDeliveryCount;
                DeliveryCountKnown = true;
            }
            Connection.Raise(this, EngineEvent.Attached);
        }

        internal void OnDetach(Detach detach)
        {
            // Our own detach crossed or is answered: the handle is free now, nothing to answer.
            if (State != LinkState.DetachSent) WriteDetach(detach.Closed, null);
            OnSessionEnded(Performatives.ExceptionOf(detach.Error, Failure(ErrorCode.DetachForced, "was detached by the peer")));
        }

        /// <summary>The link is gone with <paramref name="reason"/> (after our detach: as we said).</summary>
        internal void OnSessionEnded(AmqpException reason)
        {
            if (State != LinkState.Detached)
            {
                bool ours = State == LinkState.DetachSent;
                State = LinkState.Detached;
                Session.RemoveLink(this);
                if (!ours)
                {
                    EndWith(reason);
                    Connection.Raise(this, EngineEvent.Ended);
                }
            }
        }

        /// <summary>Fails what is pending on the link with <paramref name="reason"/>.</summary>
        protected abstract void OnEnded(AmqpException reason);

        internal abstract void OnFlow(Flow flow);
    }
}
