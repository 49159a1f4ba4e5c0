// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
using System.Threading;
using IotHubAmqp.Device.Framing;

namespace IotHubAmqp.Device.Engine
{
    /// <summary>
    /// What sending and receiving links share (AMQP 1.0 2.6): name, handles, the attach/detach handshake,
    /// delivery-count and link-credit (2.6.7), and the error that ended the link.
    /// </summary>
    /// <summary>Raised when the peer (or the session or connection ending) detaches a link we did not close.</summary>
    internal delegate void LinkDetachedHandler(Link link, AmqpException error);

    internal abstract class Link
    {
        private readonly ManualResetEvent attached = new ManualResetEvent(false);
        private readonly ManualResetEvent detached = new ManualResetEvent(false);

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

        /// <summary>Why the link ended: the peer's detach error, or the session's or connection's.</summary>
        public AmqpException Error { get; private set; }

        /// <summary>Attach properties the peer sent.</summary>
        public AmqpMap RemoteProperties { get; private set; }

        /// <summary>The peer's max-message-size (0: no limit).</summary>
        public ulong RemoteMaxMessageSize { get; private set; }

        internal uint DeliveryCount;
        internal uint LinkCredit;

        public bool IsAttached => State == LinkState.Attached;

        /// <summary>True once we sent detach ourselves (a local close, not a fault).</summary>
        public bool ClosedByUs { get; private set; }

        /// <summary>Called once on the thread that saw the link end, unless we closed it ourselves.</summary>
        public LinkDetachedHandler Detached;

        /// <summary>Waits for the peer's attach; throws the detach error (a refused attach), or a timeout.</summary>
        public void WaitAttached(int timeoutMs)
        {
            attached.WaitOne(timeoutMs, false);
            if (State == LinkState.Attached) return;
            ThrowIfDetached();
            throw new AmqpException(ErrorCode.Timeout, "the peer did not answer attach of '" + Name + "' within " + timeoutMs + " ms");
        }

        /// <summary>
        /// Sends detach (closed) and fails whatever waits on the link. The handle stays mapped until the
        /// peer's detach answers, so that answer is not mistaken for a frame on an unknown handle.
        /// </summary>
        public void Close()
        {
            if (State == LinkState.Detached || State == LinkState.DetachSent) return;
            State = LinkState.DetachSent;
            ClosedByUs = true;
            Error = new AmqpException(ErrorCode.IllegalState, "link '" + Name + "' was closed");
            var d = new Detach();
            d.Handle = Handle;
            d.Closed = true;
            try
            {
                Session.Connection.WriteFrame(Session.Channel, d);
            }
            catch (AmqpException)
            {
                // The connection is gone; the link is detached either way.
            }
            attached.Set();
            OnEnded(Error);
        }

        /// <summary>Closes the link and waits up to <paramref name="timeoutMs"/> for the peer's detach; returns whether it came.</summary>
        public bool Close(int timeoutMs)
        {
            Close();
            return detached.WaitOne(timeoutMs, false);
        }

        internal void ThrowIfDetached()
        {
            if (State == LinkState.Detached || State == LinkState.DetachSent)
                throw Error ?? new AmqpException(ErrorCode.IllegalState, "link '" + Name + "' is detached");
        }

        protected void SendAttach(Attach attach, AmqpMap properties)
        {
            attach.Name = Name;
            attach.Handle = Handle;
            attach.Role = Role;
            attach.Properties = properties;
            State = LinkState.AttachSent;
            Session.Connection.WriteFrame(Session.Channel, attach);
        }

        internal void OnAttach(Attach attach)
        {
            RemoteHandle = attach.Handle;
            HasRemoteHandle = true;
            RemoteProperties = attach.Properties;
            RemoteMaxMessageSize = attach.MaxMessageSize;
            // 2.6.3: a peer that refuses the link attaches with a null terminus and detaches right after
            // with the reason; wait for that detach rather than reporting success.
            bool refused = Role == Framing.Role.Sender ? attach.Target == null : attach.Source == null;
            if (refused) return;
            OnPeerAttached(attach);
            if (State == LinkState.AttachSent) State = LinkState.Attached;
            attached.Set();
        }

        protected virtual void OnPeerAttached(Attach attach)
        {
        }

        internal void OnDetach(Detach detach)
        {
            AmqpException error = detach.Error != null
                ? detach.Error.ToException()
                : new AmqpException(ErrorCode.DetachForced, "the peer detached link '" + Name + "'");
            if (State != LinkState.DetachSent)
            {
                var reply = new Detach();
                reply.Handle = Handle;
                reply.Closed = detach.Closed;
                try
                {
                    Session.Connection.WriteFrame(Session.Channel, reply);
                }
                catch (AmqpException)
                {
                    // Going down anyway.
                }
            }
            Ended(error);
        }

        internal void OnSessionEnded(AmqpException reason)
        {
            Ended(reason);
        }

        /// <summary>
        /// Detaches with an error of ours (2.6.5), for example a message over the size cap: waiters fail with
        /// <paramref name="error"/> and the owner hears of it through <see cref="Detached"/> at once.
        /// </summary>
        protected void DetachWithError(AmqpException error)
        {
            if (State == LinkState.Detached || State == LinkState.DetachSent) return;
            State = LinkState.DetachSent;
            Error = error;
            var d = new Detach();
            d.Handle = Handle;
            d.Closed = true;
            d.Error = Performatives.ErrorOf(error);
            try
            {
                Session.Connection.WriteFrame(Session.Channel, d);
            }
            catch (AmqpException)
            {
                // The connection is going down; the link is detached either way.
            }
            attached.Set();
            OnEnded(error);
            LinkDetachedHandler handler = Detached;
            if (handler != null) handler(this, error);
        }

        private void Ended(AmqpException reason)
        {
            if (State == LinkState.Detached) return;
            // After our own detach (a close or an error of ours) waiters already failed: this is only the answer.
            bool detachSent = State == LinkState.DetachSent;
            if (!detachSent) Error = reason;
            State = LinkState.Detached;
            Session.RemoveLink(this);
            attached.Set();
            detached.Set();
            if (detachSent) return;
            OnEnded(reason);
            LinkDetachedHandler handler = Detached;
            if (handler != null) handler(this, reason);
        }

        /// <summary>Wakes everything waiting on the link: pending sends and receives fail with <paramref name="reason"/>.</summary>
        protected abstract void OnEnded(AmqpException reason);

        internal abstract void OnFlow(Flow flow);
    }
}
