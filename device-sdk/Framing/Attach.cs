// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
using IotHubAmqp.Device.Buffers;
using IotHubAmqp.Device.Types;

namespace IotHubAmqp.Device.Framing
{
    /// <summary>
    /// The attach performative (AMQP 1.0 2.7.3): attaches a link to a session. The device neither sets nor reads
    /// incomplete-unsettled, offered- and desired-capabilities: they are written as null when a later field is present
    /// and skipped when the peer sends them.
    /// </summary>
    internal sealed class Attach
    {
        private const int FieldCount = 14;

        /// <summary>name (index 0, mandatory): the name of the link.</summary>
        public string Name;

        /// <summary>handle (index 1, mandatory): the handle the sender uses for the link.</summary>
        public uint Handle;

        /// <summary>role (index 2, mandatory): <see cref="Framing.Role.Sender"/> (false) or <see cref="Framing.Role.Receiver"/> (true).</summary>
        public bool Role;

        /// <summary>snd-settle-mode (index 3): a <see cref="SenderSettleMode"/>; default mixed.</summary>
        public byte SndSettleMode;

        /// <summary>rcv-settle-mode (index 4): a <see cref="ReceiverSettleMode"/>; default first.</summary>
        public byte RcvSettleMode;

        /// <summary>source (index 5): the source for messages, or null.</summary>
        public Source Source;

        /// <summary>target (index 6): the target for messages, or null.</summary>
        public Target Target;

        /// <summary>unsettled (index 7): unsettled delivery state by delivery-tag, or null.</summary>
        public AmqpMap Unsettled;


        /// <summary>initial-delivery-count (index 9): the sender's initial delivery-count, valid when <see cref="HasInitialDeliveryCount"/>.</summary>
        public uint InitialDeliveryCount;

        /// <summary>Whether initial-delivery-count (index 9) is present (it must be when role is sender).</summary>
        public bool HasInitialDeliveryCount;

        /// <summary>max-message-size (index 10): the largest message the endpoint accepts; 0 = absent (no limit).</summary>
        public ulong MaxMessageSize;



        /// <summary>properties (index 13): link properties (symbol keys), or null.</summary>
        public AmqpMap Properties;

        /// <summary>Creates an attach with every field at its default.</summary>
        public Attach()
        {
            Reset();
        }

        /// <summary>Resets every field to its default, for reuse.</summary>
        public void Reset()
        {
            Name = null;
            Handle = 0;
            Role = false;
            SndSettleMode = SenderSettleMode.Mixed;
            RcvSettleMode = ReceiverSettleMode.First;
            Source = null;
            Target = null;
            Unsettled = null;
            InitialDeliveryCount = 0;
            HasInitialDeliveryCount = false;
            MaxMessageSize = 0;
            Properties = null;
        }

        /// <summary>Writes the descriptor and the list, leaving out trailing absent or default fields.</summary>
        public void Encode(ByteBuffer b)
        {
            int count = CountToWrite();
            int start = FieldCodec.BeginList(b, Descriptor.Attach, count);
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
            FieldCodec.EndFields(b, end, "attach");
            if ((present & (1 << 0)) == 0) throw FieldCodec.Missing("attach", "name");
            if ((present & (1 << 1)) == 0) throw FieldCodec.Missing("attach", "handle");
            if ((present & (1 << 2)) == 0) throw FieldCodec.Missing("attach", "role");
        }

        private int CountToWrite()
        {
            if (Properties != null) return 14;
            if (MaxMessageSize != 0) return 11;
            if (HasInitialDeliveryCount) return 10;
            if (Unsettled != null) return 8;
            if (Target != null) return 7;
            if (Source != null) return 6;
            if (RcvSettleMode != ReceiverSettleMode.First) return 5;
            if (SndSettleMode != SenderSettleMode.Mixed) return 4;
            return 3;
        }

        private void WriteField(ByteBuffer b, int index)
        {
            switch (index)
            {
                case 0: Encoder.WriteString(b, Name); break;
                case 1: Encoder.WriteUInt(b, Handle); break;
                case 2: Encoder.WriteBoolean(b, Role); break;
                case 3:
                    if (SndSettleMode == SenderSettleMode.Mixed) Encoder.WriteNull(b);
                    else Encoder.WriteUByte(b, SndSettleMode);
                    break;
                case 4:
                    if (RcvSettleMode == ReceiverSettleMode.First) Encoder.WriteNull(b);
                    else Encoder.WriteUByte(b, RcvSettleMode);
                    break;
                case 5:
                    if (Source == null) Encoder.WriteNull(b);
                    else Source.Encode(b);
                    break;
                case 6:
                    if (Target == null) Encoder.WriteNull(b);
                    else Target.Encode(b);
                    break;
                case 7: Encoder.WriteMap(b, Unsettled); break;
                case 9:
                    if (HasInitialDeliveryCount) Encoder.WriteUInt(b, InitialDeliveryCount);
                    else Encoder.WriteNull(b);
                    break;
                case 10:
                    if (MaxMessageSize == 0) Encoder.WriteNull(b);
                    else Encoder.WriteULong(b, MaxMessageSize);
                    break;
                case 13: Encoder.WriteMap(b, Properties); break;
                default: Encoder.WriteNull(b); break; // a field the device never sets, before a later one
            }
        }

        private void ReadField(ByteBuffer b, int index)
        {
            switch (index)
            {
                case 0: Name = Decoder.ReadString(b); break;
                case 1: Handle = Decoder.ReadUInt(b); break;
                case 2: Role = Decoder.ReadBoolean(b); break;
                case 3: SndSettleMode = Decoder.ReadUByte(b); break;
                case 4: RcvSettleMode = Decoder.ReadUByte(b); break;
                case 5:
                    Source = new Source();
                    Source.Decode(b);
                    break;
                case 6:
                    Target = new Target();
                    Target.Decode(b);
                    break;
                case 7: Unsettled = Decoder.ReadMap(b); break;
                case 9:
                    InitialDeliveryCount = Decoder.ReadUInt(b);
                    HasInitialDeliveryCount = true;
                    break;
                case 10: MaxMessageSize = Decoder.ReadULong(b); break;
                case 13: Properties = Decoder.ReadMap(b); break;
                default: Decoder.Skip(b); break; // a field the device never reads
            }
        }
    }
}
