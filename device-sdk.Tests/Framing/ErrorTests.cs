// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
using IotHubAmqp.Device.Framing;
using IotHubAmqp.Device.Types;
using nanoFramework.TestFramework;

namespace IotHubAmqp.Device.Tests.Framing
{
    [TestClass]
    public class ErrorTests
    {
        [TestMethod]
        public void Encode_ConditionAndDescription_WritesSpecBytes()
        {
            var b = Wire.NewBuffer();
            new Error("a", "b").Encode(b);
            Expect.Bytes(Expect.FromHex("00 53 1d c0 07 02 a3 01 61 a1 01 62"), b);
        }

        [TestMethod]
        public void RoundTrip_AllFields_PreservesValues()
        {
            var info = new AmqpMap();
            info[new Symbol("network-host")] = "h";
            var b = Wire.NewBuffer();
            new Error(ErrorCode.ConnectionRedirect, "moved") { Info = info }.Encode(b);
            var d = (Error)Wire.Read(b, Descriptor.Error);
            Wire.Consumed(b);
            Assert.AreEqual(ErrorCode.ConnectionRedirect, d.Condition);
            Assert.AreEqual("moved", d.Description);
            Assert.IsTrue(info.Equals(d.Info));
        }

        [TestMethod]
        public void ToException_CarriesConditionAndDescription()
        {
            AmqpException e = new Error(ErrorCode.UnauthorizedAccess, "bad token").ToException();
            Assert.AreEqual(ErrorCode.UnauthorizedAccess, e.Condition);
            Assert.AreEqual("bad token", e.Description);
        }

        [TestMethod]
        public void Decode_ReusedInstance_ResetsPreviousFields()
        {
            var d = new Error();
            d.Decode(Wire.Body("00 53 1d c0 07 02 a3 01 61 a1 01 62", Descriptor.Error));
            d.Decode(Wire.Body("00 53 1d c0 04 01 a3 01 63", Descriptor.Error));
            Assert.AreEqual("c", d.Condition);
            Assert.IsNull(d.Description);
        }

        [TestMethod]
        public void Decode_NullCondition_IsDecodeErrorNamingIt()
        {
            var e = Expect.AmqpError(ErrorCode.DecodeError, () => new Error().Decode(Wire.Body("00 53 1d c0 05 02 40 a1 01 62", Descriptor.Error)));
            Assert.AreEqual("error is missing condition", e.Description);
        }

        [TestMethod]
        public void Read_OtherDescriptor_IsDecodeError()
        {
            Expect.AmqpError(ErrorCode.DecodeError, () => Wire.Read(Wire.Of("00 53 24 45"), Descriptor.Error));
        }
    }
}
