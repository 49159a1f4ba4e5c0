// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
using IotHubAmqp.Device.Buffers;
using IotHubAmqp.Device.Types;

namespace IotHubAmqp.Device.Framing
{
    /// <summary>
    /// The source terminus (AMQP 1.0 3.5.3): where a link's messages come from. The device names only its address;
    /// the peer's other fields (durability, expiry, filters, outcomes, capabilities) are read past, since the device
    /// acts on none of them (see <see cref="FieldCodec.ReadTerminus"/>).
    /// </summary>
    internal sealed class Source
    {
        /// <summary>address (index 0): the address of the source, or null.</summary>
        public string Address;

        /// <summary>Writes the source descriptor and the list of its one field (an empty list without an address).</summary>
        public void Encode(ByteBuffer b) => FieldCodec.WriteTerminus(b, Descriptor.Source, Address);

        /// <summary>Reads the source descriptor and the list (a source is a field value inside attach).</summary>
        public void Decode(ByteBuffer b) => Address = FieldCodec.ReadTerminus(b, Descriptor.Source, "source");
    }
}
