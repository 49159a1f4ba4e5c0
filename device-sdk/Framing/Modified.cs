// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
using IotHubAmqp.Device.Buffers;
using IotHubAmqp.Device.Types;

namespace IotHubAmqp.Device.Framing
{
    /// <summary>The modified outcome (AMQP 1.0 3.4.5): the message was modified but not processed.</summary>
    internal sealed class Modified : Outcome
    {
        private const int FieldCount = 3;

        /// <summary>delivery-failed (index 0): count the transfer as an unsuccessful delivery attempt; default false.</summary>
        public bool DeliveryFailed;

        /// <summary>undeliverable-here (index 1): do not redeliver to this link endpoint; default false.</summary>
        public bool UndeliverableHere;

        /// <summary>message-annotations (index 2): annotations to merge into the message's (symbol keys), or null.</summary>
        public AmqpMap MessageAnnotations;

        /// <inheritdoc/>
        public override ulong DescriptorCode => Descriptor.Modified;

        /// <summary>Writes the descriptor and the list, leaving out trailing absent or default fields.</summary>
        public override void Encode(ByteBuffer b)
        {
            int count = MessageAnnotations != null ? 3 : UndeliverableHere ? 2 : DeliveryFailed ? 1 : 0;
            int start = FieldCodec.BeginList(b, Descriptor.Modified, count);
            if (count > 0) Encoder.WriteBoolean(b, DeliveryFailed);
            if (count > 1) Encoder.WriteBoolean(b, UndeliverableHere);
            if (count > 2) Encoder.WriteMap(b, MessageAnnotations);
            FieldCodec.EndList(b, start, count);
        }

        /// <summary>Reads the list (the caller has read the descriptor), resetting every field first. Named DecodeList since <see cref="Outcome.Decode"/> is the static entry point that reads the descriptor.</summary>
        public void DecodeList(ByteBuffer b)
        {
            DeliveryFailed = false;
            UndeliverableHere = false;
            MessageAnnotations = null;
            int count = Decoder.ReadListHeader(b, out int end);
            for (int i = 0; i < count; i++)
            {
                switch (i)
                {
                    case 0: DeliveryFailed = Decoder.ReadBoolean(b); break;
                    case 1: UndeliverableHere = Decoder.ReadBoolean(b); break;
                    case 2: MessageAnnotations = Decoder.ReadMap(b); break;
                    default: Decoder.Skip(b); break;
                }
            }
            FieldCodec.EndFields(b, end, "modified");
        }
    }
}
