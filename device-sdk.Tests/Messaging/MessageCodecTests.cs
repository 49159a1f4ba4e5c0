// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
using System;
using System.Collections;
using IotHubAmqp.Device.Messaging;
using IotHubAmqp.Device.Tests.Framing;
using nanoFramework.TestFramework;

namespace IotHubAmqp.Device.Tests.Messaging
{
    [TestClass]
    public class MessageCodecTests
    {
        // properties { message-id "m", 5 nulls, content-type sym "t" }, application-properties { "k": int 1 }, data [01 02 03]
        private const string Telemetry =
            "00 53 73 c0 0c 07 a1 01 6d 40 40 40 40 40 a3 01 74 " +
            "00 53 74 c1 06 02 a1 01 6b 54 01 " +
            "00 53 75 a0 03 01 02 03";

        private static Message TelemetryMessage()
        {
            var app = new AmqpMap();
            app["k"] = 1;
            return new Message(new byte[] { 1, 2, 3 })
            {
                Properties = new MessageProperties { MessageId = "m", ContentType = "t" },
                ApplicationProperties = app,
            };
        }

        [TestMethod]
        public void Encode_PropertiesAppPropertiesData_WritesSpecBytes()
        {
            var b = Wire.NewBuffer();
            MessageCodec.Encode(TelemetryMessage(), b);
            Expect.Bytes(Expect.FromHex(Telemetry), b);
        }

        [TestMethod]
        public void Encode_DefaultHeader_IsOmitted()
        {
            var b = Wire.NewBuffer();
            MessageCodec.Encode(new Message(new byte[] { 7 }) { Header = new MessageHeader() }, b);
            Expect.Bytes(Expect.FromHex("00 53 75 a0 01 07"), b);
        }

        [TestMethod]
        public void Decode_SpecBytes_ReadsEverySection()
        {
            var b = Wire.Of(Telemetry);
            Message m = MessageCodec.Decode(b);
            Wire.Consumed(b);
            Assert.AreEqual("m", m.Properties.MessageId);
            Assert.AreEqual("t", m.Properties.ContentType);
            Assert.AreEqual(1, m.ApplicationProperties["k"]);
            Assert.AreEqual(BodyType.Data, m.BodyType);
            CollectionAssert.AreEqual(new byte[] { 1, 2, 3 }, m.GetBytes());
            Assert.IsNull(m.Header);
        }

        [TestMethod]
        public void RoundTrip_EverySection_PreservesValues()
        {
            var da = new AmqpMap();
            da[new Symbol("x-opt-d")] = "d";
            var ma = new AmqpMap();
            ma[new Symbol("x-opt-m")] = 5L;
            var footer = new AmqpMap();
            footer[new Symbol("f")] = true;
            var m = TelemetryMessage();
            m.Header = new MessageHeader { Durable = true, Priority = 9, Ttl = 1000, FirstAcquirer = true, DeliveryCount = 2 };
            m.DeliveryAnnotations = da;
            m.MessageAnnotations = ma;
            m.Footer = footer;
            var b = Wire.NewBuffer();
            MessageCodec.Encode(m, b);

            Message d = MessageCodec.Decode(b);
            Wire.Consumed(b);
            Assert.IsTrue(d.Header.Durable);
            Assert.AreEqual((byte)9, d.Header.Priority);
            Assert.AreEqual(1000u, d.Header.Ttl);
            Assert.IsTrue(d.Header.FirstAcquirer);
            Assert.AreEqual(2u, d.Header.DeliveryCount);
            Assert.IsTrue(da.Equals(d.DeliveryAnnotations));
            Assert.IsTrue(ma.Equals(d.MessageAnnotations));
            Assert.IsTrue(m.ApplicationProperties.Equals(d.ApplicationProperties));
            Assert.IsTrue(footer.Equals(d.Footer));
            CollectionAssert.AreEqual(new byte[] { 1, 2, 3 }, d.GetBytes());
        }

        [TestMethod]
        public void Encode_StringAnnotationKey_IsWrittenAsSymbol()
        {
            var ma = new AmqpMap();
            ma["a"] = null;
            var b = Wire.NewBuffer();
            MessageCodec.Encode(new Message { MessageAnnotations = ma }, b);
            Expect.Bytes(Expect.FromHex("00 53 72 c1 05 02 a3 01 61 40"), b);
        }

        [TestMethod]
        public void Encode_NonStringApplicationPropertyKey_IsInvalidField()
        {
            var app = new AmqpMap();
            app[new Symbol("k")] = 1;
            Expect.AmqpError(ErrorCode.InvalidField, () => MessageCodec.Encode(new Message { ApplicationProperties = app }, Wire.NewBuffer()));
        }

        [TestMethod]
        public void RoundTrip_SeveralDataSections_DecodeToArrayList()
        {
            var sections = new ArrayList();
            sections.Add(new byte[] { 1 });
            sections.Add(new byte[] { 2, 3 });
            var b = Wire.NewBuffer();
            MessageCodec.Encode(new Message { BodyType = BodyType.Data, Body = sections }, b);
            Expect.Bytes(Expect.FromHex("00 53 75 a0 01 01 00 53 75 a0 02 02 03"), b);
            Message d = MessageCodec.Decode(b);
            var list = (ArrayList)d.Body;
            Assert.AreEqual(2, list.Count);
            CollectionAssert.AreEqual(new byte[] { 2, 3 }, (byte[])list[1]);
            Assert.IsNull(d.GetBytes());
        }

        [TestMethod]
        public void RoundTrip_AmqpValue_PreservesValue()
        {
            var b = Wire.NewBuffer();
            MessageCodec.Encode(new Message { BodyType = BodyType.AmqpValue, Body = "hello" }, b);
            Expect.Bytes(Expect.FromHex("00 53 77 a1 05 68 65 6c 6c 6f"), b);
            Message d = MessageCodec.Decode(b);
            Assert.AreEqual(BodyType.AmqpValue, d.BodyType);
            Assert.AreEqual("hello", d.Body);
        }

        [TestMethod]
        public void RoundTrip_AmqpSequences_DecodeToArrayListOfLists()
        {
            var seqs = new ArrayList();
            seqs.Add(new object[] { 1u });
            seqs.Add(new object[] { "a", true });
            var b = Wire.NewBuffer();
            MessageCodec.Encode(new Message { BodyType = BodyType.AmqpSequence, Body = seqs }, b);
            Expect.Bytes(Expect.FromHex("00 53 76 c0 03 01 52 01 00 53 76 c0 05 02 a1 01 61 41"), b);
            Message d = MessageCodec.Decode(b);
            Assert.AreEqual(BodyType.AmqpSequence, d.BodyType);
            var list = (ArrayList)d.Body;
            Assert.AreEqual(2, list.Count);
            Assert.AreEqual("a", ((object[])list[1])[0]);
        }

        [TestMethod]
        public void Decode_SectionOutOfOrder_IsDecodeError()
        {
            // application-properties before properties.
            Expect.AmqpError(ErrorCode.DecodeError, () => MessageCodec.Decode(Wire.Of("00 53 74 c1 01 00 00 53 73 45")));
        }

        [TestMethod]
        public void Decode_RepeatedSectionOrMixedBody_IsDecodeError()
        {
            Expect.AmqpError(ErrorCode.DecodeError, () => MessageCodec.Decode(Wire.Of("00 53 73 45 00 53 73 45")));
            Expect.AmqpError(ErrorCode.DecodeError, () => MessageCodec.Decode(Wire.Of("00 53 75 a0 00 00 53 77 40")));
            Expect.AmqpError(ErrorCode.DecodeError, () => MessageCodec.Decode(Wire.Of("00 53 77 40 00 53 77 40")));
        }

        [TestMethod]
        public void Decode_UnknownSectionDescriptor_IsDecodeError()
        {
            Expect.AmqpError(ErrorCode.DecodeError, () => MessageCodec.Decode(Wire.Of("00 53 10 45")));
        }

        [TestMethod]
        public void Decode_EmptyBuffer_IsMessageWithoutSections()
        {
            Message m = MessageCodec.Decode(Wire.Of(""));
            Assert.AreEqual(BodyType.None, m.BodyType);
            Assert.IsNull(m.Properties);
        }
    }
}
