// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
using IotHubAmqp.Device.Buffers;
using IotHubAmqp.Device.Types;

namespace IotHubAmqp.Device.Framing
{
    /// <summary>
    /// The transfer performative (AMQP 1.0 2.7.5): carries (part of) a message. The payload follows the
    /// performative in the frame body and is not part of this class.
    /// </summary>
    internal sealed class Transfer : DescribedList
    {
        /// <summary>handle (index 0, mandatory): the link the transfer is on.</summary>
        public uint Handle;

        /// <summary>delivery-id (index 1): the delivery's id, valid when <see cref="HasDeliveryId"/>; may be absent on continuation transfers.</summary>
        public uint DeliveryId;

        /// <summary>Whether delivery-id (index 1) is present.</summary>
        public bool HasDeliveryId;

        /// <summary>delivery-tag (index 2): the delivery's tag (at most 32 bytes), or null on continuation transfers.</summary>
        public byte[] DeliveryTag;

        /// <summary>
        /// message-format (index 3): 0 for the AMQP 1.0 message format. Required on a delivery's first transfer, so it
        /// is written whenever <see cref="HasDeliveryId"/> is set or <see cref="DeliveryTag"/> is present, or when non-zero.
        /// </summary>
        public uint MessageFormat;

        /// <summary>settled (index 4): whether the sender settled the delivery; absent = false.</summary>
        public bool Settled;

        /// <summary>more (index 5): more transfers of this delivery follow; default false.</summary>
        public bool More;

        // rcv-settle-mode (index 6) and resume (index 8): the device sets neither and acts on neither.

        /// <summary>state (index 7): the delivery state at the sender, or null.</summary>
        public Outcome State;

        /// <summary>aborted (index 9): the delivery is aborted; default false.</summary>
        public bool Aborted;

        /// <summary>batchable (index 10): the peer may delay the disposition for this delivery; default false.</summary>
        public bool Batchable;

        public override void Fields(ref FieldCursor c)
        {
            c.List(Descriptor.Transfer);
            c.UInt(ref Handle, "handle");
            c.UInt(ref DeliveryId, ref HasDeliveryId);
            c.Binary(ref DeliveryTag);
            // A first transfer (one with a delivery-id or tag) must carry message-format (AMQP 1.0 2.7.5).
            c.UInt(ref MessageFormat, MessageFormat != 0 || HasDeliveryId || DeliveryTag != null);
            c.Flag(ref Settled);
            c.Flag(ref More);
            c.Skip(); // rcv-settle-mode
            State = (Outcome)c.Described(State, 0);
            c.Skip(); // resume
            c.Flag(ref Aborted);
            c.Flag(ref Batchable);
        }
    }
}
