// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
using IotHubAmqp.Device.Framing;
using nanoFramework.TestFramework;

namespace IotHubAmqp.Device.Tests.Framing
{
    [TestClass]
    public class ProtocolHeaderTests
    {
        [TestMethod]
        public void Write_Amqp_WritesAmqpId0Version100()
        {
            var b = Wire.NewBuffer();
            ProtocolHeader.Write(b, ProtocolHeader.Amqp);
            Expect.Bytes(Expect.FromHex("41 4d 51 50 00 01 00 00"), b);
        }

        [TestMethod]
        public void Write_Sasl_WritesAmqpId3Version100()
        {
            // AMQP 1.0 5.3.1: the SASL layer's header has protocol id 3.
            var b = Wire.NewBuffer();
            ProtocolHeader.Write(b, ProtocolHeader.Sasl);
            Expect.Bytes(Expect.FromHex("41 4d 51 50 03 01 00 00"), b);
        }

        [TestMethod]
        [DataRow("41 4d 51 50 00 01 00 00", 0)]
        [DataRow("41 4d 51 50 03 01 00 00", 3)]
        public void Validate_MatchingHeader_Passes(string hex, int id)
        {
            byte[] a = Expect.FromHex("ff " + hex);
            ProtocolHeader.Validate(a, 1, (byte)id);
        }

        [TestMethod]
        public void Validate_NotAmqp_ThrowsFramingError()
        {
            // An HTTP server answering on the AMQP port.
            byte[] a = Expect.FromHex("48 54 54 50 2f 31 2e 31");
            Expect.AmqpError(ErrorCode.FramingError, () => ProtocolHeader.Validate(a, 0, ProtocolHeader.Amqp));
        }

        [TestMethod]
        public void Validate_OtherVersion_NamesBothVersions()
        {
            // AMQP 0-9-1 peers answer "AMQP 0 0 9 1" (2.2: the header of the version they do speak).
            byte[] a = Expect.FromHex("41 4d 51 50 00 00 09 01");
            AmqpException e = Expect.AmqpError(ErrorCode.NotImplemented, () => ProtocolHeader.Validate(a, 0, ProtocolHeader.Amqp));
            Assert.Contains("0.9.1", e.Description);
            Assert.Contains("1.0.0", e.Description);
        }

        [TestMethod]
        public void Validate_SaslWhenAmqpExpected_NamesBothProtocols()
        {
            // A hub that requires SASL answers the plain AMQP header with the SASL one.
            byte[] a = Expect.FromHex("41 4d 51 50 03 01 00 00");
            AmqpException e = Expect.AmqpError(ErrorCode.NotImplemented, () => ProtocolHeader.Validate(a, 0, ProtocolHeader.Amqp));
            Assert.Contains("SASL", e.Description);
            Assert.Contains("AMQP", e.Description);
        }
    }
}
