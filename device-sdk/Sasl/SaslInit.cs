// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
using IotHubAmqp.Device.Buffers;
using IotHubAmqp.Device.Framing;
using IotHubAmqp.Device.Types;

namespace IotHubAmqp.Device.Sasl
{
    /// <summary>The sasl-init frame (AMQP 1.0 5.3.3.2): the client picks a mechanism and sends its first response.</summary>
    internal sealed class SaslInit
    {
        private const int FieldCount = 3;

        /// <summary>mechanism (index 0, mandatory): the selected mechanism symbol, e.g. <c>PLAIN</c>.</summary>
        public string Mechanism;

        /// <summary>initial-response (index 1): the mechanism's initial response, or null.</summary>
        public byte[] InitialResponse;

        /// <summary>hostname (index 2): the name of the target host, or null.</summary>
        public string Hostname;

        /// <summary>Writes the descriptor and the list, leaving out trailing absent fields.</summary>
        public void Encode(ByteBuffer b)
        {
            int count = Hostname != null ? 3 : InitialResponse != null ? 2 : 1;
            int start = FieldCodec.BeginList(b, Descriptor.SaslInit, count);
            Encoder.WriteSymbol(b, Mechanism);
            if (count > 1) Encoder.WriteBinary(b, InitialResponse);
            if (count > 2) Encoder.WriteString(b, Hostname);
            FieldCodec.EndList(b, start, count);
        }

        /// <summary>Reads the list (the caller has read the descriptor), resetting every field first.</summary>
        public void Decode(ByteBuffer b)
        {
            Mechanism = null;
            InitialResponse = null;
            Hostname = null;
            int count = Decoder.ReadListHeader(b, out int end);
            for (int i = 0; i < count; i++)
            {
                switch (i)
                {
                    case 0: Mechanism = Decoder.ReadSymbol(b); break;
                    case 1: InitialResponse = Decoder.ReadBinary(b); break;
                    case 2: Hostname = Decoder.ReadString(b); break;
                    default: Decoder.Skip(b); break;
                }
            }
            FieldCodec.EndFields(b, end, "sasl-init");
            if (Mechanism == null) throw FieldCodec.Missing("sasl-init", "mechanism");
        }
    }
}
