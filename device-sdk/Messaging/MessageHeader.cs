// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
using IotHubAmqp.Device.Buffers;
using IotHubAmqp.Device.Framing;
using IotHubAmqp.Device.Types;

namespace IotHubAmqp.Device.Messaging
{
    /// <summary>The header section of a message (AMQP 1.0 3.2.1): transport headers for delivery.</summary>
    public sealed class MessageHeader : IFields
    {
        /// <summary>The priority a message has when none is given (AMQP 1.0 3.2.1).</summary>
        public const byte DefaultPriority = 4;

        /// <summary>durable (index 0): the message must survive intermediary restarts. Default false.</summary>
        public bool Durable;

        /// <summary>priority (index 1): relative priority, 0 (lowest) to 9 or more. Default 4.</summary>
        public byte Priority = DefaultPriority;

        /// <summary>ttl (index 2): time to live in milliseconds; 0 means none.</summary>
        public uint Ttl;

        /// <summary>first-acquirer (index 3): no other link has acquired this message before. Default false.</summary>
        public bool FirstAcquirer;

        /// <summary>delivery-count (index 4): the number of prior unsuccessful delivery attempts. Default 0.</summary>
        public uint DeliveryCount;

        /// <summary>True when every field has its default, so the section need not be sent.</summary>
        public bool IsDefault => !Durable && Priority == DefaultPriority && Ttl == 0 && !FirstAcquirer && DeliveryCount == 0;

        // The fields in order, for both directions (see FieldCursor); a default is not written.
        void IFields.Fields(ref FieldCursor c)
        {
            c.List(Descriptor.Header);
            c.Flag(ref Durable);
            c.UByte(ref Priority, DefaultPriority);
            c.UInt(ref Ttl, 0u);
            c.Flag(ref FirstAcquirer);
            c.UInt(ref DeliveryCount, 0u);
        }
    }
}
