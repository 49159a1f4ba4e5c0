// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
using IotHubAmqp.Device.Framing;
using nanoFramework.TestFramework;

namespace IotHubAmqp.Device.Tests.Framing
{
    [TestClass]
    public class RejectedTests
    {
        [TestMethod]
        public void Encode_WithError_WritesSpecBytes()
        {
            var b = Wire.NewBuffer();
            new Rejected { Error = new Error("a", null) }.Encode(b);
            Expect.Bytes(Expect.FromHex("00 53 25 c0 0a 01 00 53 1d c0 04 01 a3 01 61"), b);
        }

        [TestMethod]
        public void Encode_WithoutError_WritesList0()
        {
            var b = Wire.NewBuffer();
            new Rejected().Encode(b);
            Expect.Bytes(Expect.FromHex("00 53 25 45"), b);
        }

        [TestMethod]
        public void RoundTrip_Error_PreservesValues()
        {
            var b = Wire.NewBuffer();
            new Rejected { Error = new Error(ErrorCode.DecodeError, "bad body") }.Encode(b);
            var r = (Rejected)Wire.Read(b, 0);
            Wire.Consumed(b);
            Assert.AreEqual(ErrorCode.DecodeError, r.Error.Condition);
            Assert.AreEqual("bad body", r.Error.Description);
        }

        [TestMethod]
        public void Decode_ReusedInstance_ResetsError()
        {
            var r = new Rejected();
            r.Decode(Wire.Body("00 53 25 c0 0a 01 00 53 1d c0 04 01 a3 01 61", 0x25));
            r.Decode(Wire.Body("00 53 25 45", 0x25));
            Assert.IsNull(r.Error);
        }
    }
}
