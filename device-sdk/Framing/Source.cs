// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
using IotHubAmqp.Device.Buffers;
using IotHubAmqp.Device.Types;

namespace IotHubAmqp.Device.Framing
{
    /// <summary>
    /// The source terminus (AMQP 1.0 3.5.3): where a link's messages come from. The device names only its address;
    /// the peer's other fields (durability, expiry, filters, outcomes, capabilities) are read past, since the device
    /// acts on none of them.
    /// </summary>
    internal sealed class Source : DescribedList
    {
        /// <summary>address (index 0): the address of the source, or null.</summary>
        public string Address;

        public override void Fields(ref FieldCursor c)
        {
            c.List(Descriptor.Source);
            c.Address(ref Address); // the later fields are skipped by their encoded size
        }
    }
}
