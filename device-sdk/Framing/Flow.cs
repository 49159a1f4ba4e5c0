// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
using IotHubAmqp.Device.Buffers;
using IotHubAmqp.Device.Types;

namespace IotHubAmqp.Device.Framing
{
    /// <summary>The flow performative (AMQP 1.0 2.7.4): updates session windows and, with a handle, link credit.</summary>
    internal sealed class Flow
    {
        private const int FieldCount = 11;

        /// <summary>next-incoming-id (index 0): the next transfer-id the sender expects, valid when <see cref="HasNextIncomingId"/>.</summary>
        public uint NextIncomingId;

        /// <summary>Whether next-incoming-id (index 0) is present (absent until the peer's begin has arrived).</summary>
        public bool HasNextIncomingId;

        /// <summary>incoming-window (index 1, mandatory): the sender's incoming-window.</summary>
        public uint IncomingWindow;

        /// <summary>next-outgoing-id (index 2, mandatory): the transfer-id the sender will assign next.</summary>
        public uint NextOutgoingId;

        /// <summary>outgoing-window (index 3, mandatory): the sender's outgoing-window.</summary>
        public uint OutgoingWindow;

        /// <summary>handle (index 4): the link this flow is about, valid when <see cref="HasHandle"/>; absent for a session-only flow.</summary>
        public uint Handle;

        /// <summary>Whether handle (index 4) is present; link fields 5-9 are only meaningful when it is.</summary>
        public bool HasHandle;

        /// <summary>delivery-count (index 5): the endpoint's delivery-count, valid when <see cref="HasDeliveryCount"/>.</summary>
        public uint DeliveryCount;

        /// <summary>Whether delivery-count (index 5) is present.</summary>
        public bool HasDeliveryCount;

        /// <summary>link-credit (index 6): the current link credit, valid when <see cref="HasLinkCredit"/>.</summary>
        public uint LinkCredit;

        /// <summary>Whether link-credit (index 6) is present.</summary>
        public bool HasLinkCredit;



        /// <summary>drain (index 8): drain mode; default false.</summary>
        public bool Drain;

        /// <summary>echo (index 9): ask the peer to reply with its flow state; default false.</summary>
        public bool Echo;

        /// <summary>properties (index 10): link state properties (symbol keys), or null.</summary>
        public AmqpMap Properties;

        /// <summary>Resets every field to its default (absent).</summary>
        public void Reset()
        {
            NextIncomingId = 0;
            HasNextIncomingId = false;
            IncomingWindow = 0;
            NextOutgoingId = 0;
            OutgoingWindow = 0;
            Handle = 0;
            HasHandle = false;
            DeliveryCount = 0;
            HasDeliveryCount = false;
            LinkCredit = 0;
            HasLinkCredit = false;
            Drain = false;
            Echo = false;
            Properties = null;
        }

        /// <summary>Writes the descriptor and the list, leaving out trailing absent or default fields.</summary>
        public void Encode(ByteBuffer b)
        {
            int count = CountToWrite();
            int start = FieldCodec.BeginList(b, Descriptor.Flow, count);
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
            FieldCodec.EndFields(b, end, "flow");
            if ((present & (1 << 1)) == 0) throw FieldCodec.Missing("flow", "incoming-window");
            if ((present & (1 << 2)) == 0) throw FieldCodec.Missing("flow", "next-outgoing-id");
            if ((present & (1 << 3)) == 0) throw FieldCodec.Missing("flow", "outgoing-window");
        }

        private int CountToWrite()
        {
            if (Properties != null) return 11;
            if (Echo) return 10;
            if (Drain) return 9;
            if (HasLinkCredit) return 7;
            if (HasDeliveryCount) return 6;
            if (HasHandle) return 5;
            return 4;
        }

        private void WriteField(ByteBuffer b, int index)
        {
            switch (index)
            {
                case 0: WriteOptionalUInt(b, HasNextIncomingId, NextIncomingId); break;
                case 1: Encoder.WriteUInt(b, IncomingWindow); break;
                case 2: Encoder.WriteUInt(b, NextOutgoingId); break;
                case 3: Encoder.WriteUInt(b, OutgoingWindow); break;
                case 4: WriteOptionalUInt(b, HasHandle, Handle); break;
                case 5: WriteOptionalUInt(b, HasDeliveryCount, DeliveryCount); break;
                case 6: WriteOptionalUInt(b, HasLinkCredit, LinkCredit); break;
                case 7: Encoder.WriteNull(b); break; // available: the device never announces it
                case 8:
                    if (Drain) Encoder.WriteBoolean(b, true);
                    else Encoder.WriteNull(b);
                    break;
                case 9:
                    if (Echo) Encoder.WriteBoolean(b, true);
                    else Encoder.WriteNull(b);
                    break;
                case 10: Encoder.WriteMap(b, Properties); break;
            }
        }

        private static void WriteOptionalUInt(ByteBuffer b, bool has, uint v)
        {
            if (has) Encoder.WriteUInt(b, v);
            else Encoder.WriteNull(b);
        }

        private void ReadField(ByteBuffer b, int index)
        {
            switch (index)
            {
                case 0:
                    NextIncomingId = Decoder.ReadUInt(b);
                    HasNextIncomingId = true;
                    break;
                case 1: IncomingWindow = Decoder.ReadUInt(b); break;
                case 2: NextOutgoingId = Decoder.ReadUInt(b); break;
                case 3: OutgoingWindow = Decoder.ReadUInt(b); break;
                case 4:
                    Handle = Decoder.ReadUInt(b);
                    HasHandle = true;
                    break;
                case 5:
                    DeliveryCount = Decoder.ReadUInt(b);
                    HasDeliveryCount = true;
                    break;
                case 6:
                    LinkCredit = Decoder.ReadUInt(b);
                    HasLinkCredit = true;
                    break;
                case 7: Decoder.Skip(b); break; // available: the device acts on a sender's credit, not its backlog
                case 8: Drain = Decoder.ReadBoolean(b); break;
                case 9: Echo = Decoder.ReadBoolean(b); break;
                case 10: Properties = Decoder.ReadMap(b); break;
            }
        }
    }
}
