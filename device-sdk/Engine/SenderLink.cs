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

        private readonly byte sndSettleMode;
        private readonly Transfer transfer = new Transfer();
        // Grown on demand up to MaxInFlight: a link that sends one at a time keeps a few slots, not sixteen.
        private const int InitialSlots = 4;
        private OutgoingDelivery[] slots = new OutgoingDelivery[InitialSlots];
        private readonly int[] queue = new int[MaxInFlight];
        private int queueHead;
        private int queueCount;
        private OutgoingDelivery current;
        private ByteBuffer head;
        private bool drain;

        internal SenderLink(Session session, string name, string address, byte sndSettleMode)
            : base(session, name, Framing.Role.Sender, address)
        {
            this.sndSettleMode = sndSettleMode;
        }

        /// <summary>Deliveries queued, in transit or waiting for their outcome.</summary>
        public int InFlight
        {
            get
            {
                int n = 0;
                for (int i = 0; i < slots.Length; i++) if (slots[i] != null && slots[i].Status != DeliveryStatus.Free) n++;
                return n;
            }
        }

        /// <summary>Slots held only by sends whose owner gave up waiting for an outcome.</summary>
        public int AbandonedCount
        {
            get
            {
                int n = 0;
                for (int i = 0; i < slots.Length; i++) if (slots[i] != null && slots[i].Status != DeliveryStatus.Free && slots[i].Abandoned) n++;
                return n;
            }
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

        /// <summary>
        /// Queues <paramref name="message"/>; returns its slot, or null when all <see cref="MaxInFlight"/> slots are
        /// busy (the owner keeps the message and tries again after an outcome). Throws the link's error once it ended.
        /// </summary>
        public OutgoingDelivery Send(Message message, object owner)
        {
            if (IsEnded) throw Error ?? new AmqpException(ErrorCode.IllegalState, "link '" + Name + "' is detached");
            Session.ThrowIfEnded();
            for (int i = 0; ; i++)
            {
                if (i == slots.Length)
                {
                    if (slots.Length == MaxInFlight) return null;
                    var grown = new OutgoingDelivery[slots.Length * 2 > MaxInFlight ? MaxInFlight : slots.Length * 2];
                    System.Array.Copy(slots, grown, slots.Length);
                    slots = grown;
                }
                if (slots[i] == null) slots[i] = new OutgoingDelivery();
                OutgoingDelivery d = slots[i];
                if (d.Status != DeliveryStatus.Free) continue;
                d.Reset(message, owner);
                queue[(queueHead + queueCount) % MaxInFlight] = i;
                queueCount++;
                return d;
            }
        }

        /// <summary>
        /// The owner no longer waits for <paramref name="d"/>. Returns true when nothing of it reached the peer (it
        /// was still queued, or it was cut off mid-message and aborted, 2.6.14); otherwise its slot is freed when the
        /// outcome or the link's end arrives.
        /// </summary>
        public bool Cancel(OutgoingDelivery d)
        {
            if (d.Status == DeliveryStatus.Queued)
            {
                RemoveQueued(d);
                d.Clear();
                return true;
            }
            if (d.Status == DeliveryStatus.Sending)
            {
                current = null;
                if (Session.RemoteIncomingWindow == 0)
                {
                    // No window for the aborted transfer: detaching discards the half-sent delivery at the peer too.
                    d.Clear();
                    DetachWithError(new AmqpException(ErrorCode.Timeout, "a half-sent message on link '" + Name + "' was given up"));
                    return true;
                }
                // The rest is not sent: an aborted transfer tells the peer to drop what it has (2.6.14).
                Fill(d, false);
                transfer.Aborted = true;
                Connection.EnsureRoom(Frame.HeaderSize + 64);
                int start = Frame.Begin(Connection.Output, Frame.TypeAmqp, Session.Channel);
                transfer.Encode(Connection.Output);
                Frame.End(Connection.Output, start);
                transfer.Aborted = false;
                Session.NextOutgoingId++;
                Session.RemoteIncomingWindow--;
                d.Clear();
                return true;
            }
            if (d.Status == DeliveryStatus.Done)
            {
                d.Clear();
                return false;
            }
            d.Abandoned = true;
            d.Owner = null;
            return false;
        }

        /// <summary>The next delivery with its outcome (or error) that the owner has not collected; null when none.</summary>
        public OutgoingDelivery NextCompleted()
        {
            for (int i = 0; i < slots.Length; i++)
            {
                OutgoingDelivery d = slots[i];
                if (d != null && d.Status == DeliveryStatus.Done) return d;
            }
            return null;
        }

        /// <summary>Frees a collected slot.</summary>
        public void Free(OutgoingDelivery d) => d.Clear();

        private void RemoveQueued(OutgoingDelivery d)
        {
            int n = queueCount;
            int w = 0;
            for (int r = 0; r < n; r++)
            {
                int idx = queue[(queueHead + r) % MaxInFlight];
                if (slots[idx] == d) continue;
                queue[(queueHead + w) % MaxInFlight] = idx;
                w++;
            }
            queueCount = w;
        }

        /// <summary>Writes frames while there is credit, window and room in the output.</summary>
        internal void Pump()
        {
            Connection c = Connection;
            while (true)
            {
                if (current == null)
                {
                    if (drain && (queueCount == 0 || LinkCredit == 0)) FinishDrain();
                    if (queueCount == 0 || LinkCredit == 0) return;
                    // A delivery takes its delivery-id only when its first frame can go out, so ids reach the peer in
                    // order whatever the session's other links do (2.6.12).
                    if (Session.RemoteIncomingWindow == 0) return;
                    if (!Start(slots[queue[queueHead]])) continue;
                }
                if (Session.RemoteIncomingWindow == 0) return;
                WriteNextFrame(current);
                if (c.ExternalPending || c.Output.Length >= (int)c.Settings.MaxFrameSize / 2) return;
            }
        }

        // Takes the queue's first slot into transit: delivery-id, tag, credit; its head encoded. False: it failed.
        private bool Start(OutgoingDelivery d)
        {
            queueHead = (queueHead + 1) % MaxInFlight;
            queueCount--;
            if (head == null) head = new ByteBuffer(256);
            try
            {
                EncodeHead(d);
            }
            catch (AmqpException e)
            {
                Complete(d, null, e, true);
                return false;
            }
            d.Id = Session.TakeDeliveryId();
            uint count = DeliveryCount;
            d.Tag[0] = (byte)(count >> 24);
            d.Tag[1] = (byte)(count >> 16);
            d.Tag[2] = (byte)(count >> 8);
            d.Tag[3] = (byte)count;
            DeliveryCount++;
            LinkCredit--;
            d.Status = DeliveryStatus.Sending;
            current = d;
            return true;
        }

        private void EncodeHead(OutgoingDelivery d)
        {
            for (int size = head.Capacity; ; size *= 2)
            {
                if (head.Capacity < size) head = new ByteBuffer(size);
                head.Reset();
                try
                {
                    d.Body = MessageCodec.EncodeHead(d.Message, head, out int _);
                    if (d.Body == null) MessageCodec.Encode(d.Message, head); // other body kinds: encoded whole
                    break;
                }
                catch (AmqpException e) when (e.Condition == ErrorCode.FrameSizeTooSmall && size < MaxMessageBytes)
                {
                }
            }
            long total = head.Length + (d.Body == null ? 0 : d.Body.Length);
            if (total > MaxMessageBytes)
                throw new AmqpException(ErrorCode.MessageSizeExceeded, "message of " + total + " bytes is larger than " + MaxMessageBytes);
            // 2.7.3: the peer's max-message-size bounds what we may send on this link.
            if (RemoteMaxMessageSize > 0 && (ulong)total > RemoteMaxMessageSize)
                throw new AmqpException(ErrorCode.MessageSizeExceeded, "message of " + total + " bytes exceeds the peer's max-message-size " + RemoteMaxMessageSize);
        }

        private void WriteNextFrame(OutgoingDelivery d)
        {
            Connection c = Connection;
            int limit = c.WriteFrameLimit;
            int headLeft = head.Length - d.HeadSent;
            int bodyLeft = (d.Body == null ? 0 : d.Body.Length) - d.BodySent;
            // Room first, so the buffer does not move under the frame being written: header, transfer, and what of the
            // head and body may be copied behind it.
            int copied = headLeft + (bodyLeft < CopyLimit ? bodyLeft : CopyLimit);
            c.EnsureRoom(Frame.HeaderSize + 64 + (copied < limit ? copied : limit));
            ByteBuffer o = c.Output;
            // The transfer is encoded once when the rest fits this frame (the common case); only a message that does
            // not fit is encoded again with more=true, which is never shorter.
            int start = WriteTransferHeader(d, false);
            int room = limit - (o.WritePos - start);
            bool more = headLeft + bodyLeft > room;
            if (more)
            {
                o.WritePos = start;
                start = WriteTransferHeader(d, true);
                room = limit - (o.WritePos - start);
            }
            if (room <= 0)
            {
                o.WritePos = start;
                throw new AmqpException(ErrorCode.FrameSizeTooSmall, "no room for payload in a " + limit + "-byte frame");
            }
            int headPart = headLeft < room ? headLeft : room;
            int bodyPart = bodyLeft < room - headPart ? bodyLeft : room - headPart;
            bool copy = bodyPart <= CopyLimit;
            if (headPart > 0) o.WriteBytes(head.Buffer, head.Offset + d.HeadSent, headPart);
            if (copy && bodyPart > 0) o.WriteBytes(d.Body, d.BodySent, bodyPart);
            // The frame's size counts the body even when the body travels from the caller's array.
            BigEndian.Put32(o.Buffer, start, (uint)(o.WritePos - start + (copy ? 0 : bodyPart)));
            if (!copy) c.AppendExternal(d.Body, d.BodySent, bodyPart);
            d.HeadSent += headPart;
            d.BodySent += bodyPart;
            Session.NextOutgoingId++;
            Session.RemoteIncomingWindow--;
            if (more) return;
            current = null;
            if (sndSettleMode == SenderSettleMode.Settled) Complete(d, null, null, false);
            else d.Status = DeliveryStatus.Unsettled;
        }

        // Frame header and transfer; returns the frame's start for the size patch.
        private int WriteTransferHeader(OutgoingDelivery d, bool more)
        {
            Connection c = Connection;
            Fill(d, more);
            c.EnsureRoom(Frame.HeaderSize + 64);
            ByteBuffer o = c.Output;
            int start = Frame.Begin(o, Frame.TypeAmqp, Session.Channel);
            transfer.Encode(o);
            Frame.End(o, start);
            return start;
        }

        private void Fill(OutgoingDelivery d, bool more)
        {
            transfer.Handle = Handle;
            // 2.7.5: delivery-id and tag on the first frame only; later frames of the delivery may omit them.
            bool first = d.HeadSent == 0 && d.BodySent == 0;
            transfer.HasDeliveryId = first;
            transfer.DeliveryId = d.Id;
            transfer.DeliveryTag = first ? d.Tag : null;
            transfer.MessageFormat = d.MessageFormat;
            transfer.Settled = sndSettleMode == SenderSettleMode.Settled;
            transfer.More = more;
        }

        internal override void OnFlow(Flow flow)
        {
            // 2.6.7: link-credit(snd) = delivery-count(rcv) + link-credit(rcv) - delivery-count(snd); the receiver's
            // delivery-count is our initial one (0) when it has not seen our attach yet.
            uint rcvCount = flow.HasDeliveryCount ? flow.DeliveryCount : 0;
            LinkCredit = flow.HasLinkCredit ? rcvCount + flow.LinkCredit - DeliveryCount : 0;
            if (LinkCredit > int.MaxValue) LinkCredit = 0; // a count from the future: treat as no credit
            drain = flow.Drain;
            if (drain && queueCount == 0 && current == null)
            {
                FinishDrain();
            }
            else if (flow.Echo)
            {
                Session.SendFlow(this);
            }
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
            for (int i = 0; i < slots.Length; i++)
            {
                OutgoingDelivery d = slots[i];
                if (d == null || d.Status != DeliveryStatus.Unsettled) continue;
                if (d.Id - first > last - first) continue;
                // 3.4.1: received is not terminal; only a terminal outcome, or settlement, ends the send.
                bool terminal = state != null && !(state is Received);
                if (!terminal && !settled) continue;
                if (!settled)
                {
                    // The peer settles second (it should not: we asked for first); settle so it can forget the delivery.
                    var disp = new Disposition();
                    disp.Role = Framing.Role.Sender;
                    disp.First = d.Id;
                    disp.Settled = true;
                    disp.State = state;
                    Connection.TryWriteControl(Session.Channel, disp);
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
            queueCount = 0;
            for (int i = 0; i < slots.Length; i++)
            {
                OutgoingDelivery d = slots[i];
                if (d == null || d.Status == DeliveryStatus.Free || d.Status == DeliveryStatus.Done) continue;
                bool never = d.Status == DeliveryStatus.Queued;
                Complete(d, null, new AmqpException(reason.Condition, (never ? "delivery was not sent, " : "delivery " + d.Id + " has no outcome, ") + "the link ended: " + reason.Description, reason.Info), never);
            }
        }
    }
}
