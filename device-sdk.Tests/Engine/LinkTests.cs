// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
using IotHubAmqp.Device.Engine;
using IotHubAmqp.Device.Framing;
using IotHubAmqp.Device.Messaging;
using IotHubAmqp.Device.Types;
using nanoFramework.TestFramework;

namespace IotHubAmqp.Device.Tests.Engine
{
    [TestClass]
    public class LinkTests
    {
        [TestMethod]
        public void Register_TwoLinks_GetDistinctHandles()
        {
            EngineHarness h = EngineHarness.Connected();
            Session s = h.BeginSession();
            SenderLink a = s.AttachSender("a", "x", SenderSettleMode.Unsettled, null);
            SenderLink b = s.AttachSender("b", "y", SenderSettleMode.Unsettled, null);
            h.Pump();

            Assert.AreNotEqual(a.Handle, b.Handle);
            Assert.AreEqual(a.Handle, h.Peer.ExpectAttach().Handle);
            Assert.AreEqual(b.Handle, h.Peer.ExpectAttach().Handle);
        }

        [TestMethod]
        public void PeerFlow_PeerHandlesDifferFromOurs_CreditReachesTheRightLink()
        {
            // 2.6.2: each side picks its own handles; frames from the peer name the peer's handle.
            EngineHarness h = EngineHarness.Connected();
            Session s = h.BeginSession();
            SenderLink a = s.AttachSender("a", "x", SenderSettleMode.Unsettled, null);
            SenderLink b = s.AttachSender("b", "y", SenderSettleMode.Unsettled, null);
            h.Pump();
            h.Peer.AnswerAttach(h.Peer.ExpectAttach(), 7);
            h.Peer.AnswerAttach(h.Peer.ExpectAttach(), 3);
            h.Pump();
            Assert.IsTrue(a.IsAttached && b.IsAttached);
            Assert.IsTrue(h.Saw(a, EngineEvent.Attached) && h.Saw(b, EngineEvent.Attached));

            h.Peer.SendLinkFlow(3, 0, 1);
            a.Send(new Message(new byte[] { 2 }), null);
            b.Send(new Message(new byte[] { 1 }), null);
            h.Pump();

            Transfer t = h.Peer.ExpectTransfer();
            Assert.AreEqual(b.Handle, t.Handle, "b got the credit; our transfer names our handle");
            h.Peer.ExpectNothing("a has no credit");
        }

        [TestMethod]
        public void PeerAttach_Always_RecordsPropertiesAndMaxMessageSize()
        {
            EngineHarness h = EngineHarness.Connected();
            Session s = h.BeginSession();
            var props = new AmqpMap();
            props[new Symbol("com.microsoft:client-version")] = "test/1.0";
            SenderLink link = s.AttachSender("a", "x", SenderSettleMode.Unsettled, props);
            h.Pump();
            Attach sent = h.Peer.ExpectAttach();
            Assert.IsNotNull(sent.Properties, "attach properties are sent");
            Assert.AreEqual(1, sent.Properties.Count);

            var answer = new Attach();
            answer.Name = "a";
            answer.Handle = 0;
            answer.Role = Role.Receiver;
            answer.Source = sent.Source;
            answer.Target = sent.Target;
            answer.MaxMessageSize = 262144;
            answer.Properties = new AmqpMap();
            answer.Properties[new Symbol("server")] = "scripted";
            h.Peer.SendFrame(h.Peer.Channel, answer);
            h.Pump();

            Assert.IsTrue(link.IsAttached);
            Assert.AreEqual(262144ul, link.RemoteMaxMessageSize);
            Assert.IsNotNull(link.RemoteProperties);
            Assert.AreEqual(1, link.RemoteProperties.Count);
        }

        [TestMethod]
        public void Attach_PeerSilent_StaysAttachSentWithoutEvent()
        {
            EngineHarness h = EngineHarness.Connected();
            Session s = h.BeginSession();
            SenderLink link = s.AttachSender("a", "x", SenderSettleMode.Unsettled, null);
            h.ClearEvents();
            h.Advance(10000);

            Assert.AreEqual(LinkState.AttachSent, link.State);
            Assert.AreEqual(0, h.Kinds(link));
        }

        [TestMethod]
        public void PeerAttach_UnknownLinkName_ClosesWithNotImplemented()
        {
            EngineHarness h = EngineHarness.Connected();
            Session s = h.BeginSession();
            s.AttachSender("a", "x", SenderSettleMode.Unsettled, null);
            h.Pump();
            Attach sent = h.Peer.ExpectAttach();
            sent.Name = "someone-else";
            h.Peer.AnswerAttach(sent, 0);
            h.Pump();

            Assert.AreEqual(ErrorCode.NotImplemented, h.Connection.Error.Condition);
        }

        [TestMethod]
        public void Close_Attached_SendsClosingDetachAndFailsSends()
        {
            EngineHarness h = EngineHarness.Connected();
            Session s = h.BeginSession();
            SenderLink link = h.AttachSender(s, 10);

            link.Close();
            h.Pump();

            Detach d = h.Peer.ExpectDetach();
            Assert.AreEqual(link.Handle, d.Handle);
            Assert.IsTrue(d.Closed);
            Assert.IsNull(d.Error);
            Assert.AreEqual(LinkState.DetachSent, link.State);
            Assert.IsTrue(link.ClosedByUs);
            Expect.AmqpError(ErrorCode.IllegalState, () => link.Send(new Message(new byte[] { 1 }), null));

            // The peer's answer completes the detach and is not answered again.
            h.Peer.SendDetach(0, true, null);
            h.Pump();
            Assert.AreEqual(LinkState.Detached, link.State);
            h.Peer.ExpectNothing("the answer to our detach was answered");
            Assert.IsTrue(h.Connection.IsOpen);
            // Its handle is free again.
            SenderLink next = s.AttachSender("b", "y", SenderSettleMode.Unsettled, null);
            Assert.AreEqual(link.Handle, next.Handle);
        }

        [TestMethod]
        [DataRow(true)]
        [DataRow(false)]
        public void PeerDetach_WithoutError_AnswersAndReportsDetachForced(bool closed)
        {
            EngineHarness h = EngineHarness.Connected();
            Session s = h.BeginSession();
            SenderLink link = h.AttachSender(s, 10);
            h.ClearEvents();

            h.Peer.SendDetach(0, closed, null);
            h.Pump();

            Detach answer = h.Peer.ExpectDetach();
            Assert.AreEqual(closed, answer.Closed, "the answer mirrors closed (2.7.7)");
            Assert.AreEqual(link.Handle, answer.Handle);
            Assert.AreEqual(LinkState.Detached, link.State);
            Assert.AreEqual(ErrorCode.DetachForced, link.Error.Condition);
            Assert.AreEqual(EngineEvent.Ended, h.Kinds(link));
        }

        [TestMethod]
        public void PeerClose_WithError_LinksAndSessionCarryIt()
        {
            EngineHarness h = EngineHarness.Connected();
            Session s = h.BeginSession();
            SenderLink sender = h.AttachSender(s, 0);
            ReceiverLink receiver = h.AttachReceiver(s, 2, 1000, 1);
            h.ClearEvents();

            h.Peer.SendClose(new Error(ErrorCode.ConnectionForced, "shutting down"));
            h.Pump();

            Assert.AreEqual(LinkState.Detached, sender.State);
            Assert.AreEqual(LinkState.Detached, receiver.State);
            Assert.AreEqual(ErrorCode.ConnectionForced, sender.Error.Condition);
            Assert.AreEqual(ErrorCode.ConnectionForced, receiver.Error.Condition);
            Assert.AreEqual(ErrorCode.ConnectionForced, s.Error.Condition);
            Assert.IsTrue(h.Saw(sender, EngineEvent.Ended));
            Assert.IsTrue(h.Saw(receiver, EngineEvent.Ended));
            Assert.IsTrue(h.Saw(s, EngineEvent.Ended));
            Assert.IsNull(receiver.Take());
            Expect.AmqpError(ErrorCode.ConnectionForced, () => sender.Send(new Message(new byte[] { 1 }), null));
        }
    }
}
