// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
using IotHubAmqp.Device.Buffers;
using IotHubAmqp.Device.Framing;
using IotHubAmqp.Device.Types;
using nanoFramework.TestFramework;

namespace IotHubAmqp.Device.Tests.Framing
{
    [TestClass]
    public class FlowTests
    {
        [TestMethod]
        public void Encode_LinkFlow_WritesSpecBytes()
        {
            var b = Wire.NewBuffer();
            new Flow
            {
                NextIncomingId = 1, HasNextIncomingId = true, IncomingWindow = 100, NextOutgoingId = 0, OutgoingWindow = 100,
                Handle = 0, HasHandle = true, DeliveryCount = 0, HasDeliveryCount = true, LinkCredit = 10, HasLinkCredit = true,
            }.Encode(b);
            Expect.Bytes(Expect.FromHex("00 53 13 c0 0c 07 52 01 52 64 43 52 64 43 43 52 0a"), b);
        }

        [TestMethod]
        public void Encode_SessionFlowWithoutNextIncomingId_WritesFourFields()
        {
            var b = Wire.NewBuffer();
            new Flow { IncomingWindow = 100, NextOutgoingId = 0, OutgoingWindow = 100 }.Encode(b);
            Expect.Bytes(Expect.FromHex("00 53 13 c0 07 04 40 52 64 43 52 64"), b);
        }

        [TestMethod]
        public void Decode_PeerAvailable_IsSkipped()
        {
            // next-incoming-id 0, incoming-window 1, next-outgoing-id 0, outgoing-window 1, handle 0, delivery-count 0,
            // link-credit 5, available 7.
            var d = new Flow();
            ByteBuffer b = Wire.Body("00 53 13 c0 0d 08 43 52 01 43 52 01 43 43 52 05 52 07", Descriptor.Flow);
            d.Decode(b);
            Wire.Consumed(b);
            Assert.AreEqual(5u, d.LinkCredit);
        }

        [TestMethod]
        public void RoundTrip_AllFields_PreservesValues()
        {
            var props = new AmqpMap();
            props[new Symbol("k")] = "v";
            var flow = new Flow
            {
                NextIncomingId = 5, HasNextIncomingId = true, IncomingWindow = 6, NextOutgoingId = 7, OutgoingWindow = 8,
                Handle = 9, HasHandle = true, DeliveryCount = 10, HasDeliveryCount = true, LinkCredit = 11, HasLinkCredit = true,
                Drain = true, Echo = true, Properties = props,
            };
            var b = Wire.NewBuffer();
            flow.Encode(b);
            var d = new Flow();
            d.Decode(Wire.AfterDescriptor(b, Descriptor.Flow));
            Wire.Consumed(b);
            Assert.IsTrue(d.HasNextIncomingId && d.HasHandle && d.HasDeliveryCount && d.HasLinkCredit);
            Assert.AreEqual(5u, d.NextIncomingId);
            Assert.AreEqual(6u, d.IncomingWindow);
            Assert.AreEqual(7u, d.NextOutgoingId);
            Assert.AreEqual(8u, d.OutgoingWindow);
            Assert.AreEqual(9u, d.Handle);
            Assert.AreEqual(10u, d.DeliveryCount);
            Assert.AreEqual(11u, d.LinkCredit);
            Assert.IsTrue(d.Drain);
            Assert.IsTrue(d.Echo);
            Assert.IsTrue(props.Equals(d.Properties));
        }

        [TestMethod]
        public void Decode_ReusedInstance_ResetsPreviousFields()
        {
            var d = new Flow();
            d.Decode(Wire.Body("00 53 13 c0 0c 07 52 01 52 64 43 52 64 43 43 52 0a", Descriptor.Flow));
            Assert.IsTrue(d.HasHandle);
            d.Decode(Wire.Body("00 53 13 c0 07 04 40 52 64 43 52 64", Descriptor.Flow));
            Assert.IsFalse(d.HasNextIncomingId);
            Assert.IsFalse(d.HasHandle);
            Assert.IsFalse(d.HasDeliveryCount);
            Assert.IsFalse(d.HasLinkCredit);
            Assert.AreEqual(0u, d.LinkCredit);
        }

        [TestMethod]
        public void Decode_ReusedInstance_AbsentFieldsReadAsZero()
        {
            // The engine decodes every flow into one instance and uses these values whether or not they were sent.
            var d = new Flow();
            d.Decode(Wire.Body("00 53 13 c0 0e 07 52 05 52 64 43 52 64 52 02 52 07 52 0a", Descriptor.Flow));
            Assert.AreEqual(5u, d.NextIncomingId);
            Assert.AreEqual(2u, d.Handle);
            Assert.AreEqual(7u, d.DeliveryCount);
            d.Decode(Wire.Body("00 53 13 c0 07 04 40 52 64 43 52 64", Descriptor.Flow));
            Assert.AreEqual(0u, d.NextIncomingId);
            Assert.AreEqual(0u, d.Handle);
            Assert.AreEqual(0u, d.DeliveryCount);
            Assert.AreEqual(0u, d.LinkCredit);
        }

        [TestMethod]
        public void Decode_MissingMandatoryField_IsDecodeErrorNamingIt()
        {
            var e = Expect.AmqpError(ErrorCode.DecodeError, () => new Flow().Decode(Wire.Body("00 53 13 c0 02 01 43", Descriptor.Flow)));
            Assert.AreEqual("flow is missing incoming-window", e.Description);
            e = Expect.AmqpError(ErrorCode.DecodeError, () => new Flow().Decode(Wire.Body("00 53 13 c0 04 03 43 43 43", Descriptor.Flow)));
            Assert.AreEqual("flow is missing outgoing-window", e.Description);
            e = Expect.AmqpError(ErrorCode.DecodeError, () => new Flow().Decode(Wire.Body("00 53 13 c0 05 04 43 43 40 43", Descriptor.Flow)));
            Assert.AreEqual("flow is missing next-outgoing-id", e.Description);
        }
    }
}
