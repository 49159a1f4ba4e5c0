// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
using IotHubAmqp.Device.Messaging;

namespace IotHubAmqp.Device.Engine
{
    /// <summary>A message received on a link, with what is needed to settle it (2.6.12).</summary>
    internal sealed class IncomingDelivery
    {
        public IncomingDelivery(ReceiverLink link, uint id, byte[] tag, bool settled)
        {
            Link = link;
            Id = id;
            Tag = tag;
            Settled = settled;
        }

        public readonly ReceiverLink Link;

        public readonly uint Id;

        public readonly byte[] Tag;

        /// <summary>True once settled by us, or when the sender sent it settled.</summary>
        public bool Settled;

        public Message Message;
    }
}
