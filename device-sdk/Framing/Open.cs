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
    internal sealed class Open
    {
        private const int FieldCount = 10;

        /// <summary>Spec default of max-frame-size: no limit.</summary>
        public const uint DefaultMaxFrameSize = uint.MaxValue;

        /// <summary>Spec default of channel-max.</summary>
        public const ushort DefaultChannelMax = 65535;

        /// <summary>container-id (index 0, mandatory): the id of the source container.</summary>
        public string ContainerId;

        /// <summary>hostname (index 1): the name of the target host, or null.</summary>
        public string Hostname;

        /// <summary>max-frame-size (index 2): proposed maximum frame size; default <see cref="uint.MaxValue"/>.</summary>
        public uint MaxFrameSize;

        /// <summary>channel-max (index 3): the maximum channel number that can be used; default 65535.</summary>
        public ushort ChannelMax;

        /// <summary>idle-time-out (index 4): idle timeout in milliseconds; 0 = absent (no timeout).</summary>
        public uint IdleTimeOut;





        /// <summary>properties (index 9): connection properties (symbol keys), or null.</summary>
        public AmqpMap Properties;

        /// <summary>Creates an open with every field at its default.</summary>
        public Open()
        {
            Reset();
        }

        /// <summary>Resets every field to its default, for reuse.</summary>
        public void Reset()
        {
            ContainerId = null;
            Hostname = null;
            MaxFrameSize = DefaultMaxFrameSize;
            ChannelMax = DefaultChannelMax;
            IdleTimeOut = 0;
            Properties = null;
        }

        /// <summary>Writes the descriptor and the list, leaving out trailing absent or default fields.</summary>
        public void Encode(ByteBuffer b)
        {
            int count = CountToWrite();
            int start = FieldCodec.BeginList(b, Descriptor.Open, count);
            for (int i = 0; i < count; i++) WriteField(b, i);
            FieldCodec.EndList(b, start, count);
        }

        /// <summary>Reads the list (the caller has read the descriptor), resetting every field first.</summary>
        public void Decode(ByteBuffer b)
        {
            Reset();
            int count = Decoder.ReadListHeader(b, out int end);
            for (int i = 0; i < count; i++)
            {
                if (i >= FieldCount) Decoder.Skip(b);
                else if (!Decoder.TryReadNull(b)) ReadField(b, i);
            }
            FieldCodec.EndFields(b, end, "open");
            if (ContainerId == null) throw FieldCodec.Missing("open", "container-id");
        }

        private int CountToWrite()
        {
            if (Properties != null) return 10;
            if (IdleTimeOut != 0) return 5;
            if (ChannelMax != DefaultChannelMax) return 4;
            if (MaxFrameSize != DefaultMaxFrameSize) return 3;
            if (Hostname != null) return 2;
            return 1;
        }

        private void WriteField(ByteBuffer b, int index)
        {
            switch (index)
            {
                case 0: Encoder.WriteString(b, ContainerId); break;
                case 1: Encoder.WriteString(b, Hostname); break;
                case 2:
                    if (MaxFrameSize == DefaultMaxFrameSize) Encoder.WriteNull(b);
                    else Encoder.WriteUInt(b, MaxFrameSize);
                    break;
                case 3:
                    if (ChannelMax == DefaultChannelMax) Encoder.WriteNull(b);
                    else Encoder.WriteUShort(b, ChannelMax);
                    break;
                case 4:
                    if (IdleTimeOut == 0) Encoder.WriteNull(b);
                    else Encoder.WriteUInt(b, IdleTimeOut);
                    break;
                case 9: Encoder.WriteMap(b, Properties); break;
                default: Encoder.WriteNull(b); break; // a field the device never sets, before a later one
            }
        }

        private void ReadField(ByteBuffer b, int index)
        {
            switch (index)
            {
                case 0: ContainerId = Decoder.ReadString(b); break;
                case 1: Hostname = Decoder.ReadString(b); break;
                case 2: MaxFrameSize = Decoder.ReadUInt(b); break;
                case 3: ChannelMax = Decoder.ReadUShort(b); break;
                case 4: IdleTimeOut = Decoder.ReadUInt(b); break;
                case 9: Properties = Decoder.ReadMap(b); break;
                default: Decoder.Skip(b); break; // a field the device never reads
            }
        }
    }
}
