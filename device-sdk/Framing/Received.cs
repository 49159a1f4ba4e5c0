// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
using IotHubAmqp.Device.Buffers;
using IotHubAmqp.Device.Types;

namespace IotHubAmqp.Device.Framing
{
    /// <summary>The received delivery state (AMQP 1.0 3.4.1): how much of a message has arrived, for resuming.</summary>
    internal sealed class Received : Outcome
    {
        /// <summary>section-number (index 0, mandatory): the first section not yet fully received.</summary>
        public uint SectionNumber;

        /// <summary>section-offset (index 1, mandatory): the first byte of that section not yet received.</summary>
        public ulong SectionOffset;

        /// <inheritdoc/>
        public override ulong DescriptorCode => Descriptor.Received;

        public override void Fields(ref FieldCursor c)
        {
            c.List(Descriptor.Received);
            c.UInt(ref SectionNumber, "section-number");
            c.ULong(ref SectionOffset, "section-offset");
        }
    }
}
