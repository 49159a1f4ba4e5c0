// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
using IotHubAmqp.Device.Framing;
using IotHubAmqp.Device.Types;
using nanoFramework.TestFramework;

namespace IotHubAmqp.Device.Tests.Framing
{
    [TestClass]
    public class EndTests
    {
        [TestMethod]
        public void Encode_WithoutError_WritesEmptyList()
        {
            var b = Wire.NewBuffer();
            new End().Encode(b);
            Expect.Bytes(Expect.FromHex("00 53 17 45"), b);
        }

        [TestMethod]
        public void Encode_WithConditionOnlyError_WritesSpecBytes()
        {
            // end { error { sym8 "a" } }
            var b = Wire.NewBuffer();
            new End { Error = new Error("a", null) }.Encode(b);
            Expect.Bytes(Expect.FromHex("00 53 17 c0 0a 01 00 53 1d c0 04 01 a3 01 61"), b);
        }

        [TestMethod]
        public void RoundTrip_ErrorWithInfo_PreservesValues()
        {
            var info = new AmqpMap();
            info[new Symbol("retry-after")] = 5;
            var b = Wire.NewBuffer();
            new End { Error = new Error(ErrorCode.WindowViolation, "too many") { Info = info } }.Encode(b);
            var d = new End();
            d.Decode(Wire.AfterDescriptor(b, Descriptor.End));
            Wire.Consumed(b);
            Assert.AreEqual(ErrorCode.WindowViolation, d.Error.Condition);
            Assert.AreEqual("too many", d.Error.Description);
            Assert.IsTrue(info.Equals(d.Error.Info));
        }

        [TestMethod]
        public void Decode_ReusedInstance_ResetsError()
        {
            var d = new End();
            d.Decode(Wire.Body("00 53 17 c0 0a 01 00 53 1d c0 04 01 a3 01 61", Descriptor.End));
            Assert.IsNotNull(d.Error);
            d.Decode(Wire.Body("00 53 17 45", Descriptor.End));
            Assert.IsNull(d.Error);
        }
    }
}
