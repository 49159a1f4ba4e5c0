// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
using IotHubAmqp.Device.Buffers;
using IotHubAmqp.Device.Types;

namespace IotHubAmqp.Device.Framing
{
    /// <summary>The disposition performative (AMQP 1.0 2.7.6): informs the peer of delivery state changes.</summary>
    internal sealed class Disposition
    {
        private const int FieldCount = 6;

        /// <summary>role (index 0, mandatory): the role of the sender of this frame (<see cref="Framing.Role"/>).</summary>
        public bool Role;

        /// <summary>first (index 1, mandatory): the lower bound of the delivery-ids covered.</summary>
        public uint First;

        /// <summary>last (index 2): the upper bound, valid when <see cref="HasLast"/>; absent = same as first.</summary>
        public uint Last;

        /// <summary>Whether last (index 2) is present.</summary>
        public bool HasLast;

        /// <summary>settled (index 3): whether the deliveries are settled; default false.</summary>
        public bool Settled;

        /// <summary>state (index 4): the delivery state, or null.</summary>
        public Outcome State;

        /// <summary>batchable (index 5): the peer may delay its reply; default false.</summary>
        public bool Batchable;

        /// <summary>Resets every field to its default (absent), for reuse.</summary>
        public void Reset()
        {
            Role = false;
            First = 0;
            Last = 0;
            HasLast = false;
            Settled = false;
            State = null;
            Batchable = false;
        }

        /// <summary>Writes the descriptor and the list, leaving out trailing absent or default fields.</summary>
        public void Encode(ByteBuffer b)
        {
            int count = Batchable ? 6 : State != null ? 5 : Settled ? 4 : HasLast ? 3 : 2;
            int start = FieldCodec.BeginList(b, Descriptor.Disposition, count);
            Encoder.WriteBoolean(b, Role);
            Encoder.WriteUInt(b, First);
            if (count > 2)
            {
                if (HasLast) Encoder.WriteUInt(b, Last);
                else Encoder.WriteNull(b);
            }
            if (count > 3)
            {
                if (Settled) Encoder.WriteBoolean(b, true);
                else Encoder.WriteNull(b);
            }
            if (count > 4) Outcome.Write(b, State);
            if (count > 5) Encoder.WriteBoolean(b, true);
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
            FieldCodec.EndFields(b, end, "disposition");
            if ((present & 1) == 0) throw FieldCodec.Missing("disposition", "role");
            if ((present & 2) == 0) throw FieldCodec.Missing("disposition", "first");
        }

        private void ReadField(ByteBuffer b, int index)
        {
            switch (index)
            {
                case 0: Role = Decoder.ReadBoolean(b); break;
                case 1: First = Decoder.ReadUInt(b); break;
                case 2:
                    Last = Decoder.ReadUInt(b);
                    HasLast = true;
                    break;
                case 3: Settled = Decoder.ReadBoolean(b); break;
                case 4: State = Outcome.Decode(b); break;
                case 5: Batchable = Decoder.ReadBoolean(b); break;
            }
        }
    }
}
