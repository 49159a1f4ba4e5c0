// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.

namespace IotHubAmqp.Device.Framing
{
    /// <summary>Sender settle modes (AMQP 1.0 2.8.2), a ubyte on the wire.</summary>
    internal static class SenderSettleMode
    {
        /// <summary>The sender sends all deliveries initially unsettled.</summary>
        public const byte Unsettled = 0;

        /// <summary>The sender sends all deliveries settled.</summary>
        public const byte Settled = 1;

        /// <summary>The sender may send a mixture of settled and unsettled deliveries (the default).</summary>
        public const byte Mixed = 2;
    }

    /// <summary>Receiver settle modes (AMQP 1.0 2.8.3), a ubyte on the wire.</summary>
    internal static class ReceiverSettleMode
    {
        /// <summary>The receiver settles spontaneously (the default).</summary>
        public const byte First = 0;

        /// <summary>The receiver settles only after the sender settles.</summary>
        public const byte Second = 1;
    }
}
