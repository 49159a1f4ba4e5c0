// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
using System;
using System.Collections;
using IotHubAmqp.Device.Messaging;
using IotHubAmqp.Device.Twin;
using nanoFramework.TestFramework;

namespace IotHubAmqp.Device.Tests.Twin
{
    [TestClass]
    public class MethodChannelTests
    {
        private const string Address = "/devices/dev1/methods/devicebound";
        private static readonly Symbol ChannelId = new Symbol("com.microsoft:channel-correlation-id");

        private static Message Request(Guid id, string name, string json)
        {
            var m = new Message(TwinWire.Utf8Bytes(json));
            m.Properties = new MessageProperties { CorrelationId = id };
            m.ApplicationProperties = new AmqpMap();
            m.ApplicationProperties["IoThub-methodname"] = name;
            return m;
        }

        private static CoreHarness Opened(out DeviceTwinClient client)
        {
            var h = new CoreHarness();
            client = new DeviceTwinClient(h, true, false);
            h.Open();
            return h;
        }

        private static Message OnlyResponse(CoreHarness h, int index = 0)
        {
            ArrayList sent = h.SentTo(Address);
            Assert.IsTrue(sent.Count > index, "responses sent: " + sent.Count);
            return (Message)sent[index];
        }

        [TestMethod]
        public void Open_AttachesRequestAndResponseLinksWithChannelProperties()
        {
            CoreHarness h = Opened(out _);
            PeerLink rx = h.Link(Address, false);
            PeerLink tx = h.Link(Address, true);
            Assert.IsNotNull(rx, "request receiver");
            Assert.IsNotNull(tx, "response sender");
            Assert.AreEqual("methods:dev1", rx.Attach.Properties[ChannelId]);
            Assert.AreEqual("methods:dev1", tx.Attach.Properties[ChannelId]);
            Assert.AreEqual("2020-09-30", rx.Attach.Properties[new Symbol("com.microsoft:api-version")]);
        }

        [TestMethod]
        public void Call_WithHandler_ResponseHasRequestIdStatusAndPayload()
        {
            CoreHarness h = Opened(out DeviceTwinClient client);
            string seenName = null;
            client.AddMethodCallback("reboot", (name, payload) =>
            {
                seenName = name;
                return new MethodResponse(202, "{\"got\":" + payload + "}");
            });
            Guid id = Guid.NewGuid();
            h.SendToClient(Address, Request(id, "reboot", "{\"delay\":5}"));
            Assert.AreEqual(0, h.SentTo(Address).Count, "nothing answered before the handler ran");
            Assert.AreEqual(1, h.RunNotices());
            Message r = OnlyResponse(h);
            Assert.AreEqual("reboot", seenName);
            Assert.AreEqual(id, r.Properties.CorrelationId);
            Assert.AreEqual(202, r.ApplicationProperties["IoThub-status"]);
            Assert.AreEqual("{\"got\":{\"delay\":5}}", TwinWire.BodyText(r));
        }

        [TestMethod]
        public void Call_NoHandler_Answers501()
        {
            CoreHarness h = Opened(out _);
            h.SendToClient(Address, Request(Guid.NewGuid(), "unknown", "{}"));
            h.RunNotices();
            Message r = OnlyResponse(h);
            Assert.AreEqual(501, r.ApplicationProperties["IoThub-status"]);
            Assert.IsTrue(TwinWire.BodyText(r).IndexOf("unknown") >= 0, TwinWire.BodyText(r));
        }

        [TestMethod]
        public void Call_DefaultHandler_TakesUnregisteredNames()
        {
            CoreHarness h = Opened(out DeviceTwinClient client);
            client.DefaultMethodCallback = (name, payload) => new MethodResponse(200, "\"" + name + "\"");
            h.SendToClient(Address, Request(Guid.NewGuid(), "any", "null"));
            h.RunNotices();
            Assert.AreEqual("\"any\"", TwinWire.BodyText(OnlyResponse(h)));
        }

        [TestMethod]
        public void Call_HandlerThrows_Answers500AndKeepsServing()
        {
            CoreHarness h = Opened(out DeviceTwinClient client);
            client.AddMethodCallback("bad", (n, p) => throw new InvalidOperationException("boom"));
            client.AddMethodCallback("good", (n, p) => new MethodResponse(200, "1"));
            h.SendToClient(Address, Request(Guid.NewGuid(), "bad", "{}"));
            h.RunNotices();
            h.SendToClient(Address, Request(Guid.NewGuid(), "good", "{}"));
            h.RunNotices();
            Assert.AreEqual(500, OnlyResponse(h, 0).ApplicationProperties["IoThub-status"]);
            Assert.AreEqual(200, OnlyResponse(h, 1).ApplicationProperties["IoThub-status"]);
            Assert.IsTrue(h.Core.IsConnected);
        }

        [TestMethod]
        public void Call_HandlerReturnsNonJson_Answers500()
        {
            CoreHarness h = Opened(out DeviceTwinClient client);
            client.AddMethodCallback("m", (n, p) => new MethodResponse(200, "not json"));
            h.SendToClient(Address, Request(Guid.NewGuid(), "m", "{}"));
            h.RunNotices();
            Assert.AreEqual(500, OnlyResponse(h).ApplicationProperties["IoThub-status"]);
        }

        [TestMethod]
        public void Calls_BeyondMaxInFlight_WaitUntilHandlersReturn()
        {
            CoreHarness h = Opened(out DeviceTwinClient client);
            client.AddMethodCallback("m", (n, p) => new MethodResponse(200, p));
            for (int i = 0; i < MethodChannel.MaxInFlight + 2; i++) h.SendToClient(Address, Request(Guid.NewGuid(), "m", i.ToString()));
            Assert.AreEqual(MethodChannel.MaxInFlight, h.PendingNotices, "handlers queued at once");
            h.RunNotices();
            Assert.AreEqual(MethodChannel.MaxInFlight + 2, h.SentTo(Address).Count, "every call answered once handlers returned");
        }

        [TestMethod]
        public void RemoveMethodCallback_LaterCallsGet501()
        {
            CoreHarness h = Opened(out DeviceTwinClient client);
            client.AddMethodCallback("m", (n, p) => new MethodResponse(200, "1"));
            client.RemoveMethodCallback("m");
            h.SendToClient(Address, Request(Guid.NewGuid(), "m", "{}"));
            h.RunNotices();
            Assert.AreEqual(501, OnlyResponse(h).ApplicationProperties["IoThub-status"]);
        }

        [TestMethod]
        public void Reconnect_MethodLinksAttachedAgainAndServe()
        {
            CoreHarness h = Opened(out DeviceTwinClient client);
            client.AddMethodCallback("m", (n, p) => new MethodResponse(200, "2"));
            h.Reconnect();
            Assert.IsTrue(h.Core.IsConnected, "reconnected");
            Assert.IsNotNull(h.Link(Address, false), "request link on the new connection");
            h.SendToClient(Address, Request(Guid.NewGuid(), "m", "{}"));
            h.RunNotices();
            Assert.AreEqual(1, h.SentTo(Address).Count);
        }

        [TestMethod]
        public void Answer_ToRequestOfOldConnection_Dropped()
        {
            CoreHarness h = Opened(out DeviceTwinClient client);
            client.AddMethodCallback("m", (n, p) => new MethodResponse(200, "3"));
            h.SendToClient(Address, Request(Guid.NewGuid(), "m", "{}"));
            h.Reconnect();
            h.RunNotices();
            Assert.AreEqual(0, h.SentTo(Address).Count, "the hub already failed that call");
            Assert.AreEqual(0, client.MethodPart.InFlight);
        }

        [TestMethod]
        public void Module_LinksOnModuleAddressesAndAudience()
        {
            var h = new CoreHarness("HostName=hub.example.net;DeviceId=dev1;ModuleId=m1;SharedAccessKey=AAAAAAAAAAAAAAAAAAAAAA==");
            new DeviceTwinClient(h, true, true);
            h.Open();
            PeerLink methods = h.Link("/devices/dev1/modules/m1/methods/devicebound", false);
            Assert.IsNotNull(methods, "module methods link");
            Assert.AreEqual("methods:dev1/m1", methods.Attach.Properties[ChannelId]);
            Assert.IsNotNull(h.Link("/devices/dev1/modules/m1/twin", true), "module twin link");
            Assert.IsNotNull(h.Link("/devices/dev1/modules/m1/messages/events", true), "module telemetry link");
            var putToken = (Message)h.CbsRequests[0];
            Assert.AreEqual("hub.example.net/devices/dev1/modules/m1", putToken.ApplicationProperties["name"], "module audience");
        }

        [TestMethod]
        public void Request_OverSizeLimit_RefusedAndNextServedWithoutReconnecting()
        {
            CoreHarness h = Opened(out DeviceTwinClient client);
            client.AddMethodCallback("m", (n, p) => new MethodResponse(200, "1"));
            var c = new char[MethodChannel.MaxRequestBytes];
            for (int i = 0; i < c.Length; i++) c[i] = '1';
            h.SendToClient(Address, Request(Guid.NewGuid(), "m", new string(c)));
            Assert.AreEqual(0, h.PendingNotices, "no handler for an oversized request");
            Assert.IsTrue(h.Core.IsConnected);
            Assert.AreEqual(0, h.Core.Reconnects);
            h.SendToClient(Address, Request(Guid.NewGuid(), "m", "{}"));
            h.RunNotices();
            Assert.AreEqual(1, h.SentTo(Address).Count);
        }

        private static MethodResponse Reboot(string name, string payload) => new MethodResponse(200, "\"rebooting\"");

        [TestMethod]
        public void AddMethodCallback_ByDelegate_RegistersUnderItsMethodName()
        {
            CoreHarness h = Opened(out DeviceTwinClient client);
            client.AddMethodCallback(Reboot);
            h.SendToClient(Address, Request(Guid.NewGuid(), "Reboot", "{}"));
            h.RunNotices();
            Assert.AreEqual(200, OnlyResponse(h).ApplicationProperties["IoThub-status"]);
            client.RemoveMethodCallback(Reboot);
            h.SendToClient(Address, Request(Guid.NewGuid(), "Reboot", "{}"));
            h.RunNotices();
            Assert.AreEqual(501, OnlyResponse(h, 1).ApplicationProperties["IoThub-status"]);
        }
    }
}
