// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
using System;
using IotHubAmqp.Device.Feedback;
using IotHubAmqp.Device.Framing;
using IotHubAmqp.Device.IotHub;
using IotHubAmqp.Device.Messaging;
using IotHubAmqp.Device.Tests.Twin;
using nanoFramework.TestFramework;

namespace IotHubAmqp.Device.Tests.Feedback
{
    /// <summary>The optional feedback sender on a real ClientCore against the scripted hub (Twin/CoreHarness).</summary>
    [TestClass]
    public class FeedbackSenderTests
    {
        private const string Address = "/messages/serviceBound/feedback";

        private static CoreHarness Opened(out FeedbackSender f)
        {
            var h = new CoreHarness();
            f = new FeedbackSender();
            h.AddFeature(f);
            h.Open();
            return h;
        }

        // What DeviceFeedback.SendFeedback submits (through DeviceClient.SendVia).
        private static ClientRequest Send(CoreHarness h, ClientFeature f, RequestKind kind = RequestKind.FeatureSend)
        {
            var r = new ClientRequest();
            r.Reset(kind, h.Now + h.Options.OperationTimeoutMs);
            r.Message = new Message(new byte[] { 7 });
            r.MessageId = "m1";
            if (kind == RequestKind.FeatureSend) r.Feature = f;
            h.Core.Submit(r, h.Now);
            h.Pump();
            return r;
        }

        private static int FeedbackLinks(CoreHarness h)
        {
            int n = 0;
            for (int i = 0; i < h.Links.Count; i++) if (((PeerLink)h.Links[i]).Address == Address) n++;
            return n;
        }

        [TestMethod]
        public void FirstSend_AttachesTheFeedbackLink_LaterSendsReuseIt()
        {
            CoreHarness h = Opened(out FeedbackSender f);
            Assert.AreEqual(0, FeedbackLinks(h), "no feedback link before the first send");
            Send(h, f);
            PeerLink l = h.Link(Address, true);
            Assert.IsNotNull(l, "a sender attached to " + Address);
            Assert.IsTrue(l.Attach.Name.StartsWith("feedback-dev1-"), l.Attach.Name);
            Assert.AreEqual("2020-09-30", l.Attach.Properties[new Symbol("com.microsoft:api-version")]);
            Send(h, f);
            Assert.AreEqual(1, FeedbackLinks(h), "one link for both sends");
            Assert.AreEqual(2, h.SentTo(Address).Count, "both sent on the feedback link");
        }

        [TestMethod]
        public void AcceptedSend_ReportsAccepted()
        {
            CoreHarness h = Opened(out FeedbackSender f);
            ClientRequest r = Send(h, f);
            Assert.IsTrue(r.IsCompleted, "completed");
            Assert.IsNull(r.Error);
            Assert.AreEqual((int)SendOutcome.Accepted, (int)r.Result.Outcome);
            Assert.AreEqual("m1", r.Result.MessageId);
        }

        [TestMethod]
        public void HubDetach_FailsTheWaitingSendWithItsError_ConnectionStays()
        {
            CoreHarness h = Opened(out FeedbackSender f);
            h.HoldOutcomes = true;
            ClientRequest r = Send(h, f);
            Assert.IsFalse(r.IsCompleted, "waits for the hub's outcome");
            h.HubDetaches(h.Link(Address, true), new Error("amqp:not-allowed", "feedback is off"));
            Assert.IsTrue(r.IsCompleted, "the waiting send failed");
            var e = r.Error as AmqpException;
            Assert.IsNotNull(e, "an AmqpException");
            Assert.AreEqual("amqp:not-allowed", e.Condition);
            Assert.IsTrue(e.Message.IndexOf("feedback is off") >= 0, e.Message);
            Assert.AreEqual((int)ClientStatus.Connected, (int)h.Core.Status);
            Assert.AreEqual(0, h.Core.Reconnects, "no reconnect");
            h.HoldOutcomes = false;
            ClientRequest t = Send(h, f, RequestKind.Send);
            Assert.IsNull(t.Error);
            Assert.AreEqual((int)SendOutcome.Accepted, (int)t.Result.Outcome, "telemetry still goes");
            ClientRequest again = Send(h, f);
            Assert.AreEqual((int)SendOutcome.Accepted, (int)again.Result.Outcome, "the next feedback send works");
            Assert.AreEqual(2, FeedbackLinks(h), "on a new link");
        }

        [TestMethod]
        public void Send_NotConnected_FailsWithAClearReason()
        {
            var h = new CoreHarness();
            var f = new FeedbackSender();
            h.AddFeature(f);
            ClientRequest before = Send(h, f);
            Assert.IsTrue(before.Error is InvalidOperationException, "before Open");
            Assert.AreEqual("call Open first", before.Error.Message);
            h.Open();
            h.Core.TransportEnded(new AmqpException("amqp:connection:forced", "cut by the test"), h.Now);
            if (h.Core.WantsTransportClosed) h.Core.TransportClosed(h.Now);
            ClientRequest r = Send(h, f);
            Assert.IsTrue(r.IsCompleted, "refused at once");
            Assert.IsTrue(r.Error is InvalidOperationException, "an InvalidOperationException");
            Assert.AreEqual("the client is not connected", r.Error.Message);
            Assert.AreEqual(0, FeedbackLinks(h), "no link attached");
        }

        [TestMethod]
        public void AfterReconnect_TheNextSendAttachesANewLink()
        {
            CoreHarness h = Opened(out FeedbackSender f);
            Send(h, f);
            h.Reconnect();
            Assert.IsNull(h.Link(Address, true), "not attached with the new connection");
            ClientRequest r = Send(h, f);
            Assert.AreEqual((int)SendOutcome.Accepted, (int)r.Result.Outcome);
            Assert.IsNotNull(h.Link(Address, true), "attached again on the new connection");
            Assert.AreEqual(2, FeedbackLinks(h));
        }
    }
}
