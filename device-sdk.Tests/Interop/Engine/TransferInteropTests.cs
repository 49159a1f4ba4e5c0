// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
using IotHubAmqp.Device.Engine;
using IotHubAmqp.Device.Framing;
using IotHubAmqp.Device.InteropTests.TestSupport;
using IotHubAmqp.Device.Messaging;
using DeviceMessage = IotHubAmqp.Device.Messaging.Message;
using LiteMessage = Amqp.Message;
using LiteSymbol = Amqp.Types.Symbol;

namespace IotHubAmqp.Device.InteropTests.Engine
{
    /// <summary>Messages both ways between the engine and AMQP.Net Lite: sizes, frame sizes, every field, credit.</summary>
    public class TransferInteropTests
    {
        private const int T = DeviceConnector.Timeout;

        public static IEnumerable<object[]> SizesAndFrames()
        {
            foreach (int size in new[] { 0, 1024, 64 * 1024, 300 * 1024 })
                foreach (uint frame in new uint[] { 512, 4096, 64 * 1024 })
                    yield return new object[] { size, frame };
        }

        [Theory]
        [MemberData(nameof(SizesAndFrames))]
        public void Message_OfEachSize_CrossesBothWaysAtEachFrameSize(int size, uint maxFrameSize)
        {
            // The broker announces the same max-frame-size, so both directions split at it.
            using var broker = new LiteBroker("none", maxFrameSize: maxFrameSize);
            using EngineRunner c = DeviceConnector.Open(broker.Port, null, maxFrameSize);
            Session s = c.BeginSession();
            byte[] body = Pattern(size);

            SenderLink sender = c.AttachSender(s, "snd", "in");
            Assert.IsType<Accepted>(c.Send(sender, new DeviceMessage(body), T));
            Assert.True(broker.ReceivedOn("in").TryTake(out LiteMessage got, T));
            Assert.Equal(body, (byte[])got.Body);

            ReceiverLink receiver = c.AttachReceiver(s, "rcv", "out", 2, 512 * 1024);
            broker.Enqueue("out", new LiteMessage { BodySection = new Amqp.Framing.Data { Binary = body } });
            IncomingDelivery d = c.Receive(receiver, T);
            Assert.NotNull(d);
            Assert.Equal(body, d.Message.GetBytes());
            c.Accept(d);
            Assert.True(broker.Dispositions.TryTake(out var disposition, T));
            Assert.IsType<Amqp.Framing.Accepted>(disposition.State);
        }

        [Fact]
        public void Message_WithEveryPropertyAndAnnotationType_RoundTripsThroughTheBroker()
        {
            using var broker = new LiteBroker("none");
            using EngineRunner c = DeviceConnector.Open(broker.Port, null);
            Session s = c.BeginSession();
            DeviceMessage sent = FullMessage();

            SenderLink sender = c.AttachSender(s, "snd", "in");
            Assert.IsType<Accepted>(c.Send(sender, sent, T));
            Assert.True(broker.ReceivedOn("in").TryTake(out LiteMessage got, T));

            // What an independent implementation decoded from our bytes.
            Assert.True(got.Header.Durable);
            Assert.Equal(7, got.Header.Priority);
            Assert.Equal(60000u, got.Header.Ttl);
            Assert.True(got.Header.FirstAcquirer);
            Assert.Equal(3u, got.Header.DeliveryCount);
            Assert.Equal("d", got.DeliveryAnnotations[new LiteSymbol("x-opt-delivery")]);
            Assert.Equal(42L, got.MessageAnnotations[new LiteSymbol("x-opt-sequence-number")]);
            Assert.Equal(Stamp, got.MessageAnnotations[new LiteSymbol("iothub-enqueuedtime")]);
            Assert.Equal("m-1", got.Properties.MessageId);
            Assert.Equal(new byte[] { 0xAB }, got.Properties.UserId);
            Assert.Equal("/devices/d1/messages/events", got.Properties.To);
            Assert.Equal("subject", got.Properties.Subject);
            Assert.Equal("reply", got.Properties.ReplyTo);
            Assert.Equal((object)Id, got.Properties.GetCorrelationId());
            Assert.Equal("application/json", (string)got.Properties.ContentType);
            Assert.Equal("utf-8", (string)got.Properties.ContentEncoding);
            Assert.Equal(Stamp.AddHours(1), got.Properties.AbsoluteExpiryTime);
            Assert.Equal(Stamp, got.Properties.CreationTime);
            Assert.Equal("group", got.Properties.GroupId);
            Assert.Equal(9u, got.Properties.GroupSequence);
            Assert.Equal("reply-group", got.Properties.ReplyToGroupId);
            var expected = AppValues();
            foreach (var key in expected.Keys)
                Assert.Equal(expected[key], got.ApplicationProperties[key]);
            Assert.Equal(new byte[] { 1, 2, 3 }, (byte[])got.Body);

            // And the same message back from the broker to our receiver.
            ReceiverLink receiver = c.AttachReceiver(s, "rcv", "out", 1);
            broker.Enqueue("out", got);
            IncomingDelivery d = c.Receive(receiver, T);
            Assert.NotNull(d);
            AssertSameMessage(sent, d.Message);
            c.Accept(d);
        }

        [Fact]
        public void Receiver_WithCreditOne_GetsHundredMessagesInOrder()
        {
            using var broker = new LiteBroker("none");
            using EngineRunner c = DeviceConnector.Open(broker.Port, null);
            ReceiverLink receiver = c.AttachReceiver(c.BeginSession(), "rcv", "out", 1, 4096);
            for (int i = 0; i < 100; i++)
                broker.Enqueue("out", new LiteMessage { BodySection = new Amqp.Framing.Data { Binary = BitConverter.GetBytes(i) } });
            for (int i = 0; i < 100; i++)
            {
                IncomingDelivery d = c.Receive(receiver, T);
                Assert.NotNull(d);
                Assert.Equal(i, BitConverter.ToInt32(d.Message.GetBytes()));
                Assert.True(c.Queued(receiver) <= 1, "prefetch must stay within the credit");
                c.Accept(d);
            }
            for (int i = 0; i < 100; i++)
            {
                Assert.True(broker.Dispositions.TryTake(out var disposition, T));
                Assert.IsType<Amqp.Framing.Accepted>(disposition.State);
            }
        }

        [Fact]
        public void Sender_WithPeerCreditOne_SendsHundredMessages()
        {
            using var broker = new LiteBroker("none", initialCredit: 1);
            using EngineRunner c = DeviceConnector.Open(broker.Port, null);
            SenderLink sender = c.AttachSender(c.BeginSession(), "snd", "in");
            for (int i = 0; i < 100; i++)
                Assert.IsType<Accepted>(c.Send(sender, new DeviceMessage(BitConverter.GetBytes(i)), T));
            var received = broker.ReceivedOn("in");
            for (int i = 0; i < 100; i++)
            {
                Assert.True(received.TryTake(out LiteMessage m, T));
                Assert.Equal(i, BitConverter.ToInt32((byte[])m.Body));
            }
        }

        [Fact]
        public void Settle_Twice_IsAClearError()
        {
            using var broker = new LiteBroker("none");
            using EngineRunner c = DeviceConnector.Open(broker.Port, null);
            ReceiverLink receiver = c.AttachReceiver(c.BeginSession(), "rcv", "out", 1, 4096);
            broker.Enqueue("out", new LiteMessage { BodySection = new Amqp.Framing.Data { Binary = new byte[] { 1 } } });
            IncomingDelivery d = c.Receive(receiver, T);
            c.Reject(d, new Error { Condition = "app:bad", Description = "no" });
            var e = Assert.Throws<AmqpException>(() => c.Accept(d));
            Assert.Contains("already settled", e.Description);
            Assert.True(broker.Dispositions.TryTake(out var disposition, T));
            var rejected = Assert.IsType<Amqp.Framing.Rejected>(disposition.State);
            Assert.Equal("app:bad", (string)rejected.Error.Condition);
        }

        private static readonly DateTime Stamp = new DateTime(2026, 11, 27, 10, 30, 15, 123, DateTimeKind.Utc);
        private static readonly Guid Id = new Guid("0f8fad5b-d9cb-469f-a165-70867728950e");

        private static Dictionary<string, object> AppValues() => new()
        {
            ["bool"] = true,
            ["ubyte"] = (byte)200,
            ["ushort"] = (ushort)60000,
            ["uint"] = 4000000000u,
            ["ulong"] = 18000000000000000000ul,
            ["byte"] = (sbyte)-100,
            ["short"] = (short)-30000,
            ["int"] = -2000000000,
            ["long"] = -9000000000000000000L,
            ["float"] = 1.5f,
            ["double"] = -2.25,
            ["char"] = 'é',
            ["timestamp"] = Stamp,
            ["uuid"] = Id,
            ["string"] = "température 😀",
            ["binary"] = new byte[] { 0, 255 },
        };

        internal static DeviceMessage FullMessage()
        {
            var m = new DeviceMessage(new byte[] { 1, 2, 3 });
            m.Header = new MessageHeader { Durable = true, Priority = 7, Ttl = 60000, FirstAcquirer = true, DeliveryCount = 3 };
            m.DeliveryAnnotations = new AmqpMap();
            m.DeliveryAnnotations[new Symbol("x-opt-delivery")] = "d";
            m.MessageAnnotations = new AmqpMap();
            m.MessageAnnotations[new Symbol("x-opt-sequence-number")] = 42L;
            m.MessageAnnotations[new Symbol("iothub-enqueuedtime")] = Stamp;
            m.Properties = new MessageProperties
            {
                MessageId = "m-1",
                UserId = new byte[] { 0xAB },
                To = "/devices/d1/messages/events",
                Subject = "subject",
                ReplyTo = "reply",
                CorrelationId = Id,
                ContentType = "application/json",
                ContentEncoding = "utf-8",
                AbsoluteExpiryTime = Stamp.AddHours(1),
                CreationTime = Stamp,
                GroupId = "group",
                GroupSequence = 9,
                HasGroupSequence = true,
                ReplyToGroupId = "reply-group",
            };
            m.ApplicationProperties = new AmqpMap();
            foreach (var kv in AppValues()) m.ApplicationProperties[kv.Key] = DeviceValue(kv.Value);
            // No footer: a footer takes the engine's whole-message path, see SectionInteropTests.
            return m;
        }

        // The device carries a char as its encoding (AMQP 1.0 1.6.16: UTF-32, big-endian), not as a char.
        private static object DeviceValue(object v) =>
            v is char c ? new EncodedValue(new byte[] { 0x73, 0, 0, (byte)(c >> 8), (byte)c }) : v;

        private static void AssertSameMessage(DeviceMessage a, DeviceMessage b)
        {
            Assert.Equal(a.Header.Durable, b.Header.Durable);
            Assert.Equal(a.Header.Priority, b.Header.Priority);
            Assert.Equal(a.Header.Ttl, b.Header.Ttl);
            Assert.Equal(a.Header.FirstAcquirer, b.Header.FirstAcquirer);
            Assert.Equal(a.Header.DeliveryCount, b.Header.DeliveryCount);
            Assert.Equal(a.DeliveryAnnotations, b.DeliveryAnnotations);
            Assert.Equal(a.MessageAnnotations, b.MessageAnnotations);
            var p = a.Properties;
            var q = b.Properties;
            Assert.Equal(p.MessageId, q.MessageId);
            Assert.Equal(p.UserId, q.UserId);
            Assert.Equal(p.To, q.To);
            Assert.Equal(p.Subject, q.Subject);
            Assert.Equal(p.ReplyTo, q.ReplyTo);
            Assert.Equal(p.CorrelationId, q.CorrelationId);
            Assert.Equal(p.ContentType, q.ContentType);
            Assert.Equal(p.ContentEncoding, q.ContentEncoding);
            Assert.Equal(p.AbsoluteExpiryTime, q.AbsoluteExpiryTime);
            Assert.Equal(p.CreationTime, q.CreationTime);
            Assert.Equal(p.GroupId, q.GroupId);
            Assert.Equal(p.GroupSequence, q.GroupSequence);
            Assert.Equal(p.ReplyToGroupId, q.ReplyToGroupId);
            Assert.Equal(a.ApplicationProperties.Count, b.ApplicationProperties.Count);
            foreach (var kv in AppValues())
            {
                object got = b.ApplicationProperties[kv.Key];
                if (kv.Value is byte[] bytes) Assert.Equal(bytes, (byte[])got);
                else Assert.Equal(DeviceValue(kv.Value), got);
            }
            Assert.Equal(a.Footer, b.Footer);
            Assert.Equal(a.GetBytes(), b.GetBytes());
        }

        internal static byte[] Pattern(int size)
        {
            var b = new byte[size];
            for (int i = 0; i < size; i++) b[i] = (byte)(i * 31 + 7);
            return b;
        }
    }
}
