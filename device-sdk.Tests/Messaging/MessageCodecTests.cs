// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
using System;
using System.Collections;
using IotHubAmqp.Device.Buffers;
using IotHubAmqp.Device.Messaging;
using IotHubAmqp.Device.Types;
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

        // ---- zero-copy send: EncodeHead ----

        private static Message Shape(int combo, byte[] body)
        {
            var m = new Message(body);
            if (combo >= 1) m.Properties = new MessageProperties { MessageId = "id-1", ContentType = "application/json", CreationTime = new DateTime(2024, 1, 2) };
            if (combo >= 2)
            {
                var app = new AmqpMap();
                app["temp"] = 21.5;
                app["n"] = 7u;
                m.ApplicationProperties = app;
            }
            if (combo >= 3)
            {
                m.Header = new MessageHeader { Durable = true, Ttl = 60000 };
                var ma = new AmqpMap();
                ma[new Symbol("x-opt-a")] = "a";
                m.MessageAnnotations = ma;
                var da = new AmqpMap();
                da["x-opt-d"] = 1L;
                m.DeliveryAnnotations = da;
            }
            if (combo == 4) m.Header = new MessageHeader();
            return m;
        }

        [TestMethod]
        [DataRow(0, 0)]
        [DataRow(0, 3)]
        [DataRow(1, 255)]
        [DataRow(2, 256)]
        [DataRow(3, 300)]
        [DataRow(4, 5000)]
        [DataRow(3, 70000)]
        public void EncodeHead_OneDataSection_HeadPlusBodyIsTheVbin32Encoding(int combo, int bodyLength)
        {
            byte[] body = new byte[bodyLength];
            for (int i = 0; i < body.Length; i++) body[i] = (byte)(i * 13 + 5);
            Message m = Shape(combo, body);

            var head = new ByteBuffer(512);
            head.WriteByte(0xEE); // bytes already in the buffer stay, the head follows them
            Assert.AreSame(body, MessageCodec.EncodeHead(m, head, out int size));
            head.Offset = 1;

            // Expected: the sections before the body as Encode writes them, then 00 53 75 b0 len32 and the body.
            var expected = new ByteBuffer(bodyLength + 1024);
            Message bare = Shape(combo, null);
            bare.BodyType = BodyType.None;
            MessageCodec.Encode(bare, expected);
            Encoder.WriteDescriptor(expected, Descriptor.Data);
            expected.WriteByte(FormatCode.Binary32);
            BigEndian.WriteUInt32(expected, (uint)bodyLength);
            int headLength = expected.Length;
            expected.WriteBytes(body, 0, bodyLength);

            Assert.AreEqual(headLength, head.Length);
            Assert.AreEqual(expected.Length, size);
            var whole = new ByteBuffer(size);
            whole.WriteBytes(head.Buffer, head.Offset, head.Length);
            whole.WriteBytes(body, 0, bodyLength);
            SameBytes(expected, whole);

            // Above 255 bytes Encode picks vbin32 too, so the two paths give identical bytes.
            if (bodyLength > 255)
            {
                var encoded = new ByteBuffer(bodyLength + 1024);
                MessageCodec.Encode(m, encoded);
                SameBytes(encoded, whole);
            }
            Message d = MessageCodec.Decode(whole);
            CollectionAssert.AreEqual(body, d.GetBytes());
        }

        [TestMethod]
        public void EncodeHead_OtherShapes_ReturnNullAndWriteNothing()
        {
            var sections = new ArrayList();
            sections.Add(new byte[] { 1 });
            var footer = new AmqpMap();
            footer[new Symbol("f")] = 1;
            Message[] others =
            {
                new Message(),
                new Message { BodyType = BodyType.Data, Body = null },
                new Message { BodyType = BodyType.Data, Body = sections },
                new Message { BodyType = BodyType.AmqpValue, Body = new byte[] { 1 } },
                new Message(new byte[] { 1 }) { Footer = footer },
            };
            var b = Wire.NewBuffer();
            for (int i = 0; i < others.Length; i++)
            {
                Assert.IsNull(MessageCodec.EncodeHead(others[i], b, out int size), "shape " + i);
                Assert.AreEqual(0, size);
                Assert.AreEqual(0, b.WritePos, "shape " + i + " wrote bytes");
            }
        }

        [TestMethod]
        public void EncodeHead_HeadLargerThanBuffer_IsFrameSizeTooSmallAndBufferUnchanged()
        {
            var m = new Message(new byte[10]) { Properties = new MessageProperties { Subject = new string('s', 100) } };
            var b = new ByteBuffer(64);
            b.WriteByte(1);
            Expect.AmqpError(ErrorCode.FrameSizeTooSmall, () => MessageCodec.EncodeHead(m, b, out _));
            Assert.AreEqual(1, b.WritePos);
        }

        private static void SameBytes(ByteBuffer expected, ByteBuffer actual)
        {
            byte[] e = new byte[expected.Length];
            Array.Copy(expected.Buffer, expected.Offset, e, 0, e.Length);
            Expect.Bytes(e, actual);
        }

    }
}
