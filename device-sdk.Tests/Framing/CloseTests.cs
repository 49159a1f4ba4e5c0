// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
using IotHubAmqp.Device.Framing;
using IotHubAmqp.Device.Types;
using nanoFramework.TestFramework;

namespace IotHubAmqp.Device.Tests.Framing
{
    [TestClass]
    public class CloseTests
    {
        // close { error { sym8 "amqp:not-found", str8 "x" } }
        private const string CloseWithError =
            "00 53 18 c0 1a 01 00 53 1d c0 14 02 a3 0e 61 6d 71 70 3a 6e 6f 74 2d 66 6f 75 6e 64 a1 01 78";

        [TestMethod]
        public void Encode_WithError_WritesSpecBytes()
        {
            var b = Wire.NewBuffer();
            new Close { Error = new Error(ErrorCode.NotFound, "x") }.Encode(b);
            Expect.Bytes(Expect.FromHex(CloseWithError), b);
        }

        [TestMethod]
        public void Encode_WithoutError_WritesEmptyList()
        {
            var b = Wire.NewBuffer();
            new Close().Encode(b);
            Expect.Bytes(Expect.FromHex("00 53 18 45"), b);
        }

        [TestMethod]
        public void Decode_WithError_ReadsConditionAndDescription()
        {
            var d = new Close();
            var b = Wire.Body(CloseWithError, Descriptor.Close);
            d.Decode(b);
            Wire.Consumed(b);
            Assert.AreEqual(ErrorCode.NotFound, d.Error.Condition);
            Assert.AreEqual("x", d.Error.Description);
        }

        [TestMethod]
        public void Decode_ReusedInstance_ResetsError()
        {
            var d = new Close();
            d.Decode(Wire.Body(CloseWithError, Descriptor.Close));
            d.Decode(Wire.Body("00 53 18 45", Descriptor.Close));
            Assert.IsNull(d.Error);
        }

        [TestMethod]
        public void Decode_NullErrorAndUnknownExtraField_AreAccepted()
        {
            var d = new Close();
            var b = Wire.Body("00 53 18 c0 03 02 40 43", Descriptor.Close);
            d.Decode(b);
            Wire.Consumed(b);
            Assert.IsNull(d.Error);
        }

        [TestMethod]
        public void Decode_ErrorWithoutCondition_IsDecodeError()
        {
            var e = Expect.AmqpError(ErrorCode.DecodeError, () => new Close().Decode(Wire.Body("00 53 18 c0 05 01 00 53 1d 45", Descriptor.Close)));
            Assert.AreEqual("error is missing condition", e.Description);
        }
    }
}
