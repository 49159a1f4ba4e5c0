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

        // "AMQP" as a big-endian word, and the word that follows it: protocol id, then version 1.0.0.
        private const uint Magic = 0x414D5150;

        private static uint IdAndVersion(byte protocolId) => (uint)protocolId << 24 | 0x010000;

        public static void Write(ByteBuffer b, byte protocolId) => BigEndian.Write(b, (ulong)Magic << 32 | IdAndVersion(protocolId), 8);

        /// <summary>
        /// Checks the header the peer sent against the one we sent. Version negotiation (2.2): a peer that
        /// cannot speak ours answers with the one it can and closes, so a mismatch ends the connection.
        /// </summary>
        public static void Validate(byte[] a, int at, byte expectedId)
        {
            if (BigEndian.Get32(a, at) != Magic)
                throw new AmqpException(ErrorCode.FramingError, "peer did not answer with an AMQP protocol header");
            if (BigEndian.Get32(a, at + 4) == IdAndVersion(expectedId)) return;
            // E.g. "peer answered protocol AMQP 0.9.1 to our SASL 1.0.0".
            string peer = "peer answered protocol " + Describe(a[at + 4]);
            for (int i = 5; i < Size; i++) peer += (i == 5 ? " " : ".") + a[at + i];
            throw new AmqpException(ErrorCode.NotImplemented, peer + " to our " + Describe(expectedId) + " 1.0.0");
        }

        private static string Describe(byte id) => id == Amqp ? "AMQP" : id == Tls ? "TLS" : id == Sasl ? "SASL" : "id " + id;
    }
}
