// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
using IotHubAmqp.Device.Buffers;
using IotHubAmqp.Device.Framing;
using IotHubAmqp.Device.Types;

namespace IotHubAmqp.Device.Sasl
{
    /// <summary>The sasl-outcome frame (AMQP 1.0 5.3.3.5): the result of the SASL exchange.</summary>
    internal sealed class SaslOutcome : DescribedList
    {
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

        public override void Fields(ref FieldCursor c)
        {
            c.List(Descriptor.SaslOutcome);
            c.UByte(ref Code, "code");
            c.Binary(ref AdditionalData);
        }
    }
}
