// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
using IotHubAmqp.Device.Framing;
using nanoFramework.TestFramework;

namespace IotHubAmqp.Device.Tests.Framing
{
    [TestClass]
    public class OutcomeTests
    {
        [TestMethod]
        public void Decode_Null_ReturnsNull()
        {
            var b = Wire.Of("40");
            Assert.IsNull(Wire.Read(b, 0));
            Wire.Consumed(b);
        }

        [TestMethod]
        public void Decode_SymbolicAcceptedDescriptor_ReturnsAccepted()
        {
            // descriptor sym8 "amqp:accepted:list", list0
            var b = Wire.Of("00 a3 12 61 6d 71 70 3a 61 63 63 65 70 74 65 64 3a 6c 69 73 74 45");
            Assert.AreSame(Accepted.Instance, Wire.Read(b, 0));
            Wire.Consumed(b);
        }

        [TestMethod]
        public void Decode_UnknownDescriptor_IsDecodeError()
        {
            // transactional-state (0x34) is not supported on a device.
            Expect.AmqpError(ErrorCode.DecodeError, () => Wire.Read(Wire.Of("00 53 34 45"), 0));
        }

        [TestMethod]
        public void Decode_EachState_HasItsDescriptorCode()
        {
            Assert.AreEqual(0x24ul, ((Outcome)Wire.Read(Wire.Of("00 53 24 45"), 0)).DescriptorCode);
            Assert.AreEqual(0x25ul, ((Outcome)Wire.Read(Wire.Of("00 53 25 45"), 0)).DescriptorCode);
            Assert.AreEqual(0x26ul, ((Outcome)Wire.Read(Wire.Of("00 53 26 45"), 0)).DescriptorCode);
            Assert.AreEqual(0x27ul, ((Outcome)Wire.Read(Wire.Of("00 53 27 45"), 0)).DescriptorCode);
            Assert.AreEqual(0x23ul, ((Outcome)Wire.Read(Wire.Of("00 53 23 c0 03 02 43 44"), 0)).DescriptorCode);
        }
    }
}
