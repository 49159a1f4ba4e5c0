// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
using IotHubAmqp.Device.Buffers;
using IotHubAmqp.Device.Types;

namespace IotHubAmqp.Device.Framing
{
    /// <summary>
    /// The open performative (AMQP 1.0 2.7.1): negotiates connection parameters. The device neither sets nor reads
    /// outgoing-locales, incoming-locales, offered- and desired-capabilities: they are written as null when a later
    /// field is present and skipped when the peer sends them.
    /// </summary>
    internal sealed class Open : DescribedList
    {
        /// <summary>Spec default of max-frame-size: no limit.</summary>
        public const uint DefaultMaxFrameSize = uint.MaxValue;

        /// <summary>Spec default of channel-max.</summary>
        public const ushort DefaultChannelMax = 65535;

        /// <summary>container-id (index 0, mandatory): the id of the source container.</summary>
        public string ContainerId;

        /// <summary>hostname (index 1): the name of the target host, or null.</summary>
        public string Hostname;

        /// <summary>max-frame-size (index 2): proposed maximum frame size; default <see cref="uint.MaxValue"/>.</summary>
        public uint MaxFrameSize = DefaultMaxFrameSize;

        /// <summary>channel-max (index 3): the maximum channel number that can be used; default 65535.</summary>
        public ushort ChannelMax = DefaultChannelMax;

        /// <summary>idle-time-out (index 4): idle timeout in milliseconds; 0 = absent (no timeout).</summary>
        public uint IdleTimeOut;

        /// <summary>properties (index 9): connection properties (symbol keys), or null.</summary>
        public AmqpMap Properties;

        public override void Fields(ref FieldCursor c)
        {
            c.List(Descriptor.Open);
            c.String(ref ContainerId, "container-id");
            c.String(ref Hostname, null);
            c.UInt(ref MaxFrameSize, DefaultMaxFrameSize);
            c.UShort(ref ChannelMax, DefaultChannelMax);
            c.UInt(ref IdleTimeOut, 0u);
            for (int i = 5; i < 9; i++) c.Skip(); // locales and capabilities: never set, never read
            c.Map(ref Properties);
        }
    }
}
