// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
using System;
using IotHubAmqp.Device.Buffers;
using IotHubAmqp.Device.Engine;
using IotHubAmqp.Device.IotHub;
using IotHubAmqp.Device.Messaging;
using nanoFramework.TestFramework;

namespace IotHubAmqp.Device.Tests.IotHub
{
    [TestClass]
    public class C2dMessageTests
    {
        private const string LockToken = "0f8fad5b-d9cb-469f-a165-70867728950e";
        private static readonly DateTime Enqueued = new DateTime(2024, 3, 1, 12, 30, 45);

        private static C2dMessage Wrap(Message m)
        {
            var delivery = new IncomingDelivery(null, 1, new byte[] { 1 }, false) { Message = m };
            return new C2dMessage(delivery);
        }

        // As IoT Hub sends them (iothub-amqp-wire.md 6): symbol keys, long sequence number, uuid lock token.
        private static Message HubMessage(object deliveryCount)
        {
            var annotations = new AmqpMap();
            annotations[new Symbol("x-opt-sequence-number")] = 42L;
            annotations[new Symbol("x-opt-lock-token")] = new Guid(LockToken);
            annotations[new Symbol("iothub-enqueuedtime")] = Enqueued;
            if (deliveryCount != null) annotations[new Symbol("iothub-deliverycount")] = deliveryCount;
            var app = new AmqpMap();
            app["color"] = "red";
            return new Message(new byte[] { 0x68, 0x69 })
            {
                MessageAnnotations = annotations,
                Properties = new MessageProperties { MessageId = "msg-1", CorrelationId = 99UL, ContentType = "text/plain" },
                ApplicationProperties = app,
            };
        }

        [TestMethod]
        public void SequenceNumber_LongAnnotation_Read()
        {
            Assert.AreEqual(42L, Wrap(HubMessage(3)).SequenceNumber);
        }

        [TestMethod]
        public void LockToken_UuidAnnotation_AsText()
        {
            Assert.AreEqual(LockToken, Wrap(HubMessage(3)).LockToken);
        }

        [TestMethod]
        public void EnqueuedTime_TimestampAnnotation_Read()
        {
            Assert.AreEqual(Enqueued.Ticks, Wrap(HubMessage(3)).EnqueuedTime.Ticks);
        }

        [TestMethod]
        public void DeliveryCount_Int_Read()
        {
            Assert.AreEqual(3, Wrap(HubMessage(3)).DeliveryCount);
        }

        [TestMethod]
        public void DeliveryCount_UInt_Read()
        {
            Assert.AreEqual(4, Wrap(HubMessage(4u)).DeliveryCount);
        }

        [TestMethod]
        public void DeliveryCount_Long_Read()
        {
            Assert.AreEqual(5, Wrap(HubMessage(5L)).DeliveryCount);
        }

        [TestMethod]
        public void DeliveryCount_Absent_Zero()
        {
            Assert.AreEqual(0, Wrap(HubMessage(null)).DeliveryCount);
        }

        [TestMethod]
        public void Properties_BodyIdsContentType_Exposed()
        {
            Message m = HubMessage(1);
            C2dMessage c = Wrap(m);
            Assert.AreSame(m, c.Message);
            CollectionAssert.AreEqual(new byte[] { 0x68, 0x69 }, c.Body);
            Assert.AreEqual("msg-1", c.MessageId);
            Assert.AreEqual("99", c.CorrelationId);
            Assert.AreEqual("text/plain", c.ContentType);
            Assert.AreEqual("red", c.Properties["color"]);
        }

        [TestMethod]
        public void Annotations_NoSection_Defaults()
        {
            C2dMessage c = Wrap(new Message(new byte[] { 1 }));
            Assert.AreEqual(-1L, c.SequenceNumber);
            Assert.IsNull(c.LockToken);
            Assert.AreEqual(DateTime.MinValue.Ticks, c.EnqueuedTime.Ticks);
            Assert.AreEqual(0, c.DeliveryCount);
            Assert.IsNull(c.MessageId);
            Assert.IsNull(c.CorrelationId);
            Assert.IsNull(c.ContentType);
            Assert.IsNull(c.Properties);
        }

        [TestMethod]
        public void Annotations_EmptySection_Defaults()
        {
            C2dMessage c = Wrap(new Message(new byte[] { 1 }) { MessageAnnotations = new AmqpMap() });
            Assert.AreEqual(-1L, c.SequenceNumber);
            Assert.IsNull(c.LockToken);
            Assert.AreEqual(DateTime.MinValue.Ticks, c.EnqueuedTime.Ticks);
            Assert.AreEqual(0, c.DeliveryCount);
        }

        [TestMethod]
        public void Body_AmqpValueBody_Null()
        {
            Assert.IsNull(Wrap(new Message { BodyType = BodyType.AmqpValue, Body = "text" }).Body);
        }

        [TestMethod]
        public void Annotations_AfterWireRoundTrip_SameValues()
        {
            var b = new ByteBuffer(512);
            MessageCodec.Encode(HubMessage(7u), b);
            C2dMessage c = Wrap(MessageCodec.Decode(b));
            Assert.AreEqual(42L, c.SequenceNumber);
            Assert.AreEqual(LockToken, c.LockToken);
            Assert.AreEqual(Enqueued.Ticks, c.EnqueuedTime.Ticks);
            Assert.AreEqual(7, c.DeliveryCount);
            Assert.AreEqual("msg-1", c.MessageId);
            CollectionAssert.AreEqual(new byte[] { 0x68, 0x69 }, c.Body);
        }
    }
}
