// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
using IotHubAmqp.Device.Sasl;
using IotHubAmqp.Device.Tests.Framing;
using IotHubAmqp.Device.Types;
using nanoFramework.TestFramework;

namespace IotHubAmqp.Device.Tests.Sasl
{
    [TestClass]
    public class SaslOutcomeTests
    {
        [TestMethod]
        public void Encode_Ok_WritesSpecBytes()
        {
            var b = Wire.NewBuffer();
            new SaslOutcome { Code = SaslOutcome.Ok }.Encode(b);
            Expect.Bytes(Expect.FromHex("00 53 44 c0 03 01 50 00"), b);
        }

        [TestMethod]
        public void RoundTrip_AllFields_PreservesValues()
        {
            var b = Wire.NewBuffer();
            new SaslOutcome { Code = SaslOutcome.SysTemp, AdditionalData = new byte[] { 9 } }.Encode(b);
            var d = new SaslOutcome();
            d.Decode(Wire.AfterDescriptor(b, Descriptor.SaslOutcome));
            Wire.Consumed(b);
            Assert.AreEqual(SaslOutcome.SysTemp, d.Code);
            CollectionAssert.AreEqual(new byte[] { 9 }, d.AdditionalData);
        }

        [TestMethod]
        public void Decode_ReusedInstance_ResetsPreviousFields()
        {
            var d = new SaslOutcome();
            d.Decode(Wire.Body("00 53 44 c0 06 02 50 01 a0 01 09", Descriptor.SaslOutcome));
            Assert.AreEqual(SaslOutcome.Auth, d.Code);
            d.Decode(Wire.Body("00 53 44 c0 03 01 50 00", Descriptor.SaslOutcome));
            Assert.AreEqual(SaslOutcome.Ok, d.Code);
            Assert.IsNull(d.AdditionalData);
        }

        [TestMethod]
        public void Decode_NoCode_IsDecodeErrorNamingIt()
        {
            var e = Expect.AmqpError(ErrorCode.DecodeError, () => new SaslOutcome().Decode(Wire.Body("00 53 44 c0 02 01 40", Descriptor.SaslOutcome)));
            Assert.AreEqual("sasl-outcome is missing code", e.Description);
        }
    }
}
