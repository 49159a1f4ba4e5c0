// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
using IotHubAmqp.Device.Buffers;
using IotHubAmqp.Device.Types;

namespace IotHubAmqp.Device.Framing
{
    /// <summary>The received delivery state (AMQP 1.0 3.4.1): how much of a message has arrived, for resuming.</summary>
    internal sealed class Received : Outcome
    {
        private const int FieldCount = 2;

        /// <summary>section-number (index 0, mandatory): the first section not yet fully received.</summary>
        public uint SectionNumber;

        /// <summary>section-offset (index 1, mandatory): the first byte of that section not yet received.</summary>
        public ulong SectionOffset;

        /// <inheritdoc/>
        public override ulong DescriptorCode => Descriptor.Received;

        /// <summary>Writes the descriptor and both fields.</summary>
        public override void Encode(ByteBuffer b)
        {
            int start = FieldCodec.BeginList(b, Descriptor.Received, FieldCount);
            Encoder.WriteUInt(b, SectionNumber);
            Encoder.WriteULong(b, SectionOffset);
            FieldCodec.EndList(b, start, FieldCount);
        }

        /// <summary>Reads the list (the caller has read the descriptor), resetting every field first. Named DecodeList since <see cref="Outcome.Decode"/> is the static entry point that reads the descriptor.</summary>
        public void DecodeList(ByteBuffer b)
        {
            SectionNumber = 0;
            SectionOffset = 0;
            int count = Decoder.ReadListHeader(b, out int end);
            int present = 0;
            for (int i = 0; i < count; i++)
            {
                if (i >= FieldCount) Decoder.Skip(b);
                else if (!Decoder.TryReadNull(b))
                {
                    present |= 1 << i;
                    if (i == 0) SectionNumber = Decoder.ReadUInt(b);
                    else SectionOffset = Decoder.ReadULong(b);
                }
            }
            FieldCodec.EndFields(b, end, "received");
            if ((present & 1) == 0) throw FieldCodec.Missing("received", "section-number");
            if ((present & 2) == 0) throw FieldCodec.Missing("received", "section-offset");
        }
    }
}
