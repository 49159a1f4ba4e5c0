// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
using IotHubAmqp.Device.Buffers;
using IotHubAmqp.Device.Types;

namespace IotHubAmqp.Device.Framing
{
    /// <summary>The modified outcome (AMQP 1.0 3.4.5): the message was modified but not processed.</summary>
    internal sealed class Modified : Outcome
    {
        /// <summary>delivery-failed (index 0): count the transfer as an unsuccessful delivery attempt; default false.</summary>
        public bool DeliveryFailed;

        /// <summary>undeliverable-here (index 1): do not redeliver to this link endpoint; default false.</summary>
        public bool UndeliverableHere;

        /// <summary>message-annotations (index 2): annotations to merge into the message's (symbol keys), or null.</summary>
        public AmqpMap MessageAnnotations;

        /// <inheritdoc/>
        public override ulong DescriptorCode => Descriptor.Modified;

        public override void Fields(ref FieldCursor c)
        {
            c.List(Descriptor.Modified);
            // The flags are written as true or false (not null) once a later field is present.
            c.Bool(ref DeliveryFailed, DeliveryFailed || UndeliverableHere || MessageAnnotations != null, null);
            c.Bool(ref UndeliverableHere, UndeliverableHere || MessageAnnotations != null, null);
            c.Map(ref MessageAnnotations);
        }
    }
}
