// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
using IotHubAmqp.Device.Sasl;
using IotHubAmqp.Device.Tests.Framing;
using IotHubAmqp.Device.Types;
using nanoFramework.TestFramework;

namespace IotHubAmqp.Device.Tests.Sasl
{
    [TestClass]
    public class SaslResponseTests
    {
        [TestMethod]
        public void Encode_TwoBytes_WritesSpecBytes()
        {
            var b = Wire.NewBuffer();
            new SaslResponse { Response = new byte[] { 1, 2 } }.Encode(b);
            Expect.Bytes(Expect.FromHex("00 53 43 c0 05 01 a0 02 01 02"), b);
        }

        [TestMethod]
        public void RoundTrip_PreservesBytes()
        {
            var b = Wire.NewBuffer();
            new SaslResponse { Response = new byte[300] }.Encode(b);
            var d = new SaslResponse();
            d.Decode(Wire.AfterDescriptor(b, Descriptor.SaslResponse));
            Wire.Consumed(b);
            Assert.AreEqual(300, d.Response.Length);
        }

        [TestMethod]
        public void Decode_ReusedInstance_ReplacesBytes()
        {
            var d = new SaslResponse();
            d.Decode(Wire.Body("00 53 43 c0 05 01 a0 02 01 02", Descriptor.SaslResponse));
            d.Decode(Wire.Body("00 53 43 c0 03 01 a0 00", Descriptor.SaslResponse));
            Assert.AreEqual(0, d.Response.Length);
        }

        [TestMethod]
        public void Decode_NoResponse_IsDecodeErrorNamingIt()
        {
            var e = Expect.AmqpError(ErrorCode.DecodeError, () => new SaslResponse().Decode(Wire.Body("00 53 43 45", Descriptor.SaslResponse)));
            Assert.AreEqual("sasl-response is missing response", e.Description);
        }
    }
}
