// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
using IotHubAmqp.Device.Buffers;
using IotHubAmqp.Device.Framing;
using IotHubAmqp.Device.Types;

namespace IotHubAmqp.Device.Sasl
{
    /// <summary>The sasl-outcome frame (AMQP 1.0 5.3.3.5): the result of the SASL exchange.</summary>
    internal sealed class SaslOutcome
    {
        private const int FieldCount = 2;

        /// <summary>Authentication succeeded (sasl-code 5.3.3.6).</summary>
        public const byte Ok = 0;

        /// <summary>Authentication failed because of bad credentials.</summary>
        public const byte Auth = 1;

        /// <summary>Authentication failed because of a system error.</summary>
        public const byte Sys = 2;

        /// <summary>Authentication failed because of an unrecoverable system error.</summary>
        public const byte SysPerm = 3;

        /// <summary>Authentication failed because of a transient system error.</summary>
        public const byte SysTemp = 4;

        /// <summary>code (index 0, mandatory): one of <see cref="Ok"/>, <see cref="Auth"/>, <see cref="Sys"/>, <see cref="SysPerm"/>, <see cref="SysTemp"/>.</summary>
        public byte Code;

        /// <summary>additional-data (index 1): additional data on success, or null.</summary>
        public byte[] AdditionalData;

        /// <summary>Writes the descriptor and the list, leaving out trailing absent fields.</summary>
        public void Encode(ByteBuffer b)
        {
            int count = AdditionalData != null ? 2 : 1;
            int start = FieldCodec.BeginList(b, Descriptor.SaslOutcome, count);
            Encoder.WriteUByte(b, Code);
            if (count > 1) Encoder.WriteBinary(b, AdditionalData);
            FieldCodec.EndList(b, start, count);
        }

        /// <summary>Reads the list (the caller has read the descriptor), resetting every field first.</summary>
        public void Decode(ByteBuffer b)
        {
            Code = 0;
            AdditionalData = null;
            bool hasCode = false;
            int count = Decoder.ReadListHeader(b, out int end);
            for (int i = 0; i < count; i++)
            {
                if (i >= FieldCount) Decoder.Skip(b);
                else if (i == 1) AdditionalData = Decoder.ReadBinary(b);
                else if (!Decoder.TryReadNull(b))
                {
                    Code = Decoder.ReadUByte(b);
                    hasCode = true;
                }
            }
            FieldCodec.EndFields(b, end, "sasl-outcome");
            if (!hasCode) throw FieldCodec.Missing("sasl-outcome", "code");
        }
    }
}
