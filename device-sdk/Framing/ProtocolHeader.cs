// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
using IotHubAmqp.Device.Buffers;

namespace IotHubAmqp.Device.Framing
{
    /// <summary>
    /// The 8-byte protocol header "AMQP" id major minor revision (AMQP 1.0 2.2, 5.3.1). Id 0 is AMQP,
    /// 2 TLS, 3 SASL; this SDK speaks version 1.0.0 only and says so when the peer offers another.
    /// </summary>
    internal static class ProtocolHeader
    {
        public const int Size = 8;
        public const byte Amqp = 0;
        public const byte Tls = 2;
        public const byte Sasl = 3;

        public static void Write(ByteBuffer b, byte protocolId)
        {
            int at = b.Reserve(Size);
            byte[] a = b.Buffer;
            a[at] = (byte)'A';
            a[at + 1] = (byte)'M';
            a[at + 2] = (byte)'Q';
            a[at + 3] = (byte)'P';
            a[at + 4] = protocolId;
            a[at + 5] = 1;
            a[at + 6] = 0;
            a[at + 7] = 0;
        }

        /// <summary>
        /// Checks the header the peer sent against the one we sent. Version negotiation (2.2): a peer that
        /// cannot speak ours answers with the one it can and closes, so a mismatch ends the connection.
        /// </summary>
        public static void Validate(byte[] a, int at, byte expectedId)
        {
            if (a[at] != 'A' || a[at + 1] != 'M' || a[at + 2] != 'Q' || a[at + 3] != 'P')
                throw new AmqpException(ErrorCode.FramingError, "peer did not answer with an AMQP protocol header");
            if (a[at + 4] != expectedId || a[at + 5] != 1 || a[at + 6] != 0 || a[at + 7] != 0)
                throw new AmqpException(ErrorCode.NotImplemented,
                    "peer answered protocol " + Describe(a[at + 4]) + " " + a[at + 5] + "." + a[at + 6] + "." + a[at + 7]
                    + " to our " + Describe(expectedId) + " 1.0.0");
        }

        private static string Describe(byte id)
        {
            switch (id)
            {
                case Amqp: return "AMQP";
                case Tls: return "TLS";
                case Sasl: return "SASL";
                default: return "id " + id;
            }
        }
    }
}
