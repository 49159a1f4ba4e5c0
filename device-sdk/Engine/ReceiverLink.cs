// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
using System;
using System.Collections;
using System.Threading;
using IotHubAmqp.Device.Buffers;
using IotHubAmqp.Device.Framing;
using IotHubAmqp.Device.Messaging;

namespace IotHubAmqp.Device.Engine
{
    /// <summary>
    /// A receiving link with bounded prefetch: it grants <c>credit</c> messages, queues what arrives (never
    /// more than that), and tops the credit up as the application takes messages, so memory stays bounded
    /// however fast the peer sends. Multi-frame transfers are reassembled up to a size cap.
    /// </summary>
    internal sealed class ReceiverLink : Link
    {
        private readonly uint credit;
        private readonly byte rcvSettleMode;
        private readonly int maxMessageSize;
        private readonly ArrayList queue = new ArrayList();
        private readonly ManualResetEvent available = new ManualResetEvent(false);
        private readonly Disposition disposition = new Disposition();
        private IncomingDelivery current;
        private byte[] partial;
        private int partialLength;
        private readonly ByteBuffer partialView = new ByteBuffer(new byte[0], 0, 0);

        internal ReceiverLink(Session session, string name, string address, uint credit, byte rcvSettleMode, int maxMessageSize)
            : base(session, name, Framing.Role.Receiver, address)
        {
            if (credit == 0) throw new ArgumentException("credit must be at least 1");
            this.credit = credit;
            this.rcvSettleMode = rcvSettleMode;
            this.maxMessageSize = maxMessageSize;
        }

        /// <summary>Messages received and not yet taken by <see cref="Receive"/>.</summary>
        public int Queued
        {
            get
            {
                lock (queue) return queue.Count;
            }
        }

        internal void SendAttach(AmqpMap properties)
        {
            var a = new Attach();
            a.SndSettleMode = SenderSettleMode.Mixed;
            a.RcvSettleMode = rcvSettleMode;
            a.Source = new Source();
            a.Source.Address = Address;
            a.Target = new Target();
            a.Target.Address = Name;
            a.MaxMessageSize = (ulong)maxMessageSize;
            SendAttach(a, properties);
            // Credit goes out right behind the attach (pipelined, 2.6.7) rather than a round trip later.
            LinkCredit = credit;
            Session.SendFlow(this);
        }

        /// <summary>Takes the next message, waiting up to <paramref name="timeoutMs"/>; null on timeout.</summary>
        public IncomingDelivery Receive(int timeoutMs)
        {
            long deadline = Session.Connection.Platform.TickMilliseconds + timeoutMs;
            while (true)
            {
                lock (queue)
                {
                    if (queue.Count > 0)
                    {
                        var d = (IncomingDelivery)queue[0];
                        queue.RemoveAt(0);
                        if (queue.Count == 0) available.Reset();
                        Replenish();
                        return d;
                    }
                    ThrowIfDetached();
                    available.Reset();
                }
                long left = deadline - Session.Connection.Platform.TickMilliseconds;
                if (left <= 0) return null;
                available.WaitOne((int)left, false);
            }
        }

        /// <summary>Settles with accepted (IoT Hub: complete).</summary>
        public void Accept(IncomingDelivery d) => Settle(d, Accepted.Instance);

        /// <summary>Settles with rejected (IoT Hub: dead-letter).</summary>
        public void Reject(IncomingDelivery d, Error error)
        {
            var r = new Rejected();
            r.Error = error;
            Settle(d, r);
        }

        /// <summary>Settles with released (IoT Hub: abandon, redelivered later).</summary>
        public void Release(IncomingDelivery d) => Settle(d, Released.Instance);

        /// <summary>Settles with modified (2.7.6 outcome).</summary>
        public void Modify(IncomingDelivery d, bool deliveryFailed, bool undeliverableHere)
        {
            var m = new Modified();
            m.DeliveryFailed = deliveryFailed;
            m.UndeliverableHere = undeliverableHere;
            Settle(d, m);
        }

        private void Settle(IncomingDelivery d, Outcome outcome)
        {
            if (d.Link != this) throw new ArgumentException("the delivery belongs to another link");
            lock (Session.Connection.WriteLock)
            {
                if (d.Settled) throw new AmqpException(ErrorCode.IllegalState, "delivery " + d.Id + " is already settled");
                if (!IsAttached)
                    throw new AmqpException(ErrorCode.IllegalState, "delivery " + d.Id + " cannot be settled: link '" + Name + "' was lost, the sender will deliver it again");
                disposition.Role = Framing.Role.Receiver;
                disposition.First = d.Id;
                disposition.HasLast = false;
                disposition.Settled = rcvSettleMode == ReceiverSettleMode.First;
                disposition.State = outcome;
                disposition.Batchable = false;
                Session.Connection.WriteFrame(Session.Channel, disposition);
                d.Settled = true;
            }
        }

        // Called with the queue lock held.
        private void Replenish()
        {
            // Top up once half the credit is used, so a steady stream costs one flow per credit/2 messages.
            uint outstanding = LinkCredit + (uint)queue.Count;
            if (outstanding > credit / 2 || !IsAttached) return;
            LinkCredit = credit - (uint)queue.Count;
            try
            {
                Session.SendFlow(this);
            }
            catch (AmqpException)
            {
                // The link or connection is ending; the error reaches the caller on its next call.
            }
        }

        internal void OnTransfer(Transfer t, ByteBuffer payload)
        {
            if (current == null)
            {
                if (!t.HasDeliveryId) throw new AmqpException(ErrorCode.InvalidField, "first transfer of a delivery has no delivery-id");
                lock (queue)
                {
                    // Under the queue lock, as Replenish: credit is also topped up from the application's thread.
                    if (LinkCredit == 0) throw new AmqpException(ErrorCode.TransferLimitExceeded, "transfer on link '" + Name + "' without credit");
                    LinkCredit--;
                    DeliveryCount++;
                }
                current = new IncomingDelivery(this, t.DeliveryId, t.DeliveryTag, t.Settled);
            }
            if (t.Aborted)
            {
                current = null;
                partialLength = 0;
                return;
            }
            if (!t.More && partialLength == 0)
            {
                if (payload.Length > maxMessageSize)
                {
                    TooLarge(payload.Length);
                    return;
                }
                current.Message = MessageCodec.Decode(payload);
            }
            else
            {
                if (!Append(payload)) return;
                if (t.More) return;
                partialView.Wrap(partial, 0, partialLength);
                partialLength = 0;
                current.Message = MessageCodec.Decode(partialView);
                if (partial.Length > 4 * Session.Connection.WriteFrameLimit) partial = null;
            }
            if (t.Settled) current.Settled = true;
            IncomingDelivery done = current;
            current = null;
            lock (queue)
            {
                queue.Add(done);
                available.Set();
            }
        }

        // Returns false when the message grew past the cap and the link was detached.
        private bool Append(ByteBuffer payload)
        {
            int n = payload.Length;
            if (partialLength + n > maxMessageSize)
            {
                TooLarge(partialLength + n);
                return false;
            }
            if (partial == null || partial.Length < partialLength + n)
            {
                int size = partial == null ? 2 * n : partial.Length * 2;
                if (size < partialLength + n) size = partialLength + n;
                if (size > maxMessageSize) size = maxMessageSize;
                byte[] grown = new byte[size];
                if (partialLength > 0) Array.Copy(partial, grown, partialLength);
                partial = grown;
            }
            Array.Copy(payload.Buffer, payload.Offset, partial, partialLength, n);
            partialLength += n;
            return true;
        }

        // 2.7.3 max-message-size: a larger message detaches the link; the rest of it is dropped by the session.
        private void TooLarge(int size)
        {
            partialLength = 0;
            current = null;
            DetachWithError(new AmqpException(ErrorCode.MessageSizeExceeded,
                "message on link '" + Name + "' is over the " + maxMessageSize + "-byte limit (" + size + " bytes so far)"));
        }

        internal override void OnFlow(Flow flow)
        {
            if (flow.Echo) Session.SendFlow(this);
        }

        protected override void OnEnded(AmqpException reason)
        {
            current = null;
            partialLength = 0;
            lock (queue)
            {
                available.Set();
            }
        }
    }
}
