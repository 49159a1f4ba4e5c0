// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
using System;
using System.Collections;
using IotHubAmqp.Device.Batching;
using IotHubAmqp.Device.Messaging;
using IotHubAmqp.Device.Types;
using IotHubAmqp.Device.Tests.Framing;
using nanoFramework.TestFramework;

namespace IotHubAmqp.Device.Tests.Batching
{
    [TestClass]
    public class MessageBatchTests
    {
        // Inner 1: properties { message-id "a" }, data [01] (15 bytes).
        private const string Inner1 = "00 53 73 c0 04 01 a1 01 61 00 53 75 a0 01 01";

        // Inner 2: application-properties { "k": int 1 }, data [02] (17 bytes).
        private const string Inner2 = "00 53 74 c1 06 02 a1 01 6b 54 01 00 53 75 a0 01 02";

        // Outer body: one data section per inner message, each holding the inner message's bytes.
        private const string Batch = "00 53 75 a0 0f " + Inner1 + " 00 53 75 a0 11 " + Inner2;

        private static Message[] TwoMessages()
        {
            var app = new AmqpMap();
            app["k"] = 1;
            return new Message[]
            {
                new Message(new byte[] { 1 }) { Properties = new MessageProperties { MessageId = "a" } },
                new Message(new byte[] { 2 }) { ApplicationProperties = app },
            };
        }

        [TestMethod]
        public void Create_TwoMessages_EncodesDataSectionsOfWholeMessages()
        {
            Message outer = MessageBatch.Create(TwoMessages(), 1024);
            var b = Wire.NewBuffer();
            MessageCodec.Encode(outer, b);
            Expect.Bytes(Expect.FromHex(Batch), b);
        }

        [TestMethod]
        public void Create_OuterMessage_HasNoSectionsBesidesTheBody()
        {
            Message outer = MessageBatch.Create(TwoMessages(), 1024);
            Assert.IsNull(outer.Properties);
            Assert.IsNull(outer.ApplicationProperties);
            Assert.IsNull(outer.MessageAnnotations);
            Assert.IsNull(outer.Header);
            Assert.AreEqual(2, ((ArrayList)outer.Body).Count);
        }

        [TestMethod]
        public void Create_InnerMessagesDecodeWithTheirOwnProperties()
        {
            Message outer = MessageBatch.Create(TwoMessages(), 1024);
            var sections = (ArrayList)outer.Body;
            byte[] first = (byte[])sections[0];
            Message m1 = MessageCodec.Decode(new IotHubAmqp.Device.Buffers.ByteBuffer(first, 0, first.Length));
            Assert.AreEqual("a", (string)m1.Properties.MessageId);
            Assert.AreEqual((byte)1, m1.GetBytes()[0]);
            byte[] second = (byte[])sections[1];
            Message m2 = MessageCodec.Decode(new IotHubAmqp.Device.Buffers.ByteBuffer(second, 0, second.Length));
            Assert.AreEqual(1, (int)m2.ApplicationProperties["k"]);
            Assert.IsNull(m2.Properties);
        }

        [TestMethod]
        public void Format_IsIotHubsBatchingCode()
        {
            Assert.AreEqual(0x80013700u, MessageBatch.Format);
        }

        [TestMethod]
        public void SectionSize_SmallAndLargeBinaries()
        {
            Assert.AreEqual(3 + 2 + 255, MessageBatch.SectionSize(255));
            Assert.AreEqual(3 + 5 + 256, MessageBatch.SectionSize(256));
        }

        [TestMethod]
        public void Create_LargerThanTheLimit_ThrowsNamingTheSizes()
        {
            // 15 + 5 = 20 bytes for the first section, 17 + 5 = 22 for the second: 42 in all.
            string error = null;
            try
            {
                MessageBatch.Create(TwoMessages(), 41);
            }
            catch (ArgumentException e)
            {
                error = e.Message;
            }
            Assert.IsNotNull(error, "no error for a batch over the limit");
            Assert.Contains("first 2 of 2 messages encode to 42 bytes", error);
            Assert.Contains("at most 41", error);
            Assert.AreEqual(2, ((ArrayList)MessageBatch.Create(TwoMessages(), 42).Body).Count);
        }

        [TestMethod]
        public void Create_MessageLargerThanScratchBuffer_GrowsTheBuffer()
        {
            var big = new Message(new byte[1000]);
            Message outer = MessageBatch.Create(new Message[] { big }, 4096);
            byte[] inner = (byte[])((ArrayList)outer.Body)[0];
            Assert.AreEqual(3 + 5 + 1000, inner.Length);
        }
    }
}
