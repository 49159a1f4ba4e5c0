// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
using IotHubAmqp.Device.Sasl;

namespace IotHubAmqp.Device.Engine
{
    /// <summary>What the client announces in open (AMQP 1.0 2.7.1) and how it authenticates.</summary>
    internal sealed class ConnectionSettings
    {
        /// <summary>
        /// 4 KB: one frame holds a typical 1-3 KB telemetry message (one socket write per send), and the two
        /// frame buffers a connection keeps (read and write) stay within a device's heap budget. Larger C2D
        /// messages are reassembled from several frames.
        /// </summary>
        public const uint DefaultMaxFrameSize = 4096;

        /// <summary>The C SDK announces 240 s; a silent peer is noticed within this time.</summary>
        public const uint DefaultIdleTimeoutMs = 240000;

        /// <summary>A device needs one session, two for CBS on its own; four leaves room.</summary>
        public const ushort DefaultChannelMax = 3;

        public string ContainerId;
        public string HostName;
        public uint MaxFrameSize = DefaultMaxFrameSize;
        public ushort ChannelMax = DefaultChannelMax;
        public uint IdleTimeoutMs = DefaultIdleTimeoutMs;

        /// <summary>Null: no SASL layer (the AMQP header follows TLS directly).</summary>
        public SaslProfile Sasl;
    }
}
