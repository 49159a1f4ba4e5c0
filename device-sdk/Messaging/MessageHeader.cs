// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
using IotHubAmqp.Device.Buffers;
using IotHubAmqp.Device.Framing;
using IotHubAmqp.Device.Types;

namespace IotHubAmqp.Device.Messaging
{
    /// <summary>The header section of a message (AMQP 1.0 3.2.1): transport headers for delivery.</summary>
    public sealed class MessageHeader
    {
        private const int FieldCount = 5;

        /// <summary>The priority a message has when none is given (AMQP 1.0 3.2.1).</summary>
        public const byte DefaultPriority = 4;

        /// <summary>durable (index 0): the message must survive intermediary restarts. Default false.</summary>
        public bool Durable { get; set; }

        /// <summary>priority (index 1): relative priority, 0 (lowest) to 9 or more. Default 4.</summary>
        public byte Priority { get; set; } = DefaultPriority;

        /// <summary>ttl (index 2): time to live in milliseconds; 0 means none.</summary>
        public uint Ttl { get; set; }

        /// <summary>first-acquirer (index 3): no other link has acquired this message before. Default false.</summary>
        public bool FirstAcquirer { get; set; }

        /// <summary>delivery-count (index 4): the number of prior unsuccessful delivery attempts. Default 0.</summary>
        public uint DeliveryCount { get; set; }

        /// <summary>True when every field has its default, so the section need not be sent.</summary>
        public bool IsDefault => !Durable && Priority == DefaultPriority && Ttl == 0 && !FirstAcquirer && DeliveryCount == 0;

        internal void Encode(ByteBuffer b)
        {
            int count = DeliveryCount != 0 ? 5 : FirstAcquirer ? 4 : Ttl != 0 ? 3 : Priority != DefaultPriority ? 2 : Durable ? 1 : 0;
            int start = FieldCodec.BeginList(b, Descriptor.Header, count);
            if (count > 0) WriteFlag(b, Durable);
            if (count > 1)
            {
                if (Priority == DefaultPriority) Encoder.WriteNull(b);
                else Encoder.WriteUByte(b, Priority);
            }
            if (count > 2)
            {
                if (Ttl == 0) Encoder.WriteNull(b);
                else Encoder.WriteUInt(b, Ttl);
            }
            if (count > 3) WriteFlag(b, FirstAcquirer);
            if (count > 4) Encoder.WriteUInt(b, DeliveryCount);
            FieldCodec.EndList(b, start, count);
        }

        private static void WriteFlag(ByteBuffer b, bool v)
        {
            if (v) Encoder.WriteBoolean(b, true);
            else Encoder.WriteNull(b);
        }

        /// <summary>Reads the list (the caller has read the descriptor); absent fields keep their defaults.</summary>
        internal void Decode(ByteBuffer b)
        {
            int count = Decoder.ReadListHeader(b, out int end);
            for (int i = 0; i < count; i++)
            {
                if (i >= FieldCount) Decoder.Skip(b);
                else if (!Decoder.TryReadNull(b))
                {
                    switch (i)
                    {
                        case 0: Durable = Decoder.ReadBoolean(b); break;
                        case 1: Priority = Decoder.ReadUByte(b); break;
                        case 2: Ttl = Decoder.ReadUInt(b); break;
                        case 3: FirstAcquirer = Decoder.ReadBoolean(b); break;
                        case 4: DeliveryCount = Decoder.ReadUInt(b); break;
                    }
                }
            }
            FieldCodec.EndFields(b, end, "header");
        }
    }
}
