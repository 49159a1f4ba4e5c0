// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
using System;
using System.Threading;
using IotHubAmqp.Device.Buffers;
using IotHubAmqp.Device.Framing;
using IotHubAmqp.Device.Messaging;

namespace IotHubAmqp.Device.Engine
{
    /// <summary>
    /// A sending link. A message that fits one frame is encoded straight into the connection's write buffer
    /// behind its transfer performative and leaves in one transport write; a larger one is encoded once into
    /// a scratch buffer and split over frames (2.6.14). Unsettled sends wait for the peer's outcome.
    /// </summary>
    internal sealed class SenderLink : Link
    {
        /// <summary>Unsettled deliveries in flight at once; bounds memory whatever credit the peer grants.</summary>
        public const int MaxInFlight = 16;

        /// <summary>The largest message this link will encode (IoT Hub takes 256 KB; AMQP framing adds a little).</summary>
        public const int MaxMessageBytes = 1024 * 1024;

        private readonly byte sndSettleMode;
        private readonly Transfer transfer = new Transfer();
        private readonly byte[] tag = new byte[4];
        private readonly OutgoingDelivery[] slots = new OutgoingDelivery[MaxInFlight];
        private readonly ManualResetEvent canSend = new ManualResetEvent(false);
        private ByteBuffer scratch;
        private bool sendingLarge;

        internal SenderLink(Session session, string name, string address, byte sndSettleMode)
            : base(session, name, Framing.Role.Sender, address)
        {
            this.sndSettleMode = sndSettleMode;
        }

        internal void SendAttach(AmqpMap properties)
        {
            var a = new Attach();
            a.SndSettleMode = sndSettleMode;
            a.RcvSettleMode = ReceiverSettleMode.First;
            a.Source = new Source();
            a.Source.Address = Name;
            a.Target = new Target();
            a.Target.Address = Address;
            a.HasInitialDeliveryCount = true;
            a.InitialDeliveryCount = 0;
            SendAttach(a, properties);
        }

        /// <summary>Sends and waits for the outcome; returns null for a settled (fire-and-forget) link.</summary>
        public Outcome Send(Message message, int timeoutMs)
        {
            long deadline = Session.Connection.Platform.TickMilliseconds + timeoutMs;
            OutgoingDelivery d = BeginSend(message, timeoutMs);
            if (d == null) return null;
            return EndSend(d, Remaining(deadline));
        }

        /// <summary>
        /// Waits for credit and a free slot, then writes the message. Returns the slot to pass to
        /// <see cref="EndSend"/>, or null when the link sends settled.
        /// </summary>
        public OutgoingDelivery BeginSend(Message message, int timeoutMs)
        {
            Connection c = Session.Connection;
            long deadline = c.Platform.TickMilliseconds + timeoutMs;
            while (true)
            {
                lock (c.WriteLock)
                {
                    ThrowIfDetached();
                    Session.ThrowIfEnded();
                    OutgoingDelivery slot = sndSettleMode == SenderSettleMode.Settled ? null : FreeSlot();
                    bool ready = State == LinkState.Attached && LinkCredit > 0 && Session.RemoteIncomingWindow > 0 && !sendingLarge
                        && (slot != null || sndSettleMode == SenderSettleMode.Settled);
                    if (ready)
                    {
                        uint id = Session.NextOutgoingId;
                        if (slot != null) slot.Reset(id);
                        try
                        {
                            WriteTransfer(message, id, deadline);
                        }
                        catch (Exception)
                        {
                            if (slot != null) slot.InUse = false;
                            throw;
                        }
                        return slot;
                    }
                    canSend.Reset();
                }
                int wait = Remaining(deadline);
                if (wait == 0)
                    throw new AmqpException(ErrorCode.Timeout, State == LinkState.Attached
                        ? "no credit from the peer on link '" + Name + "' within " + timeoutMs + " ms"
                        : "link '" + Name + "' was not attached within " + timeoutMs + " ms");
                canSend.WaitOne(wait, false);
            }
        }

        /// <summary>Waits for the outcome of a delivery started with <see cref="BeginSend"/>.</summary>
        public Outcome EndSend(OutgoingDelivery d, int timeoutMs)
        {
            d.Done.WaitOne(timeoutMs, false);
            lock (Session.Connection.WriteLock)
            {
                if (d.Outcome != null)
                {
                    d.InUse = false;
                    canSend.Set();
                    return d.Outcome;
                }
                if (d.Error != null)
                {
                    d.InUse = false;
                    throw d.Error;
                }
                d.Abandoned = true;
            }
            throw new AmqpException(ErrorCode.Timeout, "no outcome for delivery " + d.Id + " on link '" + Name + "' within " + timeoutMs + " ms");
        }

        private OutgoingDelivery FreeSlot()
        {
            for (int i = 0; i < slots.Length; i++)
            {
                if (slots[i] == null) slots[i] = new OutgoingDelivery();
                if (!slots[i].InUse) return slots[i];
            }
            return null;
        }

        // Caller holds the write lock and has checked credit.
        private void WriteTransfer(Message message, uint id, long deadline)
        {
            Connection c = Session.Connection;
            uint count = DeliveryCount;
            tag[0] = (byte)(count >> 24);
            tag[1] = (byte)(count >> 16);
            tag[2] = (byte)(count >> 8);
            tag[3] = (byte)count;
            transfer.Handle = Handle;
            transfer.HasDeliveryId = true;
            transfer.DeliveryId = id;
            transfer.DeliveryTag = tag;
            transfer.MessageFormat = 0;
            transfer.Settled = sndSettleMode == SenderSettleMode.Settled;
            transfer.More = false;

            ByteBuffer b = c.WriteBuffer;
            int limit = c.WriteFrameLimit;
            b.Reset();
            int start = Frame.Begin(b, Frame.TypeAmqp, Session.Channel);
            transfer.Encode(b);
            int payloadStart = b.WritePos;
            if (TryEncode(message, b) && b.Length <= limit)
            {
                CheckMessageSize(b.WritePos - payloadStart);
                Frame.End(b, start);
                c.Flush(b);
                Session.RemoteIncomingWindow--;
            }
            else
            {
                WriteLarge(message, c, limit, deadline);
            }
            Session.NextOutgoingId++;
            DeliveryCount++;
            LinkCredit--;
        }

        // 2.7.3: the peer's max-message-size bounds what we may send on this link.
        private void CheckMessageSize(int size)
        {
            if (RemoteMaxMessageSize > 0 && (ulong)size > RemoteMaxMessageSize)
                throw new AmqpException(ErrorCode.MessageSizeExceeded, "message of " + size + " bytes exceeds the peer's max-message-size " + RemoteMaxMessageSize);
        }

        private static bool TryEncode(Message message, ByteBuffer b)
        {
            try
            {
                MessageCodec.Encode(message, b);
                return true;
            }
            catch (AmqpException e) when (e.Condition == ErrorCode.FrameSizeTooSmall)
            {
                return false;
            }
        }

        // A message larger than a frame: encode it whole once, then send it in frame-sized pieces with more=true.
        // Each frame takes one unit of the peer's session window (2.5.6); when it is closed the write lock is
        // released while waiting for the peer's flow (no other delivery can start on this link meanwhile).
        private void WriteLarge(Message message, Connection c, int limit, long deadline)
        {
            // Sized from the body when it is one byte[] (plus a frame for the other sections), so a large message
            // is encoded once instead of into buffers doubling from 2 frames (8 + 16 + 32 KB for a 16 KB body).
            byte[] body = message.GetBytes();
            int size = scratch == null ? limit * 2 : scratch.Capacity;
            if (body != null && body.Length + limit > size) size = body.Length + limit > MaxMessageBytes ? MaxMessageBytes : body.Length + limit;
            while (true)
            {
                if (scratch == null || scratch.Capacity < size) scratch = new ByteBuffer(size);
                scratch.Reset();
                if (TryEncode(message, scratch)) break;
                if (size >= MaxMessageBytes)
                    throw new AmqpException(ErrorCode.MessageSizeExceeded, "message is larger than " + MaxMessageBytes + " bytes");
                size = size * 2 > MaxMessageBytes ? MaxMessageBytes : size * 2;
            }
            CheckMessageSize(scratch.Length);

            ByteBuffer b = c.WriteBuffer;
            sendingLarge = true;
            try
            {
                while (scratch.Length > 0)
                {
                    WaitWindow(c, deadline);
                    WriteNextPiece(c, b, limit);
                }
            }
            finally
            {
                sendingLarge = false;
            }
            transfer.More = false;
            // Keep the scratch buffer only while it is modest: a device should not hold 256 KB for one message.
            if (scratch.Capacity > 4 * limit) scratch = null;
        }

        private void WaitWindow(Connection c, long deadline)
        {
            while (Session.RemoteIncomingWindow == 0)
            {
                canSend.Reset();
                Monitor.Exit(c.WriteLock);
                try
                {
                    int wait = Remaining(deadline);
                    if (wait == 0 || !canSend.WaitOne(wait, false))
                    {
                        // A half-sent delivery cannot be left open: detaching the link discards it at the peer.
                        var e = new AmqpException(ErrorCode.Timeout, "the peer's session window stayed closed in the middle of a message on link '" + Name + "'");
                        DetachWithError(e);
                        throw e;
                    }
                }
                finally
                {
                    Monitor.Enter(c.WriteLock);
                }
                ThrowIfDetached();
            }
        }

        private void WriteNextPiece(Connection c, ByteBuffer b, int limit)
        {
            b.Reset();
            int start = Frame.Begin(b, Frame.TypeAmqp, Session.Channel);
            transfer.More = true;
            transfer.Encode(b);
            int room = limit - b.Length;
            if (room <= 0) throw new AmqpException(ErrorCode.FrameSizeTooSmall, "no room for payload in a " + limit + "-byte frame");
            if (scratch.Length <= room)
            {
                // Last piece: re-encode the performative with more=false.
                b.Reset();
                start = Frame.Begin(b, Frame.TypeAmqp, Session.Channel);
                transfer.More = false;
                transfer.Encode(b);
                room = scratch.Length;
            }
            b.WriteBytes(scratch.Buffer, scratch.Take(room), room);
            Frame.End(b, start);
            c.Flush(b);
            Session.RemoteIncomingWindow--;
        }

        internal override void OnFlow(Flow flow)
        {
            lock (Session.Connection.WriteLock)
            {
                // 2.6.7: link-credit(snd) = delivery-count(rcv) + link-credit(rcv) - delivery-count(snd).
                uint rcvCount = flow.HasDeliveryCount ? flow.DeliveryCount : 0;
                LinkCredit = flow.HasLinkCredit ? rcvCount + flow.LinkCredit - DeliveryCount : 0;
                canSend.Set();
            }
            if (flow.Echo) Session.SendFlow(this);
        }

        internal void SignalCredit()
        {
            canSend.Set();
        }

        protected override void OnPeerAttached(Attach attach)
        {
            canSend.Set();
        }

        internal void OnDisposition(uint first, uint last, bool settled, Outcome state)
        {
            lock (Session.Connection.WriteLock)
            {
                for (int i = 0; i < slots.Length; i++)
                {
                    OutgoingDelivery d = slots[i];
                    if (d == null || !d.InUse || d.Outcome != null) continue;
                    if (d.Id - first > last - first) continue;
                    if (state == null && !settled) continue;
                    d.Outcome = state ?? Released.Instance;
                    if (d.Abandoned)
                    {
                        d.InUse = false;
                        canSend.Set();
                    }
                    d.Done.Set();
                }
            }
        }

        protected override void OnEnded(AmqpException reason)
        {
            lock (Session.Connection.WriteLock)
            {
                for (int i = 0; i < slots.Length; i++)
                {
                    OutgoingDelivery d = slots[i];
                    if (d == null || !d.InUse || d.Outcome != null) continue;
                    d.Error = new AmqpException(reason.Condition, "delivery " + d.Id + " has no outcome, the link ended: " + reason.Description);
                    if (d.Abandoned) d.InUse = false;
                    d.Done.Set();
                }
                canSend.Set();
            }
        }

        private int Remaining(long deadline)
        {
            long left = deadline - Session.Connection.Platform.TickMilliseconds;
            return left <= 0 ? 0 : (int)left;
        }
    }
}
