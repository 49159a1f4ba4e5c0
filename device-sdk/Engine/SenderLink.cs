// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
using IotHubAmqp.Device.Buffers;
using IotHubAmqp.Device.Framing;
using IotHubAmqp.Device.Messaging;

namespace IotHubAmqp.Device.Engine
{
    /// <summary>
    /// A sending link. <see cref="Send"/> only queues; frames are written when the connection pumps output and the
    /// link has credit and the session a window. A message's sections before the body are encoded once into a small
    /// reused buffer; the body goes from the caller's array: copied behind the transfer when the frame is small (one
    /// write), otherwise handed to the transport as is (two writes, no copy). Outcomes raise <see cref="EngineEvent.Outcomes"/>.
    /// </summary>
    internal sealed class SenderLink : Link
    {
        /// <summary>Deliveries queued or unsettled at once; bounds memory whatever credit the peer grants.</summary>
        public const int MaxInFlight = 16;

        /// <summary>The largest message this link will encode (IoT Hub takes 256 KB; AMQP framing adds a little).</summary>
        public const int MaxMessageBytes = 1024 * 1024;

        /// <summary>Bodies up to this size are copied behind their transfer so the frame leaves in one write.</summary>
        private const int CopyLimit = 2048;

        private readonly Transfer transfer = new Transfer();
        // Slots are made on demand up to MaxInFlight: a link that sends one at a time keeps a few, not sixteen.
        private readonly OutgoingDelivery[] slots = new OutgoingDelivery[MaxInFlight];
        private uint nextSeq;
        private OutgoingDelivery current;
        private ByteBuffer head;
        private bool drain;

        internal SenderLink(Session session, string name, string address, byte sndSettleMode)
            : base(session, name, Framing.Role.Sender, address, sndSettleMode)
        {
        }

        private bool SendsSettled => SettleMode == SenderSettleMode.Settled;

        /// <summary>Deliveries queued, in transit or waiting for their outcome.</summary>
        public int InFlight => Count(false);

        /// <summary>Slots held only by sends whose owner gave up waiting for an outcome.</summary>
        public int AbandonedCount => Count(true);

        private int Count(bool abandonedOnly)
        {
            int n = 0;
            for (int i = 0; i < MaxInFlight; i++)
            {
                OutgoingDelivery d = slots[i];
                if (d != null && d.Status != DeliveryStatus.Free && (!abandonedOnly || d.Abandoned)) n++;
            }
            return n;
        }

        /// <summary>
        /// Queues <paramref name="message"/>; returns its slot, or null when all <see cref="MaxInFlight"/> slots are
        /// busy (the owner keeps the message and tries again after an outcome). Throws the link's error once it ended.
        /// </summary>
        public OutgoingDelivery Send(Message message, object owner)
        {
            if (IsEnded) throw Error ?? Failure(ErrorCode.IllegalState, "is detached");
            Session.ThrowIfEnded();
            for (int i = 0; i < MaxInFlight; i++)
            {
                if (slots[i] == null) slots[i] = new OutgoingDelivery();
                OutgoingDelivery d = slots[i];
                if (d.Status != DeliveryStatus.Free) continue;
                d.Reset(DeliveryStatus.Queued, message, owner);
                d.Seq = nextSeq++;
                return d;
            }
            return null;
        }

        /// <summary>
        /// The owner no longer waits for <paramref name="d"/>. Returns true when nothing of it reached the peer (it
        /// was still queued, or it was cut off mid-message and aborted, 2.6.14); otherwise its slot is freed when the
        /// outcome or the link's end arrives.
        /// </summary>
        public bool Cancel(OutgoingDelivery d)
        {
            DeliveryStatus status = d.Status;
            if (status == DeliveryStatus.Sending)
            {
                current = null;
                if (Session.RemoteIncomingWindow == 0)
                {
                    // No window for the aborted transfer: detaching discards the half-sent delivery at the peer too.
                    d.Clear();
                    DetachWith(ErrorCode.Timeout, "gave up a half-sent message");
                    return true;
                }
                // The rest is not sent: an aborted transfer tells the peer to drop what it has (2.6.14).
                WriteTransferHeader(d, false, true);
                Session.TransferSent();
                status = DeliveryStatus.Queued;
            }
            if (status == DeliveryStatus.Queued || status == DeliveryStatus.Done)
            {
                // Queued (a freed slot leaves the queue), aborted, or collected late: the slot is free again.
                d.Clear();
                return status == DeliveryStatus.Queued;
            }
            d.Abandoned = true;
            d.Owner = null;
            return false;
        }

        /// <summary>The next delivery with its outcome (or error) that the owner has not collected; null when none.</summary>
        public OutgoingDelivery NextCompleted()
        {
            for (int i = 0; i < MaxInFlight; i++)
            {
                OutgoingDelivery d = slots[i];
                if (d != null && d.Status == DeliveryStatus.Done) return d;
            }
            return null;
        }

        /// <summary>Frees a collected slot.</summary>
        public void Free(OutgoingDelivery d) => d.Clear();

        // The queued slot that was sent first (lowest Seq, in wrapping order); null when none is queued.
        private OutgoingDelivery NextQueued()
        {
            OutgoingDelivery next = null;
            for (int i = 0; i < MaxInFlight; i++)
            {
                OutgoingDelivery d = slots[i];
                if (d != null && d.Status == DeliveryStatus.Queued && (next == null || (int)(d.Seq - next.Seq) < 0)) next = d;
            }
            return next;
        }

        /// <summary>Writes frames while there is credit, window and room in the output.</summary>
        internal void Pump()
        {
            while (true)
            {
                OutgoingDelivery next = current;
                if (next == null)
                {
                    if (LinkCredit > 0) next = NextQueued();
                    if (next == null)
                    {
                        if (drain) FinishDrain();
                        return;
                    }
                }
                // A delivery takes its delivery-id only when its first frame can go out, so ids reach the peer in
                // order whatever the session's other links do (2.6.12).
                if (Session.RemoteIncomingWindow == 0) return;
                if (current == null && !Start(next)) continue;
                WriteNextFrame(next);
                if (Connection.OutputFull) return;
            }
        }

        // Takes a queued slot into transit: its head encoded, then delivery-id, tag, credit. False: it failed.
        private bool Start(OutgoingDelivery d)
        {
            if (head == null) head = new ByteBuffer(256);
            for (int size = head.Capacity; ; size *= 2)
            {
                try
                {
                    if (head.Capacity < size) head = new ByteBuffer(size);
                    head.Reset();
                    d.Body = MessageCodec.EncodeHead(d.Message, head, out int _);
                    if (d.Body == null) MessageCodec.Encode(d.Message, head); // other body kinds: encoded whole
                    // 2.7.3: the peer's max-message-size, when smaller than ours, bounds what we may send on this link.
                    ulong limit = MaxMessageBytes;
                    if (RemoteMaxMessageSize > 0 && RemoteMaxMessageSize < limit) limit = RemoteMaxMessageSize;
                    uint total = (uint)(head.Length + BodyLength(d));
                    if (total > limit)
                        throw Performatives.Fault(ErrorCode.MessageSizeExceeded, Performatives.Text("message of ", total, " bytes is over the limit of "), (long)limit, " (ours or the peer's max-message-size)");
                    break;
                }
                catch (AmqpException e)
                {
                    // A head too large for the buffer is encoded again into one twice the size; anything else fails the send.
                    if (e.Condition == ErrorCode.FrameSizeTooSmall && size < MaxMessageBytes) continue;
                    Complete(d, null, e, true);
                    return false;
                }
            }
            d.Id = Session.TakeDeliveryId();
            BigEndian.Put32(d.Tag, 0, DeliveryCount);
            DeliveryCount++;
            LinkCredit--;
            d.Status = DeliveryStatus.Sending;
            current = d;
            return true;
        }

        private static int BodyLength(OutgoingDelivery d) => d.Body == null ? 0 : d.Body.Length;

        private void WriteNextFrame(OutgoingDelivery d)
        {
            Connection c = Connection;
            ByteBuffer h = head;
            byte[] body = d.Body;
            int headSent = d.HeadSent;
            int bodySent = d.BodySent;
            int limit = c.PeerMaxFrameSize;
            int headLeft = h.Length - headSent;
            int bodyLeft = BodyLength(d) - bodySent;
            // Room first, so the buffer does not move under the frame being written: header, transfer, and what of the
            // head and body may be copied behind it.
            int copied = headLeft + (bodyLeft < CopyLimit ? bodyLeft : CopyLimit);
            c.EnsureRoom(Frame.HeaderSize + 64 + (copied < limit ? copied : limit));
            ByteBuffer o = c.Output;
            // The transfer is encoded once when the rest fits this frame (the common case); only a message that does
            // not fit is encoded again with more=true, which is never shorter.
            bool more = false;
            int start, room;
            while (true)
            {
                start = WriteTransferHeader(d, more, false);
                room = limit - (o.WritePos - start);
                if (more || headLeft + bodyLeft <= room) break;
                o.WritePos = start;
                more = true;
            }
            // room > 0: the peer's frames hold at least 512 bytes (checked at open), a transfer needs under 64.
            int headPart = headLeft < room ? headLeft : room;
            room -= headPart;
            int bodyPart = bodyLeft < room ? bodyLeft : room;
            bool copy = bodyPart <= CopyLimit;
            if (headPart > 0) o.WriteBytes(h.Buffer, h.Offset + headSent, headPart);
            if (copy && bodyPart > 0) o.WriteBytes(body, bodySent, bodyPart);
            // The frame's size counts the body even when the body travels from the caller's array.
            BigEndian.Put32(o.Buffer, start, (uint)(o.WritePos - start + (copy ? 0 : bodyPart)));
            if (!copy) c.AppendExternal(body, bodySent, bodyPart);
            d.HeadSent = headSent + headPart;
            d.BodySent = bodySent + bodyPart;
            Session.TransferSent();
            if (more) return;
            current = null;
            if (SendsSettled) Complete(d, null, null, false);
            else d.Status = DeliveryStatus.Unsettled;
        }

        // Frame header and transfer (aborted: the rest of the delivery is dropped); returns the frame's start for the size patch.
        private int WriteTransferHeader(OutgoingDelivery d, bool more, bool aborted)
        {
            Transfer t = transfer;
            t.Handle = Handle;
            // 2.7.5: delivery-id and tag on the first frame only; later frames of the delivery may omit them.
            bool first = d.HeadSent == 0 && d.BodySent == 0;
            t.HasDeliveryId = first;
            t.DeliveryId = d.Id;
            t.DeliveryTag = first ? d.Tag : null;
            t.MessageFormat = d.MessageFormat;
            t.Settled = SendsSettled;
            t.More = more;
            t.Aborted = aborted;
            Connection.EnsureRoom(Frame.HeaderSize + 64);
            ByteBuffer o = Connection.Output;
            int start = Frame.Begin(o, Frame.TypeAmqp, Session.Channel);
            t.Encode(o);
            Frame.End(o, start);
            return start;
        }

        internal override void OnFlow(Flow flow)
        {
            // 2.6.7: link-credit(snd) = delivery-count(rcv) + link-credit(rcv) - delivery-count(snd); the receiver's
            // delivery-count is our initial one (0) when it has not seen our attach yet.
            // (an absent delivery-count decodes as 0).
            LinkCredit = flow.HasLinkCredit ? flow.DeliveryCount + flow.LinkCredit - DeliveryCount : 0;
            if (LinkCredit > int.MaxValue) LinkCredit = 0; // a count from the future: treat as no credit
            drain = flow.Drain;
            if (drain && current == null && NextQueued() == null) FinishDrain();
            else if (flow.Echo) Session.SendFlow(this);
        }

        // Nothing (more) to send: use the credit up by advancing delivery-count, and say so (2.6.7 drain).
        private void FinishDrain()
        {
            drain = false;
            DeliveryCount += LinkCredit;
            LinkCredit = 0;
            Session.SendFlow(this);
        }

        internal void OnDisposition(uint first, uint last, bool settled, Outcome state)
        {
            // 3.4.1: received is not terminal; only a terminal outcome, or settlement, ends the send.
            bool terminal = state != null && !(state is Received);
            if (!terminal && !settled) return;
            for (int i = 0; i < MaxInFlight; i++)
            {
                OutgoingDelivery d = slots[i];
                if (d == null || d.Status != DeliveryStatus.Unsettled || d.Id - first > last - first) continue;
                if (!settled)
                {
                    // The peer settles second (it should not: we asked for first); settle so it can forget the delivery.
                    // (role sender: the field's default.)
                    Connection.TryWriteControl(Session.Channel, new Disposition { First = d.Id, Settled = true, State = state });
                }
                Complete(d, terminal ? state : Released.Instance, null, false);
            }
        }

        private void Complete(OutgoingDelivery d, Outcome outcome, AmqpException error, bool neverSent)
        {
            if (d.Abandoned)
            {
                d.Clear();
                return;
            }
            d.Outcome = outcome;
            d.Error = error;
            d.NeverSent = neverSent;
            d.Status = DeliveryStatus.Done;
            Connection.Raise(this, EngineEvent.Outcomes);
        }

        protected override void OnEnded(AmqpException reason)
        {
            current = null;
            for (int i = 0; i < MaxInFlight; i++)
            {
                OutgoingDelivery d = slots[i];
                if (d == null || d.Status == DeliveryStatus.Free || d.Status == DeliveryStatus.Done) continue;
                bool never = d.Status == DeliveryStatus.Queued;
                Complete(d, null, new AmqpException(reason.Condition, (never ? "delivery was not sent, " : Performatives.Text("delivery ", d.Id, " has no outcome, ")) + "the link ended: " + reason.Description, reason.Info), never);
            }
        }
    }
}
