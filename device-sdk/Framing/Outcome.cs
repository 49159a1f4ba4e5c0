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
        public static new Outcome Decode(ByteBuffer b)
        {
            if (Decoder.TryReadNull(b)) return null;
            ulong code = Decoder.ReadDescriptor(b);
            Outcome o;
            if (code == Descriptor.Accepted) o = Accepted.Instance;
            else if (code == Descriptor.Released) o = Released.Instance;
            else if (code == Descriptor.Rejected) o = new Rejected();
            else if (code == Descriptor.Modified) o = new Modified();
            else if (code == Descriptor.Received) o = new Received();
            // Transactional state (AMQP 1.0 4.5.5) and unknown states are not supported on a device.
            else throw Decoder.Error("unknown delivery state descriptor 0x" + code.ToString("X"));
            o.DecodeList(b);
            return o;
        }

        /// <summary>
        /// Reads the list (the caller has read the descriptor), setting every field. Named DecodeList since
        /// <see cref="Decode"/> is the static entry point that reads the descriptor. The shared accepted and released
        /// instances have no fields, so reading into them changes nothing.
        /// </summary>
        public void DecodeList(ByteBuffer b) => base.Decode(b);
    }
}
