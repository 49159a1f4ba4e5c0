// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
using IotHubAmqp.Device.Buffers;
using IotHubAmqp.Device.Framing;
using IotHubAmqp.Device.Types;

namespace IotHubAmqp.Device.Sasl
{
    /// <summary>The sasl-response frame (AMQP 1.0 5.3.3.4): security response data from the client.</summary>
    internal sealed class SaslResponse
    {
        /// <summary>response (index 0, mandatory): the security response data from the client.</summary>
        public byte[] Response;

        /// <summary>Writes the descriptor and the list.</summary>
        public void Encode(ByteBuffer b)
        {
            int start = FieldCodec.BeginList(b, Descriptor.SaslResponse, 1);
            Encoder.WriteBinary(b, Response);
            FieldCodec.EndList(b, start, 1);
        }

        /// <summary>Reads the list (the caller has read the descriptor), resetting every field first.</summary>
        public void Decode(ByteBuffer b)
        {
            Response = null;
            int count = Decoder.ReadListHeader(b, out int end);
            for (int i = 0; i < count; i++)
            {
                if (i == 0) Response = Decoder.ReadBinary(b);
                else Decoder.Skip(b);
            }
            FieldCodec.EndFields(b, end, "sasl-response");
            if (Response == null) throw FieldCodec.Missing("sasl-response", "response");
        }
    }
}
