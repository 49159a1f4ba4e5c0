// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
using IotHubAmqp.Device.Buffers;
using IotHubAmqp.Device.Framing;
using IotHubAmqp.Device.Types;
using nanoFramework.TestFramework;

namespace IotHubAmqp.Device.Tests.Framing
{
    [TestClass]
    public class TargetTests
    {
        [TestMethod]
        public void Encode_AddressOnly_WritesOneField()
        {
            var b = Wire.NewBuffer();
            new Target { Address = "t" }.Encode(b);
            Expect.Bytes(Expect.FromHex("00 53 29 c0 04 01 a1 01 74"), b);
        }

        [TestMethod]
        public void Decode_EveryFieldAPeerMaySend_ReadsAddressAndSkipsTheRest()
        {
            ByteBuffer b = SourceTests.EveryField(Descriptor.Target, "$cbs", 7);
            var d = new Target();
            d.Decode(Wire.AfterDescriptor(b, Descriptor.Target));
            Wire.Consumed(b);
            Assert.AreEqual("$cbs", d.Address);
        }

        [TestMethod]
        public void Decode_ReusedInstance_ReplacesAddress()
        {
            var d = new Target();
            d.Decode(Wire.Body("00 53 29 c0 06 05 40 40 40 40 41", Descriptor.Target));
            Assert.IsNull(d.Address);
            d.Decode(Wire.Body("00 53 29 c0 04 01 a1 01 74", Descriptor.Target));
            Assert.AreEqual("t", d.Address);
        }

        [TestMethod]
        public void Decode_WrongDescriptor_IsDecodeError()
        {
            Expect.AmqpError(ErrorCode.DecodeError, () => Wire.Read(Wire.Of("00 53 28 45"), Descriptor.Target));
        }
    }
}
