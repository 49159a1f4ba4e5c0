// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
using IotHubAmqp.Device.Buffers;
using IotHubAmqp.Device.Types;

namespace IotHubAmqp.Device.Framing
{
    /// <summary>
    /// The transfer performative (AMQP 1.0 2.7.5): carries (part of) a message. The payload follows the
    /// performative in the frame body and is not part of this class.
    /// </summary>
    internal sealed class Transfer
    {
        private const int FieldCount = 11;

        /// <summary>handle (index 0, mandatory): the link the transfer is on.</summary>
        public uint Handle;

        /// <summary>delivery-id (index 1): the delivery's id, valid when <see cref="HasDeliveryId"/>; may be absent on continuation transfers.</summary>
        public uint DeliveryId;

        /// <summary>Whether delivery-id (index 1) is present.</summary>
        public bool HasDeliveryId;

        /// <summary>delivery-tag (index 2): the delivery's tag (at most 32 bytes), or null on continuation transfers.</summary>
        public byte[] DeliveryTag;

        /// <summary>
        /// message-format (index 3): 0 for the AMQP 1.0 message format. Required on a delivery's first transfer, so it
        /// is written whenever <see cref="HasDeliveryId"/> is set or <see cref="DeliveryTag"/> is present, or when non-zero.
        /// </summary>
        public uint MessageFormat;

        /// <summary>settled (index 4): whether the sender settled the delivery; absent = false.</summary>
        public bool Settled;

        /// <summary>more (index 5): more transfers of this delivery follow; default false.</summary>
        public bool More;

        // rcv-settle-mode (index 6) and resume (index 8): the device sets neither and acts on neither.

        /// <summary>state (index 7): the delivery state at the sender, or null.</summary>
        public Outcome State;

        /// <summary>aborted (index 9): the delivery is aborted; default false.</summary>
        public bool Aborted;

        /// <summary>batchable (index 10): the peer may delay the disposition for this delivery; default false.</summary>
        public bool Batchable;

        /// <summary>Resets every field to its default (absent), for reuse.</summary>
        public void Reset()
        {
            Handle = 0;
            DeliveryId = 0;
            HasDeliveryId = false;
            DeliveryTag = null;
            MessageFormat = 0;
            Settled = false;
            More = false;
            State = null;
            Aborted = false;
            Batchable = false;
        }

        /// <summary>Writes the descriptor and the list, leaving out trailing absent or default fields. Allocates nothing.</summary>
        public void Encode(ByteBuffer b)
        {
            int count = CountToWrite();
            int start = FieldCodec.BeginList(b, Descriptor.Transfer, count);
            for (int i = 0; i < count; i++) WriteField(b, i);
            FieldCodec.EndList(b, start, count);
        }

        /// <summary>Reads the list (the caller has read the descriptor), resetting every field first.</summary>
        public void Decode(ByteBuffer b)
        {
            Reset();
            int count = Decoder.ReadListHeader(b, out int end);
            int present = 0;
            for (int i = 0; i < count; i++)
            {
                if (i >= FieldCount) Decoder.Skip(b);
                else if (!Decoder.TryReadNull(b))
                {
                    present |= 1 << i;
                    ReadField(b, i);
                }
            }
            FieldCodec.EndFields(b, end, "transfer");
            if ((present & 1) == 0) throw FieldCodec.Missing("transfer", "handle");
        }

        // A first transfer (one with a delivery-id or tag) must carry message-format (AMQP 1.0 2.7.5).
        private bool WritesMessageFormat => MessageFormat != 0 || HasDeliveryId || DeliveryTag != null;

        private int CountToWrite()
        {
            if (Batchable) return 11;
            if (Aborted) return 10;
            if (State != null) return 8;
            if (More) return 6;
            if (Settled) return 5;
            if (WritesMessageFormat) return 4;
            return 1;
        }

        private void WriteField(ByteBuffer b, int index)
        {
            switch (index)
            {
                case 0: Encoder.WriteUInt(b, Handle); break;
                case 1:
                    if (HasDeliveryId) Encoder.WriteUInt(b, DeliveryId);
                    else Encoder.WriteNull(b);
                    break;
                case 2: Encoder.WriteBinary(b, DeliveryTag); break;
                case 3:
                    if (WritesMessageFormat) Encoder.WriteUInt(b, MessageFormat);
                    else Encoder.WriteNull(b);
                    break;
                case 4: WriteFlag(b, Settled); break;
                case 5: WriteFlag(b, More); break;
                case 7: Outcome.Write(b, State); break;
                case 9: WriteFlag(b, Aborted); break;
                case 10: WriteFlag(b, Batchable); break;
                default: Encoder.WriteNull(b); break; // rcv-settle-mode, resume: never set by the device
            }
        }

        // Flags whose absence means false are written as null when false.
        private static void WriteFlag(ByteBuffer b, bool v)
        {
            if (v) Encoder.WriteBoolean(b, true);
            else Encoder.WriteNull(b);
        }

        private void ReadField(ByteBuffer b, int index)
        {
            switch (index)
            {
                case 0: Handle = Decoder.ReadUInt(b); break;
                case 1:
                    DeliveryId = Decoder.ReadUInt(b);
                    HasDeliveryId = true;
                    break;
                case 2: DeliveryTag = Decoder.ReadBinary(b); break;
                case 3: MessageFormat = Decoder.ReadUInt(b); break;
                case 4: Settled = Decoder.ReadBoolean(b); break;
                case 5: More = Decoder.ReadBoolean(b); break;
                case 7: State = Outcome.Decode(b); break;
                case 9: Aborted = Decoder.ReadBoolean(b); break;
                case 10: Batchable = Decoder.ReadBoolean(b); break;
                default: Decoder.Skip(b); break; // rcv-settle-mode, resume: the device acts on neither
            }
        }
    }
}
