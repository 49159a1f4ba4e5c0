// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
using IotHubAmqp.Device.Buffers;
using IotHubAmqp.Device.Types;

namespace IotHubAmqp.Device.Framing
{
    /// <summary>
    /// The target terminus (AMQP 1.0 3.5.4): where a link's messages go. As for <see cref="Source"/>, the device names
    /// only the address and reads past the peer's other fields.
    /// </summary>
    internal sealed class Target
    {
        /// <summary>address (index 0): the address of the target, or null.</summary>
        public string Address;

        /// <summary>Writes the target descriptor and the list of its one field (an empty list without an address).</summary>
        public void Encode(ByteBuffer b) => FieldCodec.WriteTerminus(b, Descriptor.Target, Address);

        /// <summary>Reads the target descriptor and the list (a target is a field value inside attach).</summary>
        public void Decode(ByteBuffer b) => Address = FieldCodec.ReadTerminus(b, Descriptor.Target, "target");
    }
}
