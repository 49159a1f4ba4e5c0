// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
using IotHubAmqp.Device.Buffers;
using IotHubAmqp.Device.Types;

namespace IotHubAmqp.Device.Framing
{
    /// <summary>The flow performative (AMQP 1.0 2.7.4): updates session windows and, with a handle, link credit.</summary>
    internal sealed class Flow : DescribedList
    {
        /// <summary>next-incoming-id (index 0): the next transfer-id the sender expects, valid when <see cref="HasNextIncomingId"/>.</summary>
        public uint NextIncomingId;

        /// <summary>Whether next-incoming-id (index 0) is present (absent until the peer's begin has arrived).</summary>
        public bool HasNextIncomingId;

        /// <summary>incoming-window (index 1, mandatory): the sender's incoming-window.</summary>
        public uint IncomingWindow;

        /// <summary>next-outgoing-id (index 2, mandatory): the transfer-id the sender will assign next.</summary>
        public uint NextOutgoingId;

        /// <summary>outgoing-window (index 3, mandatory): the sender's outgoing-window.</summary>
        public uint OutgoingWindow;

        /// <summary>handle (index 4): the link this flow is about, valid when <see cref="HasHandle"/>; absent for a session-only flow.</summary>
        public uint Handle;

        /// <summary>Whether handle (index 4) is present; link fields 5-9 are only meaningful when it is.</summary>
        public bool HasHandle;

        /// <summary>delivery-count (index 5): the endpoint's delivery-count, valid when <see cref="HasDeliveryCount"/>.</summary>
        public uint DeliveryCount;

        /// <summary>Whether delivery-count (index 5) is present.</summary>
        public bool HasDeliveryCount;

        /// <summary>link-credit (index 6): the current link credit, valid when <see cref="HasLinkCredit"/>.</summary>
        public uint LinkCredit;

        /// <summary>Whether link-credit (index 6) is present.</summary>
        public bool HasLinkCredit;

        /// <summary>drain (index 8): drain mode; default false.</summary>
        public bool Drain;

        /// <summary>echo (index 9): ask the peer to reply with its flow state; default false.</summary>
        public bool Echo;

        /// <summary>properties (index 10): link state properties (symbol keys), or null.</summary>
        public AmqpMap Properties;

        public override void Fields(ref FieldCursor c)
        {
            c.List(Descriptor.Flow);
            c.UInt(ref NextIncomingId, ref HasNextIncomingId);
            c.UInt(ref IncomingWindow, "incoming-window");
            c.UInt(ref NextOutgoingId, "next-outgoing-id");
            c.UInt(ref OutgoingWindow, "outgoing-window");
            c.UInt(ref Handle, ref HasHandle);
            c.UInt(ref DeliveryCount, ref HasDeliveryCount);
            c.UInt(ref LinkCredit, ref HasLinkCredit);
            c.Skip(); // available: the device never announces it, and acts on a sender's credit, not its backlog
            c.Flag(ref Drain);
            c.Flag(ref Echo);
            c.Map(ref Properties);
        }
    }
}
