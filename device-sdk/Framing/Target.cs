// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
using IotHubAmqp.Device.Buffers;
using IotHubAmqp.Device.Types;

namespace IotHubAmqp.Device.Framing
{
    /// <summary>
    /// The target terminus (AMQP 1.0 3.5.4): where a link's messages go. As for <see cref="Source"/>, the device names
    /// only the address and reads past the peer's other fields.
    /// </summary>
    internal sealed class Target : DescribedList
    {
        /// <summary>address (index 0): the address of the target, or null.</summary>
        public string Address;

        public override void Fields(ref FieldCursor c)
        {
            c.List(Descriptor.Target);
            c.Address(ref Address); // the later fields are skipped by their encoded size
        }
    }
}
