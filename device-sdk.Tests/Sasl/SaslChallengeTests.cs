// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
using IotHubAmqp.Device.Sasl;
using IotHubAmqp.Device.Tests.Framing;
using IotHubAmqp.Device.Types;
using nanoFramework.TestFramework;

namespace IotHubAmqp.Device.Tests.Sasl
{
    [TestClass]
    public class SaslChallengeTests
    {
        [TestMethod]
        public void Encode_TwoBytes_WritesSpecBytes()
        {
            var b = Wire.NewBuffer();
            new SaslChallenge { Challenge = new byte[] { 1, 2 } }.Encode(b);
            Expect.Bytes(Expect.FromHex("00 53 42 c0 05 01 a0 02 01 02"), b);
        }

        [TestMethod]
        public void RoundTrip_PreservesBytes()
        {
            var b = Wire.NewBuffer();
            new SaslChallenge { Challenge = new byte[300] }.Encode(b);
            var d = new SaslChallenge();
            d.Decode(Wire.AfterDescriptor(b, Descriptor.SaslChallenge));
            Wire.Consumed(b);
            Assert.AreEqual(300, d.Challenge.Length);
        }

        [TestMethod]
        public void Decode_ReusedInstance_ReplacesBytes()
        {
            var d = new SaslChallenge();
            d.Decode(Wire.Body("00 53 42 c0 05 01 a0 02 01 02", Descriptor.SaslChallenge));
            d.Decode(Wire.Body("00 53 42 c0 03 01 a0 00", Descriptor.SaslChallenge));
            Assert.AreEqual(0, d.Challenge.Length);
        }

        [TestMethod]
        public void Decode_NoChallenge_IsDecodeErrorNamingIt()
        {
            var e = Expect.AmqpError(ErrorCode.DecodeError, () => new SaslChallenge().Decode(Wire.Body("00 53 42 45", Descriptor.SaslChallenge)));
            Assert.AreEqual("sasl-challenge is missing challenge", e.Description);
        }
    }
}
