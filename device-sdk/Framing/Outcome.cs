// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
using IotHubAmqp.Device.Buffers;
using IotHubAmqp.Device.Types;

namespace IotHubAmqp.Device.Framing
{
    /// <summary>
    /// A delivery state (AMQP 1.0 3.4): the terminal outcomes accepted, rejected, released and modified, and
    /// the non-terminal received state. Carried by transfer, disposition and source default-outcome.
    /// </summary>
    internal abstract class Outcome
    {
        /// <summary>The numeric descriptor of this state (<see cref="Descriptor"/>).</summary>
        public abstract ulong DescriptorCode { get; }

        /// <summary>Writes the descriptor and the list.</summary>
        public abstract void Encode(ByteBuffer b);

        /// <summary>
        /// Reads a described delivery state (descriptor included), or null. Accepted and released return their
        /// shared instances, so decoding the common dispositions allocates nothing.
        /// </summary>
        public static Outcome Decode(ByteBuffer b)
        {
            if (Decoder.TryReadNull(b)) return null;
            ulong code = Decoder.ReadDescriptor(b);
            switch (code)
            {
                case Descriptor.Accepted:
                    SkipFields(b, "accepted");
                    return Accepted.Instance;
                case Descriptor.Released:
                    SkipFields(b, "released");
                    return Released.Instance;
                case Descriptor.Rejected:
                    var rejected = new Rejected();
                    rejected.DecodeList(b);
                    return rejected;
                case Descriptor.Modified:
                    var modified = new Modified();
                    modified.DecodeList(b);
                    return modified;
                case Descriptor.Received:
                    var received = new Received();
                    received.DecodeList(b);
                    return received;
                default:
                    // Transactional state (AMQP 1.0 4.5.5) and unknown states are not supported on a device.
                    throw Decoder.Error("unknown delivery state descriptor 0x" + code.ToString("X"));
            }
        }

        /// <summary>Writes an optional delivery-state field: null, or the described state.</summary>
        public static void Write(ByteBuffer b, Outcome o)
        {
            if (o == null) Encoder.WriteNull(b);
            else o.Encode(b);
        }

        /// <summary>Reads the list of a state that has no fields, skipping any a newer peer added.</summary>
        internal static void SkipFields(ByteBuffer b, string type)
        {
            int count = Decoder.ReadListHeader(b, out int end);
            for (int i = 0; i < count; i++) Decoder.Skip(b);
            FieldCodec.EndFields(b, end, type);
        }
    }
}
