// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
using System;
using IotHubAmqp.Device.Buffers;
using IotHubAmqp.Device.Framing;
using IotHubAmqp.Device.Messaging;

namespace IotHubAmqp.Device.Engine
{
    /// <summary>
    /// A receiving link with bounded prefetch: it grants <c>credit</c> messages, queues what arrives (never more
    /// than that), and tops the credit up as the owner takes messages, so memory stays bounded however fast the
    /// peer sends. Multi-frame transfers are reassembled up to a size cap. Raises <see cref="EngineEvent.Messages"/>.
    /// </summary>
    internal sealed class ReceiverLink : Link
    {
        /// <summary>Bytes of sections before a multi-frame message's body kept while it arrives (properties, annotations).</summary>
        private const int AssemblerHeadBytes = 1024;

        private readonly uint credit;
        private readonly IncomingDelivery[] queue;
        private readonly Disposition disposition = new Disposition();
        private int queueHead;
        private int queueCount;
        private IncomingDelivery current;
        private MessageAssembler assembler;
        private bool assembling;

        internal ReceiverLink(Session session, string name, string address, uint credit, byte rcvSettleMode, int maxMessageSize)
            : base(session, name, Framing.Role.Receiver, address, rcvSettleMode)
        {
            if (credit == 0) throw new ArgumentException("credit must be at least 1");
            this.credit = credit;
            MaxMessageSize = maxMessageSize;
            queue = new IncomingDelivery[credit];
            DeliveryCountKnown = false;
        }

        /// <summary>Messages received and not yet taken.</summary>
        public int Queued => queueCount;

        /// <summary>Takes the next queued message, or null; tops up the credit once half of it is used.</summary>
        public IncomingDelivery Take()
        {
            if (queueCount == 0) return null;
            IncomingDelivery d = queue[queueHead];
            queue[queueHead] = null;
            queueHead = (queueHead + 1) % queue.Length;
            queueCount--;
            Replenish(false);
            return d;
        }

        /// <summary>Settles with accepted (IoT Hub: complete).</summary>
        public void Accept(IncomingDelivery d) => Settle(d, Accepted.Instance);

        /// <summary>Settles with rejected (IoT Hub: dead-letter).</summary>
        public void Reject(IncomingDelivery d, Error error)
        {
            Settle(d, new Rejected { Error = error });
        }

        /// <summary>Settles with released (IoT Hub: abandon, redelivered later).</summary>
        public void Release(IncomingDelivery d) => Settle(d, Released.Instance);

        /// <summary>Settles with modified (3.4.5).</summary>
        public void Modify(IncomingDelivery d, bool deliveryFailed, bool undeliverableHere)
        {
            Settle(d, new Modified { DeliveryFailed = deliveryFailed, UndeliverableHere = undeliverableHere });
        }

        /// <summary>Queues the disposition for <paramref name="d"/>; throws when it is settled already or the link is gone.</summary>
        public void Settle(IncomingDelivery d, Outcome outcome)
        {
            if (d.Link != this) throw new ArgumentException("the delivery belongs to another link");
            if (d.Settled) throw Performatives.Fault(ErrorCode.IllegalState, "delivery ", d.Id, " is already settled");
            if (!IsAttached)
                throw Failure(ErrorCode.IllegalState, Performatives.Text("was lost: delivery ", d.Id, " cannot be settled, the sender will deliver it again"));
            // Only this method sets the disposition we send: last and batchable stay unset.
            Disposition x = disposition;
            x.Role = Framing.Role.Receiver;
            x.First = d.Id;
            x.Settled = SettleMode == ReceiverSettleMode.First;
            x.State = outcome;
            Connection.WriteControl(Session.Channel, x);
            d.Settled = true;
        }

        // Top up once half the credit is used (or at once when forced), so a steady stream costs one flow per credit/2.
        private void Replenish(bool force)
        {
            if (!IsAttached) return;
            uint held = (uint)queueCount + (current != null ? 1u : 0u);
            uint outstanding = LinkCredit + held;
            if (outstanding >= credit || (!force && outstanding > credit / 2)) return;
            LinkCredit = credit - held;
            Session.SendFlow(this);
        }

        internal void OnTransfer(Transfer t, ByteBuffer payload)
        {
            IncomingDelivery d = current;
            if (d == null)
            {
                if (!t.HasDeliveryId)
                {
                    DetachWith(ErrorCode.InvalidField, "got a delivery's first transfer with no delivery-id");
                    return;
                }
                if (LinkCredit == 0)
                {
                    // 2.6.7: the sender overran our credit; the link is at fault, not the connection.
                    DetachWith(ErrorCode.TransferLimitExceeded, "got a transfer without credit");
                    return;
                }
                LinkCredit--;
                DeliveryCount++;
                d = current = new IncomingDelivery(this, t.DeliveryId, t.DeliveryTag, t.Settled);
            }
            if (t.Aborted)
            {
                // 2.6.14: an aborted delivery is dropped; the credit it used is given back.
                OnEnded(null);
                Replenish(true);
                return;
            }
            int length = payload.Length;
            if (!t.More && !assembling)
            {
                if (length > MaxMessageSize)
                {
                    TooLarge(length);
                    return;
                }
                d.Message = MessageCodec.Decode(payload);
            }
            else
            {
                // Several frames: the assembler keeps the sections before the body and allocates the body once, at
                // its announced size, so a 64 KB C2D message peaks near 64 KB rather than twice that.
                MessageAssembler a = assembler;
                if (!assembling)
                {
                    if (a == null) a = assembler = new MessageAssembler(AssemblerHeadBytes);
                    a.Reset(MaxMessageSize);
                    assembling = true;
                }
                try
                {
                    a.Append(payload.Buffer, payload.Offset, length);
                    if (t.More) return;
                    assembling = false;
                    d.Message = a.Finish();
                }
                catch (AmqpException e)
                {
                    if (e.Condition != ErrorCode.MessageSizeExceeded) throw;
                    TooLarge(a.Size + length);
                    return;
                }
            }
            if (t.Settled) d.Settled = true;
            queue[(queueHead + queueCount) % queue.Length] = d;
            queueCount++;
            current = null;
            Connection.Raise(this, EngineEvent.Messages);
        }

        // 2.7.3 max-message-size: a larger message detaches the link; the rest of it is dropped by the session.
        private void TooLarge(int size)
        {
            OnEnded(null);
            DetachWith(ErrorCode.MessageSizeExceeded, Performatives.Text(Performatives.Text("got a message of ", size, " bytes (so far), over its limit of "), MaxMessageSize, null));
        }

        internal override void OnFlow(Flow flow)
        {
            if (flow.Echo) Session.SendFlow(this);
        }

        protected override void OnEnded(AmqpException reason)
        {
            current = null;
            assembling = false;
        }
    }
}
