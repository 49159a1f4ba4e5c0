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
        protected Link(Session session, string name, bool role, string address)
        {
            Session = session;
            Name = name;
            Role = role;
            Address = address;
        }

        public Session Session { get; }

        public string Name { get; }

        /// <summary>Our role: <see cref="Framing.Role.Sender"/> or <see cref="Framing.Role.Receiver"/>.</summary>
        public bool Role { get; }

        /// <summary>Target address of a sender, source address of a receiver.</summary>
        public string Address { get; }

        public uint Handle { get; internal set; }

        public uint RemoteHandle { get; private set; }

        public bool HasRemoteHandle { get; private set; }

        public LinkState State { get; protected set; }

        /// <summary>Why the link ended: the peer's detach error, ours, or the session's or connection's.</summary>
        public AmqpException Error { get; private set; }

        /// <summary>Attach properties the peer sent.</summary>
        public AmqpMap RemoteProperties { get; private set; }

        /// <summary>The peer's max-message-size (0: no limit).</summary>
        public ulong RemoteMaxMessageSize { get; private set; }

        internal uint DeliveryCount;
        internal uint LinkCredit;

        /// <summary>False on a receiver until the sender's attach told its initial-delivery-count (2.7.4).</summary>
        internal bool DeliveryCountKnown = true;

        public bool IsAttached => State == LinkState.Attached;

        /// <summary>True once it is detached for good (by either side, or its session or connection ending).</summary>
        public bool IsEnded => State == LinkState.Detached || State == LinkState.DetachSent;

        /// <summary>True once we sent detach ourselves with no error (a local close, not a fault).</summary>
        public bool ClosedByUs { get; private set; }

        protected Connection Connection => Session.Connection;

        /// <summary>Queues detach (closed) and fails what waits on the link; the handle stays until the peer answers.</summary>
        public void Close()
        {
            if (State == LinkState.Detached || State == LinkState.DetachSent) return;
            ClosedByUs = true;
            SendDetach(null, new AmqpException(ErrorCode.IllegalState, "link '" + Name + "' was closed"));
        }

        /// <summary>Detaches with an error of ours (2.6.5), for example a message over the size cap.</summary>
        internal void DetachWithError(AmqpException error)
        {
            if (State == LinkState.Detached || State == LinkState.DetachSent) return;
            SendDetach(Performatives.ErrorOf(error), error);
            Connection.Raise(this, EngineEvent.Ended);
        }

        private void SendDetach(Error wire, AmqpException reason)
        {
            State = LinkState.DetachSent;
            Error = reason;
            var d = new Detach();
            d.Handle = Handle;
            d.Closed = true;
            d.Error = wire;
            Connection.TryWriteControl(Session.Channel, d);
            OnEnded(reason);
        }

        protected void SendAttach(Attach attach, AmqpMap properties)
        {
            attach.Name = Name;
            attach.Handle = Handle;
            attach.Role = Role;
            attach.Properties = properties;
            State = LinkState.AttachSent;
            Connection.WriteControl(Session.Channel, attach);
        }

        internal void OnAttach(Attach attach)
        {
            if (HasRemoteHandle) throw new AmqpException(ErrorCode.IllegalState, "second attach for link '" + Name + "'");
            RemoteHandle = attach.Handle;
            HasRemoteHandle = true;
            RemoteProperties = attach.Properties;
            RemoteMaxMessageSize = attach.MaxMessageSize;
            if (State != LinkState.AttachSent) return;
            // 2.6.3: a peer that refuses the link attaches with a null terminus and detaches right after with the
            // reason; wait for that detach rather than reporting success.
            bool refused = Role == Framing.Role.Sender ? attach.Target == null : attach.Source == null;
            if (refused) return;
            State = LinkState.Attached;
            OnPeerAttached(attach);
            Connection.Raise(this, EngineEvent.Attached);
        }

        protected virtual void OnPeerAttached(Attach attach)
        {
        }

        internal void OnDetach(Detach detach)
        {
            if (State == LinkState.DetachSent)
            {
                // The answer to our own detach: the handle is free now.
                State = LinkState.Detached;
                Session.RemoveLink(this);
                return;
            }
            AmqpException error = detach.Error != null
                ? detach.Error.ToException()
                : new AmqpException(ErrorCode.DetachForced, "the peer detached link '" + Name + "'");
            var reply = new Detach();
            reply.Handle = Handle;
            reply.Closed = detach.Closed;
            Connection.TryWriteControl(Session.Channel, reply);
            Ended(error);
        }

        internal void OnSessionEnded(AmqpException reason)
        {
            if (State == LinkState.DetachSent)
            {
                State = LinkState.Detached;
                Session.RemoveLink(this);
                return;
            }
            Ended(reason);
        }

        private void Ended(AmqpException reason)
        {
            if (State == LinkState.Detached) return;
            Error = reason;
            State = LinkState.Detached;
            Session.RemoveLink(this);
            OnEnded(reason);
            Connection.Raise(this, EngineEvent.Ended);
        }

        /// <summary>Fails what is pending on the link with <paramref name="reason"/>.</summary>
        protected abstract void OnEnded(AmqpException reason);

        internal abstract void OnFlow(Flow flow);
    }
}
