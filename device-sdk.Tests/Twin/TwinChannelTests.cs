// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
using System;
using System.Collections;
using IotHubAmqp.Device.IotHub;
using IotHubAmqp.Device.Messaging;
using IotHubAmqp.Device.Twin;
using nanoFramework.TestFramework;

namespace IotHubAmqp.Device.Tests.Twin
{
    [TestClass]
    public class TwinChannelTests
    {
        private const string Address = "/devices/dev1/twin";
        private static readonly Symbol Operation = new Symbol("operation");
        private static readonly Symbol Resource = new Symbol("resource");

        private static CoreHarness Opened(out DeviceTwinClient client, ArrayList updates = null)
        {
            var h = new CoreHarness();
            client = new DeviceTwinClient(h, false, true);
            if (updates != null) client.TwinUpdated += (sender, desired) => updates.Add(desired);
            h.Open();
            return h;
        }

        // The n-th message the client sent with this operation, across connections.
        private static Message Sent(CoreHarness h, string operation, int nth = 0)
        {
            ArrayList sent = h.SentTo(Address);
            for (int i = 0; i < sent.Count; i++)
            {
                var m = (Message)sent[i];
                if ((string)m.MessageAnnotations[Operation] == operation && nth-- == 0) return m;
            }
            throw new TestFrameworkShared.AssertFailedException("no " + operation + " #" + nth + " among " + sent.Count + " twin messages");
        }

        private static Message Reply(object correlation, int status, string body, long version = -1)
        {
            var m = body == null ? new Message() : new Message(TwinWire.Utf8Bytes(body));
            m.Properties = new MessageProperties { CorrelationId = correlation };
            m.MessageAnnotations = new AmqpMap();
            m.MessageAnnotations[new Symbol("status")] = status;
            if (version >= 0) m.MessageAnnotations[new Symbol("version")] = version;
            return m;
        }

        private static Message Notification(string body)
        {
            var m = new Message(TwinWire.Utf8Bytes(body));
            m.MessageAnnotations = new AmqpMap();
            m.MessageAnnotations[new Symbol("version")] = 1L;
            return m;
        }

        private static ClientRequest Request(CoreHarness h, DeviceTwinClient c, int op, string payload = null)
        {
            var r = new ClientRequest();
            r.Reset(RequestKind.Feature, h.Now + 5000);
            r.Feature = c.TwinPart;
            r.Operation = op;
            r.Payload = payload == null ? null : TwinWire.Utf8Bytes(payload); // a patch is sent as its UTF-8
            h.CallFeature(r, 0, null);
            return r;
        }

        // A GET's reply is the document's UTF-8.
        private static string Text(object reply) => IotHubAmqp.Device.Types.Utf8.Decode((byte[])reply, 0, ((byte[])reply).Length);

        private static string Twin(long desiredVersion) => "{\"desired\":{\"interval\":10,\"$version\":" + desiredVersion + "},\"reported\":{\"$version\":3}}";

        [TestMethod]
        public void Open_AttachesPairThenSubscribesAndReads()
        {
            CoreHarness h = Opened(out _);
            Assert.IsNotNull(h.Link(Address, true), "twin sender");
            PeerLink rx = h.Link(Address, false);
            Assert.IsNotNull(rx, "twin receiver");
            Assert.AreEqual("twin:dev1", rx.Attach.Properties[new Symbol("com.microsoft:channel-correlation-id")]);
            ArrayList sent = h.SentTo(Address);
            Assert.AreEqual(2, sent.Count);
            Assert.AreEqual("PUT", ((Message)sent[0]).MessageAnnotations[Operation], "subscribe first");
            Assert.AreEqual("/notifications/twin/properties/desired", ((Message)sent[0]).MessageAnnotations[Resource]);
            Assert.AreEqual("GET", ((Message)sent[1]).MessageAnnotations[Operation], "then read");
        }

        [TestMethod]
        public void Get_Reply200_CompletesWithTheDocument()
        {
            CoreHarness h = Opened(out DeviceTwinClient c);
            ClientRequest r = Request(h, c, TwinChannel.OpGet);
            Message get = Sent(h, "GET", 1);
            Assert.AreNotEqual(Sent(h, "GET", 0).Properties.CorrelationId, get.Properties.CorrelationId, "each request its own id");
            Assert.IsFalse(r.IsCompleted);
            h.SendToClient(Address, Reply(get.Properties.CorrelationId, 200, Twin(4)));
            Assert.IsTrue(r.IsCompleted);
            Assert.IsNull(r.Error);
            Assert.AreEqual(Twin(4), Text(r.Reply));
        }

        [TestMethod]
        public void Patch_Reply204_ReturnsNewVersion()
        {
            CoreHarness h = Opened(out DeviceTwinClient c);
            ClientRequest r = Request(h, c, TwinChannel.OpPatch, "{\"temp\":21}");
            Message patch = Sent(h, "PATCH");
            Assert.AreEqual("/properties/reported", patch.MessageAnnotations[Resource]);
            Assert.AreEqual("{\"temp\":21}", TwinWire.BodyText(patch));
            h.SendToClient(Address, Reply(patch.Properties.CorrelationId, 204, null, 9));
            Assert.IsTrue(r.IsCompleted);
            Assert.AreEqual(9L, r.Reply);
        }

        [TestMethod]
        public void Patch_Reply429_FailsWithHubStatus()
        {
            CoreHarness h = Opened(out DeviceTwinClient c);
            ClientRequest r = Request(h, c, TwinChannel.OpPatch, "{}");
            h.SendToClient(Address, Reply(Sent(h, "PATCH").Properties.CorrelationId, 429, "{\"errorCode\":429001}"));
            var e = r.Error as IotHubStatusException;
            Assert.IsNotNull(e, "error " + r.Error);
            Assert.AreEqual(429, e.Status);
            Assert.IsTrue(e.IsTransient);
            Assert.IsTrue(e.Message.IndexOf("429001") >= 0, e.Message);
        }

        [TestMethod]
        public void Get_NoReply_TimesOutAndStaysConnected()
        {
            CoreHarness h = Opened(out DeviceTwinClient c);
            ClientRequest r = Request(h, c, TwinChannel.OpGet);
            h.Advance(5001);
            Assert.IsTrue(r.IsCompleted);
            var e = r.Error as AmqpException;
            Assert.IsNotNull(e, "error " + r.Error);
            Assert.AreEqual(ErrorCode.Timeout, e.Condition);
            Assert.IsTrue(h.Core.IsConnected);
        }

        [TestMethod]
        public void Get_CutBeforeReply_SentAgainOnNextConnection()
        {
            CoreHarness h = Opened(out DeviceTwinClient c);
            ClientRequest r = Request(h, c, TwinChannel.OpGet);
            h.Reconnect();
            Assert.IsFalse(r.IsCompleted);
            // New connection: PUT, resync GET, then the application's GET again.
            Message again = Sent(h, "GET", 3);
            h.SendToClient(Address, Reply(again.Properties.CorrelationId, 200, Twin(1)));
            Assert.IsTrue(r.IsCompleted);
            Assert.AreEqual(Twin(1), Text(r.Reply));
        }

        [TestMethod]
        public void Notification_RaisesTwinUpdatedWithVersion()
        {
            var updates = new ArrayList();
            CoreHarness h = Opened(out _, updates);
            h.SendToClient(Address, Notification("{\"interval\":30,\"$version\":5}"));
            h.RunNotices();
            Assert.AreEqual(1, updates.Count);
            var d = (TwinCollection)updates[0];
            Assert.AreEqual(5L, d.Version);
            Assert.AreEqual(30L, d["interval"]);
        }

        [TestMethod]
        public void Notification_StaleOrRepeated_Dropped()
        {
            var updates = new ArrayList();
            CoreHarness h = Opened(out _, updates);
            h.SendToClient(Address, Notification("{\"a\":1,\"$version\":5}"));
            h.SendToClient(Address, Notification("{\"a\":1,\"$version\":5}"));
            h.SendToClient(Address, Notification("{\"a\":0,\"$version\":4}"));
            h.RunNotices();
            Assert.AreEqual(1, updates.Count);
        }

        [TestMethod]
        public void Notification_Malformed_IgnoredAndStaysConnected()
        {
            var updates = new ArrayList();
            CoreHarness h = Opened(out _, updates);
            h.SendToClient(Address, Notification("{\"a\":"));
            h.SendToClient(Address, Notification("{\"a\":2,\"$version\":2}"));
            h.RunNotices();
            Assert.AreEqual(1, updates.Count);
            Assert.IsTrue(h.Core.IsConnected);
        }

        [TestMethod]
        public void FirstResync_SetsBaselineWithoutEvent()
        {
            var updates = new ArrayList();
            CoreHarness h = Opened(out DeviceTwinClient c, updates);
            h.SendToClient(Address, Reply(Sent(h, "GET").Properties.CorrelationId, 200, Twin(6)));
            h.RunNotices();
            Assert.AreEqual(0, updates.Count);
            Assert.AreEqual(6L, c.TwinPart.DesiredVersion);
            // A notification at or below the GET's version is old news (iothub-amqp-wire-2.md 2.5).
            h.SendToClient(Address, Notification("{\"interval\":10,\"$version\":6}"));
            h.RunNotices();
            Assert.AreEqual(0, updates.Count);
        }

        [TestMethod]
        public void Reconnect_ResubscribesAndRaisesChangeMadeWhileAway()
        {
            var updates = new ArrayList();
            CoreHarness h = Opened(out DeviceTwinClient c, updates);
            h.SendToClient(Address, Reply(Sent(h, "GET").Properties.CorrelationId, 200, Twin(6)));
            h.Reconnect();
            Assert.IsNotNull(Sent(h, "PUT", 1), "subscribed again");
            h.SendToClient(Address, Reply(Sent(h, "GET", 1).Properties.CorrelationId, 200, Twin(8)));
            h.RunNotices();
            Assert.AreEqual(1, updates.Count, "the change made while away");
            Assert.AreEqual(8L, ((TwinCollection)updates[0]).Version);
            Assert.AreEqual(10L, ((TwinCollection)updates[0])["interval"]);
        }

        [TestMethod]
        public void Reconnect_NoChangeWhileAway_NoEvent()
        {
            var updates = new ArrayList();
            CoreHarness h = Opened(out _, updates);
            h.SendToClient(Address, Reply(Sent(h, "GET").Properties.CorrelationId, 200, Twin(6)));
            h.Reconnect();
            h.SendToClient(Address, Reply(Sent(h, "GET", 1).Properties.CorrelationId, 200, Twin(6)));
            h.RunNotices();
            Assert.AreEqual(0, updates.Count);
        }

        [TestMethod]
        public void Pending_OverLimit_RefusedAtOnce()
        {
            CoreHarness h = Opened(out DeviceTwinClient c);
            for (int i = 0; i < TwinChannel.MaxPending; i++) Request(h, c, TwinChannel.OpGet);
            ClientRequest extra = Request(h, c, TwinChannel.OpGet);
            Assert.IsTrue(extra.IsCompleted);
            Assert.IsInstanceOfType(extra.Error, typeof(InvalidOperationException));
        }

        private static string Big(int chars)
        {
            var c = new char[chars];
            for (int i = 0; i < c.Length; i++) c[i] = 'x';
            return "{\"big\":\"" + new string(c) + "\",\"$version\":9}";
        }

        [TestMethod]
        public void Oversized_Reply_FailsTheOperationWithoutReconnecting()
        {
            CoreHarness h = Opened(out DeviceTwinClient c);
            int reconnects = h.Core.Reconnects;
            ClientRequest r = Request(h, c, TwinChannel.OpGet);
            h.SendToClient(Address, Reply(Sent(h, "GET", 1).Properties.CorrelationId, 200, Big(TwinChannel.MaxReplyBytes)));
            Assert.IsTrue(r.IsCompleted, "the GET ended");
            var e = r.Error as AmqpException;
            Assert.IsNotNull(e, "error " + r.Error);
            Assert.AreEqual(ErrorCode.MessageSizeExceeded, e.Condition);
            Assert.IsTrue(h.Core.IsConnected);
            Assert.AreEqual(reconnects, h.Core.Reconnects, "no reconnect");
            // A new pair serves the next operation.
            ClientRequest next = Request(h, c, TwinChannel.OpPatch, "{}");
            h.SendToClient(Address, Reply(Sent(h, "PATCH").Properties.CorrelationId, 204, null, 2));
            Assert.AreEqual(2L, next.Reply);
        }

        [TestMethod]
        public void LargeNotification_UnderLimit_Delivered()
        {
            var updates = new ArrayList();
            CoreHarness h = Opened(out _, updates);
            h.SendToClient(Address, Notification(Big(20000)));
            h.RunNotices();
            Assert.AreEqual(1, updates.Count);
            Assert.AreEqual(9L, ((TwinCollection)updates[0]).Version);
        }
    }
}
