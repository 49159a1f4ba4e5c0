// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
using System;
using IotHubAmqp.Device.Messaging;
using IotHubAmqp.Device.Tests.Framing;
using nanoFramework.TestFramework;

namespace IotHubAmqp.Device.Tests.Messaging
{
    [TestClass]
    public class MessagePropertiesTests
    {
        [TestMethod]
        public void RoundTrip_AllThirteenFields_PreservesValues()
        {
            var id = new Guid("01234567-89ab-cdef-0123-456789abcdef");
            var p = new MessageProperties
            {
                MessageId = id, UserId = new byte[] { 1 }, To = "/devices/d/messages/events", Subject = "s", ReplyTo = "r",
                CorrelationId = 42ul, ContentType = "application/json", ContentEncoding = "utf-8",
                AbsoluteExpiryTime = new DateTime(2030, 1, 2, 3, 4, 5, 6), CreationTime = new DateTime(2024, 5, 6, 7, 8, 9, 10),
                GroupId = "g", GroupSequence = 7, HasGroupSequence = true, ReplyToGroupId = "rg",
            };
            var b = Wire.NewBuffer();
            MessageCodec.Encode(new Message { Properties = p }, b);
            MessageProperties d = MessageCodec.Decode(b).Properties;
            Wire.Consumed(b);
            Assert.AreEqual(id, d.MessageId);
            CollectionAssert.AreEqual(new byte[] { 1 }, d.UserId);
            Assert.AreEqual("/devices/d/messages/events", d.To);
            Assert.AreEqual("s", d.Subject);
            Assert.AreEqual("r", d.ReplyTo);
            Assert.AreEqual(42ul, d.CorrelationId);
            Assert.AreEqual("application/json", d.ContentType);
            Assert.AreEqual("utf-8", d.ContentEncoding);
            Assert.AreEqual(p.AbsoluteExpiryTime.Ticks, d.AbsoluteExpiryTime.Ticks);
            Assert.AreEqual(p.CreationTime.Ticks, d.CreationTime.Ticks);
            Assert.AreEqual("g", d.GroupId);
            Assert.IsTrue(d.HasGroupSequence);
            Assert.AreEqual(7u, d.GroupSequence);
            Assert.AreEqual("rg", d.ReplyToGroupId);
        }

        [TestMethod]
        public void Encode_CreationTime_WritesTimestampMillisecondsSinceEpoch()
        {
            var b = Wire.NewBuffer();
            var p = new MessageProperties { CreationTime = new DateTime(1970, 1, 1, 0, 0, 1) };
            MessageCodec.Encode(new Message { Properties = p }, b);
            Expect.Bytes(Expect.FromHex("00 53 73 c0 13 0a 40 40 40 40 40 40 40 40 40 83 00 00 00 00 00 00 03 e8"), b);
        }

        [TestMethod]
        public void Encode_BinaryAndUlongIds_UseTheirAmqpTypes()
        {
            var b = Wire.NewBuffer();
            MessageCodec.Encode(new Message { Properties = new MessageProperties { MessageId = new byte[] { 9 }, CorrelationId = 5ul } }, b);
            Expect.Bytes(Expect.FromHex("00 53 73 c0 0a 06 a0 01 09 40 40 40 40 53 05"), b);
        }

        [TestMethod]
        public void Encode_UnsupportedIdType_IsInvalidField()
        {
            Expect.AmqpError(ErrorCode.InvalidField, () =>
                MessageCodec.Encode(new Message { Properties = new MessageProperties { MessageId = 5 } }, Wire.NewBuffer()));
        }

        [TestMethod]
        public void Decode_AbsentFields_KeepDefaults()
        {
            MessageProperties d = MessageCodec.Decode(Wire.Of("00 53 73 45")).Properties;
            Assert.IsNull(d.MessageId);
            Assert.AreEqual(DateTime.MinValue, d.CreationTime);
            Assert.IsFalse(d.HasGroupSequence);
        }
    }
}
