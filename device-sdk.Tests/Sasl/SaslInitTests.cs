// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
using IotHubAmqp.Device.Sasl;
using IotHubAmqp.Device.Tests.Framing;
using IotHubAmqp.Device.Types;
using nanoFramework.TestFramework;

namespace IotHubAmqp.Device.Tests.Sasl
{
    [TestClass]
    public class SaslInitTests
    {
        // sasl-init { sym8 "PLAIN", vbin8 "\0u\0p" }
        private const string PlainInit = "00 53 41 c0 0e 02 a3 05 50 4c 41 49 4e a0 04 00 75 00 70";

        [TestMethod]
        public void Encode_Plain_WritesSpecBytes()
        {
            var b = Wire.NewBuffer();
            new SaslInit { Mechanism = "PLAIN", InitialResponse = new byte[] { 0, 0x75, 0, 0x70 } }.Encode(b);
            Expect.Bytes(Expect.FromHex(PlainInit), b);
        }

        [TestMethod]
        public void Encode_OnlyMechanism_WritesOneField()
        {
            var b = Wire.NewBuffer();
            new SaslInit { Mechanism = "ANONYMOUS" }.Encode(b);
            Expect.Bytes(Expect.FromHex("00 53 41 c0 0c 01 a3 09 41 4e 4f 4e 59 4d 4f 55 53"), b);
        }

        [TestMethod]
        public void RoundTrip_AllFields_PreservesValues()
        {
            var b = Wire.NewBuffer();
            new SaslInit { Mechanism = "PLAIN", InitialResponse = new byte[] { 0, 1 }, Hostname = "hub.example" }.Encode(b);
            var d = new SaslInit();
            d.Decode(Wire.AfterDescriptor(b, Descriptor.SaslInit));
            Wire.Consumed(b);
            Assert.AreEqual("PLAIN", d.Mechanism);
            CollectionAssert.AreEqual(new byte[] { 0, 1 }, d.InitialResponse);
            Assert.AreEqual("hub.example", d.Hostname);
        }

        [TestMethod]
        public void Decode_ReusedInstance_ResetsPreviousFields()
        {
            var d = new SaslInit();
            d.Decode(Wire.Body(PlainInit, Descriptor.SaslInit));
            d.Decode(Wire.Body("00 53 41 c0 04 01 a3 01 58", Descriptor.SaslInit));
            Assert.AreEqual("X", d.Mechanism);
            Assert.IsNull(d.InitialResponse);
        }

        [TestMethod]
        public void Decode_NoMechanism_IsDecodeErrorNamingIt()
        {
            var e = Expect.AmqpError(ErrorCode.DecodeError, () => new SaslInit().Decode(Wire.Body("00 53 41 45", Descriptor.SaslInit)));
            Assert.AreEqual("sasl-init is missing mechanism", e.Description);
        }
    }
}
