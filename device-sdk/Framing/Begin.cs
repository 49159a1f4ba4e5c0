// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
using IotHubAmqp.Device.Buffers;
using IotHubAmqp.Device.Types;

namespace IotHubAmqp.Device.Framing
{
    /// <summary>
    /// The begin performative (AMQP 1.0 2.7.2): begins a session on a channel. The device neither sets nor reads
    /// offered- and desired-capabilities: they are written as null when a later field is present and skipped when the
    /// peer sends them.
    /// </summary>
    internal sealed class Begin : DescribedList
    {
        /// <summary>Spec default of handle-max.</summary>
        public const uint DefaultHandleMax = uint.MaxValue;

        /// <summary>remote-channel (index 0): the remote channel for this session, valid when <see cref="HasRemoteChannel"/>.</summary>
        public ushort RemoteChannel;

        /// <summary>Whether remote-channel (index 0) is present (it is only in a begin that answers the peer's).</summary>
        public bool HasRemoteChannel;

        /// <summary>next-outgoing-id (index 1, mandatory): the transfer-id of the first transfer the sender will send.</summary>
        public uint NextOutgoingId;

        /// <summary>incoming-window (index 2, mandatory): the initial incoming-window of the sender.</summary>
        public uint IncomingWindow;

        /// <summary>outgoing-window (index 3, mandatory): the initial outgoing-window of the sender.</summary>
        public uint OutgoingWindow;

        /// <summary>handle-max (index 4): the maximum handle value; default <see cref="uint.MaxValue"/>.</summary>
        public uint HandleMax = DefaultHandleMax;

        /// <summary>properties (index 7): session properties (symbol keys), or null.</summary>
        public AmqpMap Properties;

        public override void Fields(ref FieldCursor c)
        {
            c.List(Descriptor.Begin);
            c.UShort(ref RemoteChannel, ref HasRemoteChannel);
            c.UInt(ref NextOutgoingId, "next-outgoing-id");
            c.UInt(ref IncomingWindow, "incoming-window");
            c.UInt(ref OutgoingWindow, "outgoing-window");
            c.UInt(ref HandleMax, DefaultHandleMax);
            c.Skip(); // offered-capabilities
            c.Skip(); // desired-capabilities
            c.Map(ref Properties);
        }
    }
}
