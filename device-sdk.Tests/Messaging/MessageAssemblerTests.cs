// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
using System;
using System.Collections;
using IotHubAmqp.Device.Buffers;
using IotHubAmqp.Device.Messaging;
using nanoFramework.TestFramework;
using TestFrameworkShared;

namespace IotHubAmqp.Device.Tests.Messaging
{
    /// <summary>
    /// Reassembly of a message from transfer payloads: whatever the split, the message equals what
    /// <see cref="MessageCodec.Decode"/> reads from the whole payload.
    /// </summary>
    [TestClass]
    public class MessageAssemblerTests
    {
        private static byte[] Body(int n)
        {
            byte[] a = new byte[n];
            for (int i = 0; i < n; i++) a[i] = (byte)(i * 29 + 3);
            return a;
        }

        // A C2D-shaped message: header, message annotations, properties, application properties, one data section.
        private static Message C2d(byte[] body)
        {
            var ma = new AmqpMap();
            ma[new Symbol("x-opt-lock-token")] = new Guid(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11);
            var app = new AmqpMap();
            app["k"] = "v";
            return new Message(body)
            {
                Header = new MessageHeader { DeliveryCount = 1 },
                MessageAnnotations = ma,
                Properties = new MessageProperties { MessageId = "c2d-1", To = "/devices/d/messages/deviceBound" },
                ApplicationProperties = app,
            };
        }

        // The payload with the body as vbin32, as IoT Hub sends it.
        private static byte[] Vbin32(Message m)
        {
            var b = new ByteBuffer(4096);
            byte[] body = MessageCodec.EncodeHead(m, b, out int size);
            byte[] wire = new byte[size];
            Array.Copy(b.Buffer, 0, wire, 0, b.WritePos);
            Array.Copy(body, 0, wire, b.WritePos, body.Length);
            return wire;
        }

        private static byte[] Encoded(Message m)
        {
            var b = new ByteBuffer(8192);
            MessageCodec.Encode(m, b);
            byte[] wire = new byte[b.Length];
            Array.Copy(b.Buffer, 0, wire, 0, wire.Length);
            return wire;
        }

        // Two messages are the same when they encode to the same bytes.
        private static void Same(Message expected, Message actual, string what)
        {
            byte[] e = Encoded(expected);
            byte[] a = Encoded(actual);
            Assert.AreEqual(e.Length, a.Length, what + ": encoded length");
            for (int i = 0; i < e.Length; i++)
            {
                if (e[i] != a[i]) throw new AssertFailedException(what + ": byte " + i + " differs");
            }
        }

        private static Message Assemble(MessageAssembler asm, byte[] wire, int cut1, int cut2, int limit)
        {
            asm.Reset(limit);
            asm.Append(wire, 0, cut1);
            asm.Append(wire, cut1, cut2 - cut1);
            asm.Append(wire, cut2, wire.Length - cut2);
            Assert.AreEqual(wire.Length, asm.Size);
            return asm.Finish();
        }

        private static void EverySplit(byte[] wire, int headCapacity, bool threeWays)
        {
            Message expected = MessageCodec.Decode(new ByteBuffer(wire, 0, wire.Length));
            var asm = new MessageAssembler(headCapacity);
            for (int i = 0; i <= wire.Length; i++)
            {
                Same(expected, Assemble(asm, wire, i, i, wire.Length), "split at " + i);
                if (!threeWays) continue;
                for (int j = i; j <= wire.Length; j++) Same(expected, Assemble(asm, wire, i, j, 65536), "split at " + i + " and " + j);
            }
        }

        [TestMethod]
        [DataRow(8)]
        [DataRow(64)]
        [DataRow(1024)]
        public void Append_C2dShapeSplitAtEveryOffset_SameAsDecode(int headCapacity)
        {
            // Capacity 8 and 64 hold less than the head, so those runs also take the accumulate-whole path.
            EverySplit(Vbin32(C2d(Body(300))), headCapacity, false);
        }

        [TestMethod]
        public void Append_SmallC2dSplitThreeWays_SameAsDecode()
        {
            EverySplit(Vbin32(new Message(Body(20)) { Properties = new MessageProperties { MessageId = 7ul } }), 256, true);
        }

        [TestMethod]
        public void Finish_StreamedBody_IsTheExactLengthArray()
        {
            byte[] body = Body(5000);
            var asm = new MessageAssembler(512);
            byte[] wire = Vbin32(C2d(body));
            asm.Reset(65536);
            asm.Append(wire, 0, 100);
            Assert.IsFalse(asm.Streaming, "still in the head");
            asm.Append(wire, 100, 1900);
            Assert.IsTrue(asm.Streaming, "the body goes straight into its array");
            asm.Append(wire, 2000, wire.Length - 2000);
            Assert.IsTrue(asm.Streaming);
            Message m = asm.Finish();
            Assert.IsFalse(asm.Streaming);
            CollectionAssert.AreEqual(body, m.GetBytes());
            Assert.AreEqual("c2d-1", m.Properties.MessageId);
            Assert.AreEqual("v", m.ApplicationProperties["k"]);
        }

        [TestMethod]
        [DataRow("several-data")]
        [DataRow("amqp-value")]
        [DataRow("amqp-sequence")]
        [DataRow("footer")]
        [DataRow("vbin8")]
        [DataRow("no-body")]
        public void Append_OtherShapesSplitAtEveryOffset_SameAsDecode(string shape)
        {
            byte[] wire = OtherShape(shape);
            var asm = new MessageAssembler(2048);
            asm.Reset(65536);
            asm.Append(wire, 0, wire.Length);
            Assert.IsFalse(asm.Streaming, "only one data section last is streamed");
            EverySplit(wire, 16, false);
            EverySplit(wire, 2048, false);
        }

        private static byte[] OtherShape(string shape)
        {
            Message m = C2d(Body(280));
            switch (shape)
            {
                case "several-data":
                    var sections = new ArrayList();
                    sections.Add(Body(270));
                    sections.Add(Body(3));
                    m.Body = sections;
                    return Encoded(m);
                case "amqp-value":
                    m.BodyType = BodyType.AmqpValue;
                    m.Body = "value";
                    return Encoded(m);
                case "amqp-sequence":
                    m.BodyType = BodyType.AmqpSequence;
                    m.Body = new object[] { 1u, Body(300) };
                    return Encoded(m);
                case "footer":
                    // A vbin32 body with a footer after it: streamed at first, kept whole once the footer arrives.
                    var footer = new AmqpMap();
                    footer[new Symbol("f")] = 1;
                    m.Footer = footer;
                    return Encoded(m);
                case "vbin8":
                    m.Body = Body(200);
                    return Encoded(m);
                default:
                    m.BodyType = BodyType.None;
                    m.Body = null;
                    return Encoded(m);
            }
        }

        [TestMethod]
        public void Append_PastTheLimit_IsMessageSizeExceededNamingLimitAndSize()
        {
            byte[] wire = Encoded(C2d(Body(100)));
            var asm = new MessageAssembler(1024);
            asm.Reset(wire.Length);
            asm.Append(wire, 0, wire.Length);
            Assert.AreEqual(wire.Length, asm.Size);

            asm.Reset(wire.Length - 1);
            asm.Append(wire, 0, 50);
            AmqpException e = Expect.AmqpError(ErrorCode.MessageSizeExceeded, () => asm.Append(wire, 50, wire.Length - 50));
            Assert.Contains((wire.Length - 1).ToString(), e.Description);
            Assert.Contains("50 so far", e.Description);
        }

        [TestMethod]
        public void Append_DataSectionAnnouncingMoreThanTheLimit_FailsBeforeTheBodyArrives()
        {
            // 00 53 75 b0 with a length of 16 MB: refused on the header, no 16 MB array is allocated.
            byte[] header = Expect.FromHex("00 53 75 b0 01 00 00 00");
            var asm = new MessageAssembler(64);
            asm.Reset(65536);
            AmqpException e = Expect.AmqpError(ErrorCode.MessageSizeExceeded, () => asm.Append(header, 0, header.Length));
            Assert.Contains("16777216", e.Description);
            Assert.Contains("65536", e.Description);
        }

        [TestMethod]
        public void Finish_TruncatedBodyOrHead_IsDecodeError()
        {
            byte[] wire = Vbin32(C2d(Body(300)));
            var asm = new MessageAssembler(1024);
            asm.Reset(65536);
            asm.Append(wire, 0, wire.Length - 1);
            Expect.AmqpError(ErrorCode.DecodeError, () => asm.Finish());
            asm.Reset(65536);
            asm.Append(wire, 0, 10);
            Expect.AmqpError(ErrorCode.DecodeError, () => asm.Finish());
        }

        [TestMethod]
        public void Finish_SectionsOutOfOrderBeforeTheBody_IsDecodeErrorLikeDecode()
        {
            // application-properties, then properties, then a vbin32 data section.
            byte[] wire = Expect.FromHex("00 53 74 c1 01 00 00 53 73 45 00 53 75 b0 00 00 00 01 07");
            Expect.AmqpError(ErrorCode.DecodeError, () => MessageCodec.Decode(new ByteBuffer(wire, 0, wire.Length)));
            var asm = new MessageAssembler(64);
            asm.Reset(100);
            asm.Append(wire, 0, wire.Length);
            Expect.AmqpError(ErrorCode.DecodeError, () => asm.Finish());
        }

        [TestMethod]
        public void Reset_AfterPartialMessage_DiscardsIt()
        {
            byte[] first = Vbin32(C2d(Body(400)));
            byte[] second = Vbin32(new Message(Body(10)));
            var asm = new MessageAssembler(256);
            asm.Reset(65536);
            asm.Append(first, 0, 300);
            asm.Reset(65536);
            Assert.AreEqual(0, asm.Size);
            asm.Append(second, 0, second.Length);
            Message m = asm.Finish();
            CollectionAssert.AreEqual(Body(10), m.GetBytes());
            Assert.IsNull(m.Properties);
        }

        [TestMethod]
        public void Finish_NothingAppended_IsEmptyMessage()
        {
            var asm = new MessageAssembler(64);
            asm.Reset(10);
            Message m = asm.Finish();
            Assert.AreEqual(BodyType.None, m.BodyType);
        }

        [TestMethod]
        public void AppendOrFinish_WithoutReset_IsInvalidOperation()
        {
            var asm = new MessageAssembler(64);
            Assert.ThrowsException(typeof(InvalidOperationException), () => asm.Append(new byte[1], 0, 1));
            asm.Reset(10);
            asm.Finish();
            Assert.ThrowsException(typeof(InvalidOperationException), () => asm.Finish());
            Assert.ThrowsException(typeof(ArgumentOutOfRangeException), () => asm.Reset(0));
        }
    }
}
