// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
using IotHubAmqp.Device.Buffers;
using IotHubAmqp.Device.Types;

namespace IotHubAmqp.Device.Framing
{
    /// <summary>The rejected outcome (AMQP 1.0 3.4.3): the message is invalid and cannot be processed.</summary>
    internal sealed class Rejected : Outcome
    {
        private const int FieldCount = 1;

        /// <summary>error (index 0): why the message was rejected, or null.</summary>
        public Error Error;

        /// <inheritdoc/>
        public override ulong DescriptorCode => Descriptor.Rejected;

        /// <summary>Writes the descriptor and the list (empty when there is no error).</summary>
        public override void Encode(ByteBuffer b)
        {
            int count = Error != null ? 1 : 0;
            int start = FieldCodec.BeginList(b, Descriptor.Rejected, count);
            if (count > 0) Error.Encode(b);
            FieldCodec.EndList(b, start, count);
        }

        /// <summary>Reads the list (the caller has read the descriptor), resetting every field first. Named DecodeList since <see cref="Outcome.Decode"/> is the static entry point that reads the descriptor.</summary>
        public void DecodeList(ByteBuffer b)
        {
            Error = null;
            int count = Decoder.ReadListHeader(b, out int end);
            for (int i = 0; i < count; i++)
            {
                if (i >= FieldCount) Decoder.Skip(b);
                else Error = Error.Read(b);
            }
            FieldCodec.EndFields(b, end, "rejected");
        }
    }
}
