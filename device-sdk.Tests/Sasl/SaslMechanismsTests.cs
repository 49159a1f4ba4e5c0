// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
using IotHubAmqp.Device.Sasl;
using IotHubAmqp.Device.Tests.Framing;
using IotHubAmqp.Device.Types;
using nanoFramework.TestFramework;

namespace IotHubAmqp.Device.Tests.Sasl
{
    [TestClass]
    public class SaslMechanismsTests
    {
        // sasl-mechanisms { array8 of sym8 ["PLAIN", "ANONYMOUS"] }
        private const string Two = "00 53 40 c0 15 01 e0 12 02 a3 05 50 4c 41 49 4e 09 41 4e 4f 4e 59 4d 4f 55 53";

        [TestMethod]
        public void Encode_OneMechanism_WritesSingleSymbol()
        {
            var b = Wire.NewBuffer();
            new SaslMechanisms { SaslServerMechanisms = new[] { "PLAIN" } }.Encode(b);
            Expect.Bytes(Expect.FromHex("00 53 40 c0 08 01 a3 05 50 4c 41 49 4e"), b);
        }

        [TestMethod]
        public void Encode_TwoMechanisms_WritesSymbolArray()
        {
            var b = Wire.NewBuffer();
            new SaslMechanisms { SaslServerMechanisms = new[] { "PLAIN", "ANONYMOUS" } }.Encode(b);
            Expect.Bytes(Expect.FromHex(Two), b);
        }

        [TestMethod]
        public void Decode_TwoMechanisms_OffersBoth()
        {
            var d = new SaslMechanisms();
            var b = Wire.Body(Two, Descriptor.SaslMechanisms);
            d.Decode(b);
            Wire.Consumed(b);
            CollectionAssert.AreEqual(new[] { "PLAIN", "ANONYMOUS" }, d.SaslServerMechanisms);
            Assert.IsTrue(d.Offers("ANONYMOUS"));
            Assert.IsFalse(d.Offers("EXTERNAL"));
        }

        [TestMethod]
        public void Decode_ReusedInstance_ReplacesMechanisms()
        {
            var d = new SaslMechanisms();
            d.Decode(Wire.Body(Two, Descriptor.SaslMechanisms));
            d.Decode(Wire.Body("00 53 40 c0 08 01 a3 05 50 4c 41 49 4e", Descriptor.SaslMechanisms));
            CollectionAssert.AreEqual(new[] { "PLAIN" }, d.SaslServerMechanisms);
        }

        [TestMethod]
        public void Decode_NoMechanisms_IsDecodeErrorNamingIt()
        {
            var e = Expect.AmqpError(ErrorCode.DecodeError, () => new SaslMechanisms().Decode(Wire.Body("00 53 40 45", Descriptor.SaslMechanisms)));
            Assert.AreEqual("sasl-mechanisms is missing sasl-server-mechanisms", e.Description);
        }
    }
}
