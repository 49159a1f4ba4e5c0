// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
using IotHubAmqp.Device.Messaging;
using IotHubAmqp.Device.Tests.Framing;
using nanoFramework.TestFramework;

namespace IotHubAmqp.Device.Tests.Messaging
{
    [TestClass]
    public class MessageHeaderTests
    {
        [TestMethod]
        public void Encode_DurableOnly_WritesOneField()
        {
            var b = Wire.NewBuffer();
            MessageCodec.Encode(new Message { Header = new MessageHeader { Durable = true } }, b);
            Expect.Bytes(Expect.FromHex("00 53 70 c0 02 01 41"), b);
        }

        [TestMethod]
        public void Encode_TtlOnly_WritesNullsBeforeIt()
        {
            var b = Wire.NewBuffer();
            MessageCodec.Encode(new Message { Header = new MessageHeader { Ttl = 1000 } }, b);
            Expect.Bytes(Expect.FromHex("00 53 70 c0 08 03 40 40 70 00 00 03 e8"), b);
        }

        [TestMethod]
        public void Decode_AbsentPriority_IsFour()
        {
            Message m = MessageCodec.Decode(Wire.Of("00 53 70 c0 02 01 41"));
            Assert.AreEqual((byte)4, m.Header.Priority);
            Assert.IsTrue(m.Header.Durable);
        }

        [TestMethod]
        public void IsDefault_AnyFieldChanged_IsFalse()
        {
            Assert.IsTrue(new MessageHeader().IsDefault);
            Assert.IsFalse(new MessageHeader { Priority = 3 }.IsDefault);
            Assert.IsFalse(new MessageHeader { DeliveryCount = 1 }.IsDefault);
        }
    }
}
