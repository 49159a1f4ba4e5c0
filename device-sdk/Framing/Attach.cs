// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
using IotHubAmqp.Device.Buffers;
using IotHubAmqp.Device.Types;

namespace IotHubAmqp.Device.Framing
{
    /// <summary>
    /// The attach performative (AMQP 1.0 2.7.3): attaches a link to a session. The device neither sets nor reads
    /// incomplete-unsettled, offered- and desired-capabilities: they are written as null when a later field is present
    /// and skipped when the peer sends them.
    /// </summary>
    internal sealed class Attach : DescribedList
    {
        /// <summary>name (index 0, mandatory): the name of the link.</summary>
        public string Name;

        /// <summary>handle (index 1, mandatory): the handle the sender uses for the link.</summary>
        public uint Handle;

        /// <summary>role (index 2, mandatory): <see cref="Framing.Role.Sender"/> (false) or <see cref="Framing.Role.Receiver"/> (true).</summary>
        public bool Role;

        /// <summary>snd-settle-mode (index 3): a <see cref="SenderSettleMode"/>; default mixed.</summary>
        public byte SndSettleMode = SenderSettleMode.Mixed;

        /// <summary>rcv-settle-mode (index 4): a <see cref="ReceiverSettleMode"/>; default first.</summary>
        public byte RcvSettleMode;

        /// <summary>source (index 5): the source for messages, or null.</summary>
        public Source Source;

        /// <summary>target (index 6): the target for messages, or null.</summary>
        public Target Target;

        /// <summary>unsettled (index 7): unsettled delivery state by delivery-tag, or null.</summary>
        public AmqpMap Unsettled;

        /// <summary>initial-delivery-count (index 9): the sender's initial delivery-count, valid when <see cref="HasInitialDeliveryCount"/>.</summary>
        public uint InitialDeliveryCount;

        /// <summary>Whether initial-delivery-count (index 9) is present (it must be when role is sender).</summary>
        public bool HasInitialDeliveryCount;

        /// <summary>max-message-size (index 10): the largest message the endpoint accepts; 0 = absent (no limit).</summary>
        public ulong MaxMessageSize;

        /// <summary>properties (index 13): link properties (symbol keys), or null.</summary>
        public AmqpMap Properties;

        public override void Fields(ref FieldCursor c)
        {
            c.List(Descriptor.Attach);
            c.String(ref Name, "name");
            c.UInt(ref Handle, "handle");
            c.Bool(ref Role, "role");
            c.UByte(ref SndSettleMode, SenderSettleMode.Mixed);
            c.UByte(ref RcvSettleMode, ReceiverSettleMode.First);
            Source = (Source)c.Described(Source, Descriptor.Source);
            Target = (Target)c.Described(Target, Descriptor.Target);
            c.Map(ref Unsettled);
            c.Skip(); // incomplete-unsettled
            c.UInt(ref InitialDeliveryCount, ref HasInitialDeliveryCount);
            c.ULong(ref MaxMessageSize, null);
            c.Skip(); // offered-capabilities
            c.Skip(); // desired-capabilities
            c.Map(ref Properties);
        }
    }
}
