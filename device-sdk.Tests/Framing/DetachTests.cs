// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
using IotHubAmqp.Device.Framing;
using IotHubAmqp.Device.Types;
using nanoFramework.TestFramework;

namespace IotHubAmqp.Device.Tests.Framing
{
    [TestClass]
    public class DetachTests
    {
        [TestMethod]
        public void Encode_Closed_WritesSpecBytes()
        {
            var b = Wire.NewBuffer();
            new Detach { Handle = 1, Closed = true }.Encode(b);
            Expect.Bytes(Expect.FromHex("00 53 16 c0 04 02 52 01 41"), b);
        }

        [TestMethod]
        public void Encode_OnlyHandle_WritesOneField()
        {
            var b = Wire.NewBuffer();
            new Detach { Handle = 0 }.Encode(b);
            Expect.Bytes(Expect.FromHex("00 53 16 c0 02 01 43"), b);
        }

        [TestMethod]
        public void RoundTrip_AllFields_PreservesValues()
        {
            var b = Wire.NewBuffer();
            new Detach { Handle = 4, Closed = true, Error = new Error(ErrorCode.DetachForced, "bye") }.Encode(b);
            var d = new Detach();
            d.Decode(Wire.AfterDescriptor(b, Descriptor.Detach));
            Wire.Consumed(b);
            Assert.AreEqual(4u, d.Handle);
            Assert.IsTrue(d.Closed);
            Assert.AreEqual(ErrorCode.DetachForced, d.Error.Condition);
            Assert.AreEqual("bye", d.Error.Description);
        }

        [TestMethod]
        public void Decode_ReusedInstance_ResetsPreviousFields()
        {
            var b = Wire.NewBuffer();
            new Detach { Handle = 4, Closed = true, Error = new Error("e", null) }.Encode(b);
            var d = new Detach();
            d.Decode(Wire.AfterDescriptor(b, Descriptor.Detach));
            d.Decode(Wire.Body("00 53 16 c0 02 01 43", Descriptor.Detach));
            Assert.AreEqual(0u, d.Handle);
            Assert.IsFalse(d.Closed);
            Assert.IsNull(d.Error);
        }

        [TestMethod]
        public void Decode_NoHandle_IsDecodeErrorNamingIt()
        {
            var e = Expect.AmqpError(ErrorCode.DecodeError, () => new Detach().Decode(Wire.Body("00 53 16 c0 03 02 40 41", Descriptor.Detach)));
            Assert.AreEqual("detach is missing handle", e.Description);
        }
    }
}
