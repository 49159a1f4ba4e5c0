// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
using IotHubAmqp.Device.Buffers;
using IotHubAmqp.Device.Types;

namespace IotHubAmqp.Device.Framing
{
    /// <summary>
    /// A delivery state (AMQP 1.0 3.4): the terminal outcomes accepted, rejected, released and modified, and
    /// the non-terminal received state. Carried by transfer, disposition and source default-outcome.
    /// </summary>
    internal abstract class Outcome : DescribedList
    {
        /// <summary>The numeric descriptor of this state (<see cref="Descriptor"/>).</summary>
        public abstract ulong DescriptorCode { get; }

        /// <summary>
        /// Reads a described delivery state (descriptor included), or null. Accepted and released return their
        /// shared instances, so decoding the common dispositions allocates nothing.
        /// </summary>
        public static new Outcome Decode(ByteBuffer b) => Decoder.TryReadNull(b) ? null : (Outcome)FieldCodec.Read(b, 0, null);

        /// <summary>
        /// Reads the list (the caller has read the descriptor), setting every field. Named DecodeList since
        /// <see cref="Decode"/> is the static entry point that reads the descriptor. The shared accepted and released
        /// instances have no fields, so reading into them changes nothing.
        /// </summary>
        public void DecodeList(ByteBuffer b) => base.Decode(b);
    }
}
