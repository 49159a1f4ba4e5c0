// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
using IotHubAmqp.Device.Framing;
using nanoFramework.TestFramework;

namespace IotHubAmqp.Device.Tests.Framing
{
    [TestClass]
    public class ModifiedTests
    {
        [TestMethod]
        public void Encode_DeliveryFailedOnly_WritesSpecBytes()
        {
            var b = Wire.NewBuffer();
            new Modified { DeliveryFailed = true }.Encode(b);
            Expect.Bytes(Expect.FromHex("00 53 27 c0 02 01 41"), b);
        }

        [TestMethod]
        public void Encode_Defaults_WritesList0()
        {
            var b = Wire.NewBuffer();
            new Modified().Encode(b);
            Expect.Bytes(Expect.FromHex("00 53 27 45"), b);
        }

        [TestMethod]
        public void RoundTrip_AllFields_PreservesValues()
        {
            var ann = new AmqpMap();
            ann[new Symbol("x-opt-reason")] = "r";
            var b = Wire.NewBuffer();
            new Modified { DeliveryFailed = true, UndeliverableHere = true, MessageAnnotations = ann }.Encode(b);
            var m = (Modified)Wire.Read(b, 0);
            Wire.Consumed(b);
            Assert.IsTrue(m.DeliveryFailed);
            Assert.IsTrue(m.UndeliverableHere);
            Assert.IsTrue(ann.Equals(m.MessageAnnotations));
        }

        [TestMethod]
        public void Decode_ReusedInstance_ResetsPreviousFields()
        {
            var m = new Modified();
            m.Decode(Wire.Body("00 53 27 c0 03 02 41 41", 0x27));
            m.Decode(Wire.Body("00 53 27 45", 0x27));
            Assert.IsFalse(m.DeliveryFailed);
            Assert.IsFalse(m.UndeliverableHere);
        }
    }
}
