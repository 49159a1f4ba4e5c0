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
    internal sealed class Begin
    {
        private const int FieldCount = 8;

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
        public uint HandleMax;



        /// <summary>properties (index 7): session properties (symbol keys), or null.</summary>
        public AmqpMap Properties;

        /// <summary>Creates a begin with every field at its default.</summary>
        public Begin()
        {
            Reset();
        }

        /// <summary>Resets every field to its default, for reuse.</summary>
        public void Reset()
        {
            RemoteChannel = 0;
            HasRemoteChannel = false;
            NextOutgoingId = 0;
            IncomingWindow = 0;
            OutgoingWindow = 0;
            HandleMax = DefaultHandleMax;
            Properties = null;
        }

        /// <summary>Writes the descriptor and the list, leaving out trailing absent or default fields.</summary>
        public void Encode(ByteBuffer b)
        {
            int count = CountToWrite();
            int start = FieldCodec.BeginList(b, Descriptor.Begin, count);
            for (int i = 0; i < count; i++) WriteField(b, i);
            FieldCodec.EndList(b, start, count);
        }

        /// <summary>Reads the list (the caller has read the descriptor), resetting every field first.</summary>
        public void Decode(ByteBuffer b)
        {
            Reset();
            int count = Decoder.ReadListHeader(b, out int end);
            int present = 0;
            for (int i = 0; i < count; i++)
            {
                if (i >= FieldCount) Decoder.Skip(b);
                else if (!Decoder.TryReadNull(b))
                {
                    present |= 1 << i;
                    ReadField(b, i);
                }
            }
            FieldCodec.EndFields(b, end, "begin");
            if ((present & (1 << 1)) == 0) throw FieldCodec.Missing("begin", "next-outgoing-id");
            if ((present & (1 << 2)) == 0) throw FieldCodec.Missing("begin", "incoming-window");
            if ((present & (1 << 3)) == 0) throw FieldCodec.Missing("begin", "outgoing-window");
        }

        private int CountToWrite()
        {
            if (Properties != null) return 8;
            if (HandleMax != DefaultHandleMax) return 5;
            return 4;
        }

        private void WriteField(ByteBuffer b, int index)
        {
            switch (index)
            {
                case 0:
                    if (HasRemoteChannel) Encoder.WriteUShort(b, RemoteChannel);
                    else Encoder.WriteNull(b);
                    break;
                case 1: Encoder.WriteUInt(b, NextOutgoingId); break;
                case 2: Encoder.WriteUInt(b, IncomingWindow); break;
                case 3: Encoder.WriteUInt(b, OutgoingWindow); break;
                case 4:
                    if (HandleMax == DefaultHandleMax) Encoder.WriteNull(b);
                    else Encoder.WriteUInt(b, HandleMax);
                    break;
                case 7: Encoder.WriteMap(b, Properties); break;
                default: Encoder.WriteNull(b); break; // a field the device never sets, before a later one
            }
        }

        private void ReadField(ByteBuffer b, int index)
        {
            switch (index)
            {
                case 0:
                    RemoteChannel = Decoder.ReadUShort(b);
                    HasRemoteChannel = true;
                    break;
                case 1: NextOutgoingId = Decoder.ReadUInt(b); break;
                case 2: IncomingWindow = Decoder.ReadUInt(b); break;
                case 3: OutgoingWindow = Decoder.ReadUInt(b); break;
                case 4: HandleMax = Decoder.ReadUInt(b); break;
                case 7: Properties = Decoder.ReadMap(b); break;
                default: Decoder.Skip(b); break; // a field the device never reads
            }
        }
    }
}
