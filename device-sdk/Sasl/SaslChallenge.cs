// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
using IotHubAmqp.Device.Buffers;
using IotHubAmqp.Device.Framing;
using IotHubAmqp.Device.Types;

namespace IotHubAmqp.Device.Sasl
{
    /// <summary>The sasl-challenge frame (AMQP 1.0 5.3.3.3): security challenge data from the server.</summary>
    internal sealed class SaslChallenge
    {
        /// <summary>challenge (index 0, mandatory): the security challenge data from the server.</summary>
        public byte[] Challenge;

        /// <summary>Writes the descriptor and the list.</summary>
        public void Encode(ByteBuffer b)
        {
            int start = FieldCodec.BeginList(b, Descriptor.SaslChallenge, 1);
            Encoder.WriteBinary(b, Challenge);
            FieldCodec.EndList(b, start, 1);
        }

        /// <summary>Reads the list (the caller has read the descriptor), resetting every field first.</summary>
        public void Decode(ByteBuffer b)
        {
            Challenge = null;
            int count = Decoder.ReadListHeader(b, out int end);
            for (int i = 0; i < count; i++)
            {
                if (i == 0) Challenge = Decoder.ReadBinary(b);
                else Decoder.Skip(b);
            }
            FieldCodec.EndFields(b, end, "sasl-challenge");
            if (Challenge == null) throw FieldCodec.Missing("sasl-challenge", "challenge");
        }
    }
}
