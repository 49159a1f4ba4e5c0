// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
using IotHubAmqp.Device.Buffers;
using IotHubAmqp.Device.Framing;
using IotHubAmqp.Device.Types;

namespace IotHubAmqp.Device.Sasl
{
    /// <summary>The sasl-mechanisms frame (AMQP 1.0 5.3.3.1): the mechanisms the server supports.</summary>
    internal sealed class SaslMechanisms
    {
        private const int FieldCount = 1;

        /// <summary>sasl-server-mechanisms (index 0, mandatory): mechanism names such as <c>PLAIN</c>, <c>ANONYMOUS</c>.</summary>
        public string[] SaslServerMechanisms;

        /// <summary>Writes the descriptor and the list.</summary>
        public void Encode(ByteBuffer b)
        {
            int start = FieldCodec.BeginList(b, Descriptor.SaslMechanisms, FieldCount);
            FieldCodec.WriteSymbols(b, SaslServerMechanisms);
            FieldCodec.EndList(b, start, FieldCount);
        }

        /// <summary>Reads the list (the caller has read the descriptor), resetting every field first.</summary>
        public void Decode(ByteBuffer b)
        {
            SaslServerMechanisms = null;
            int count = Decoder.ReadListHeader(b, out int end);
            for (int i = 0; i < count; i++)
            {
                if (i == 0) SaslServerMechanisms = Decoder.ReadSymbols(b);
                else Decoder.Skip(b);
            }
            FieldCodec.EndFields(b, end, "sasl-mechanisms");
            if (SaslServerMechanisms == null) throw FieldCodec.Missing("sasl-mechanisms", "sasl-server-mechanisms");
        }

        /// <summary>Whether the server offers <paramref name="mechanism"/>.</summary>
        public bool Offers(string mechanism)
        {
            if (SaslServerMechanisms == null) return false;
            for (int i = 0; i < SaslServerMechanisms.Length; i++)
            {
                if (SaslServerMechanisms[i] == mechanism) return true;
            }
            return false;
        }
    }
}
