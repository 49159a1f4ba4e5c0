// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
using IotHubAmqp.Device.Framing;
using nanoFramework.TestFramework;

namespace IotHubAmqp.Device.Tests.Framing
{
    [TestClass]
    public class ReceivedTests
    {
        [TestMethod]
        public void Encode_WritesBothFields()
        {
            var b = Wire.NewBuffer();
            new Received { SectionNumber = 2, SectionOffset = 300 }.Encode(b);
            Expect.Bytes(Expect.FromHex("00 53 23 c0 0c 02 52 02 80 00 00 00 00 00 00 01 2c"), b);
        }

        [TestMethod]
        public void RoundTrip_PreservesValues()
        {
            var b = Wire.NewBuffer();
            new Received { SectionNumber = 70000, SectionOffset = 5 }.Encode(b);
            var r = (Received)Wire.Read(b, 0);
            Wire.Consumed(b);
            Assert.AreEqual(70000u, r.SectionNumber);
            Assert.AreEqual(5ul, r.SectionOffset);
        }

        [TestMethod]
        public void Decode_MissingField_IsDecodeErrorNamingIt()
        {
            var e = Expect.AmqpError(ErrorCode.DecodeError, () => new Received().Decode(Wire.Body("00 53 23 c0 02 01 43", 0x23)));
            Assert.AreEqual("received is missing section-offset", e.Description);
            e = Expect.AmqpError(ErrorCode.DecodeError, () => new Received().Decode(Wire.Body("00 53 23 45", 0x23)));
            Assert.AreEqual("received is missing section-number", e.Description);
        }
    }
}
