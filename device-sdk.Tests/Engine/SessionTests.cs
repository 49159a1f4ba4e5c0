// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
using IotHubAmqp.Device.Engine;
using IotHubAmqp.Device.Framing;
using IotHubAmqp.Device.Messaging;
using IotHubAmqp.Device.Types;
using nanoFramework.TestFramework;

namespace IotHubAmqp.Device.Tests.Engine
{
    [TestClass]
    public class SessionTests
    {
        [TestMethod]
        public void BeginSession_Always_SendsBeginWithWindowAndHandleMax()
        {
            EngineHarness h = EngineHarness.Connected();
            Session s = h.Connection.BeginSession(100);
            h.Pump();

            Assert.AreEqual(SessionState.BeginSent, s.State);
            PeerFrame f = h.Peer.Expect(Descriptor.Begin);
            var b = (Begin)f.Performative;
            Assert.AreEqual(s.Channel, f.Channel);
            Assert.IsFalse(b.HasRemoteChannel, "a client-initiated begin has no remote-channel");
            Assert.AreEqual(0u, b.NextOutgoingId);
            Assert.AreEqual(100u, b.IncomingWindow);
            Assert.AreEqual((uint)(Session.MaxLinks - 1), b.HandleMax);
        }

        [TestMethod]
        public void Received_BeginOnOtherChannel_MapsAndRoutesItsFrames()
        {
            EngineHarness h = EngineHarness.Connected();
            Session s = h.BeginSession(9);

            Assert.AreEqual(SessionState.Mapped, s.State);
            Assert.IsTrue(s.HasRemoteChannel);
            Assert.AreEqual((ushort)9, s.RemoteChannel);
            Assert.IsTrue(h.Saw(s, EngineEvent.Opened));
            // Frames the peer sends on its channel 9 reach this session's links.
            SenderLink link = h.AttachSender(s, 1);
            Assert.IsTrue(link.IsAttached);
        }

        [TestMethod]
        public void BeginSession_PeerSilent_StaysBeginSentWithoutEvent()
        {
            EngineHarness h = EngineHarness.Connected();
            Session s = h.Connection.BeginSession(0);
            h.ClearEvents();
            h.Advance(10000);

            Assert.AreEqual(SessionState.BeginSent, s.State);
            Assert.AreEqual(0, h.LoggedEvents);
        }

        [TestMethod]
        public void PeerEnd_WithError_SessionAndLinksCarryIt()
        {
            EngineHarness h = EngineHarness.Connected();
            Session s = h.BeginSession();
            SenderLink link = h.AttachSender(s, 0);
            h.ClearEvents();

            h.Peer.SendEnd(new Error(ErrorCode.ResourceLimitExceeded, "too many sessions"));
            h.Pump();

            Assert.IsNull(h.Peer.ExpectEnd().Error, "the answer to an end carries no error");
            Assert.AreEqual(SessionState.Ended, s.State);
            Assert.AreEqual(ErrorCode.ResourceLimitExceeded, s.Error.Condition);
            Assert.AreEqual(ErrorCode.ResourceLimitExceeded, link.Error.Condition);
            Assert.AreEqual("too many sessions", link.Error.Description);
            Assert.IsTrue(h.Saw(s, EngineEvent.Ended));
            Assert.IsTrue(h.Saw(link, EngineEvent.Ended));
            Expect.AmqpError(ErrorCode.ResourceLimitExceeded, () => link.Send(new Message(new byte[] { 1 }), null));
            Assert.IsTrue(h.Connection.IsOpen, "ending a session leaves the connection open");
        }

        [TestMethod]
        public void PeerEnd_SendQueuedForCredit_CompletesAtOnceWithThatError()
        {
            EngineHarness h = EngineHarness.Connected();
            Session s = h.BeginSession();
            SenderLink link = h.AttachSender(s, 0);
            OutgoingDelivery d = link.Send(new Message(new byte[] { 1 }), "req");
            h.Pump();
            h.Peer.ExpectNothing("no credit");

            h.Peer.SendEnd(new Error(ErrorCode.NotFound, "hub gone"));
            h.Pump();

            Assert.IsTrue(h.Saw(link, EngineEvent.Outcomes));
            Assert.AreSame(d, link.NextCompleted());
            Assert.AreEqual(ErrorCode.NotFound, d.Error.Condition);
            Assert.IsTrue(d.NeverSent, "it never reached the wire: the owner may resend it");
            Assert.AreEqual("req", d.Owner);
        }

        [TestMethod]
        public void End_Local_SendsEndAndFailsLinks()
        {
            EngineHarness h = EngineHarness.Connected();
            Session s = h.BeginSession();
            SenderLink link = h.AttachSender(s, 5);

            s.End(null);
            h.Pump();

            Assert.IsNull(h.Peer.ExpectEnd().Error);
            Assert.AreEqual(SessionState.EndSent, s.State);
            Expect.AmqpError(ErrorCode.IllegalState, () => link.Send(new Message(new byte[] { 1 }), null));
            h.Peer.SendEnd(null);
            h.Pump();
            Assert.AreEqual(SessionState.Ended, s.State);
            h.Peer.ExpectNothing("no second end in answer to the peer's end");
            // The channel is free again.
            Session next = h.BeginSession();
            Assert.AreEqual(s.Channel, next.Channel);
        }

        [TestMethod]
        public void AttachSender_BeyondPeerHandleMax_IsRefused()
        {
            // 2.7.2: handle-max is the highest handle the peer accepts on this session.
            EngineHarness h = EngineHarness.Connected();
            Session s = h.Connection.BeginSession(0);
            h.Pump();
            h.Peer.AnswerBegin(0, 1000, 0);
            h.Pump();
            SenderLink first = s.AttachSender("a", "x", SenderSettleMode.Unsettled, null);
            Assert.AreEqual(0u, first.Handle);

            Expect.AmqpError(ErrorCode.ResourceLimitExceeded, () => s.AttachSender("b", "y", SenderSettleMode.Unsettled, null));
        }

        [TestMethod]
        public void PeerFlow_SessionFlowWithEcho_AnswersWithSessionState()
        {
            EngineHarness h = EngineHarness.Connected();
            h.BeginSession();
            h.Peer.SendSessionFlow(0, 50, true);
            h.Pump();

            Flow answer = h.Peer.ExpectFlow();
            Assert.IsFalse(answer.HasHandle, "a session flow names no link");
            Assert.IsTrue(answer.HasNextIncomingId);
            Assert.AreEqual(0u, answer.NextIncomingId);
            Assert.AreEqual(0u, answer.NextOutgoingId);
            Assert.AreEqual(Session.DefaultIncomingWindow, answer.IncomingWindow);
            Assert.IsFalse(answer.Echo);
        }

        [TestMethod]
        public void PeerTransfers_IncomingWindowHalfUsed_SendsSessionFlowReopeningIt()
        {
            EngineHarness h = EngineHarness.Connected();
            Session s = h.BeginSession(0, 1000, 4);
            ReceiverLink r = h.AttachReceiver(s, 10);
            byte[] payload = ScriptedAmqpPeer.EncodeMessage(new byte[] { 7 });
            for (uint i = 0; i < 3; i++) h.Peer.SendTransfer(0, i, payload);
            h.Pump();

            Flow f = h.Peer.ExpectFlow();
            Assert.IsFalse(f.HasHandle, "the window refresh is a session flow");
            Assert.AreEqual(3u, f.NextIncomingId);
            Assert.AreEqual(4u, f.IncomingWindow);
            Assert.AreEqual(3, r.Queued);
        }

        [TestMethod]
        public void PeerTransfers_IncomingWindowOfOne_ReopensAfterEachTransfer()
        {
            // A peer that honours a window of 1 sends one frame and waits for our flow: it must come.
            EngineHarness h = EngineHarness.Connected();
            Session s = h.BeginSession(0, 1000, 1);
            ReceiverLink r = h.AttachReceiver(s, 10);
            byte[] payload = ScriptedAmqpPeer.EncodeMessage(new byte[] { 7 });
            for (uint i = 0; i < 3; i++)
            {
                h.Peer.SendTransfer(0, i, payload);
                h.Pump();
                Flow f = h.Peer.ExpectFlow();
                Assert.IsFalse(f.HasHandle);
                Assert.AreEqual(i + 1, f.NextIncomingId);
                Assert.AreEqual(1u, f.IncomingWindow);
            }
            Assert.AreEqual(3, r.Queued);
            Assert.IsTrue(s.IsMapped);
        }

        [TestMethod]
        public void Send_FourFrameMessagePeerWindowOfTwo_SendsTwoFramesThenWaitsForTheFlow()
        {
            // 2.5.6: every transfer frame takes one unit of the peer's incoming window (next-outgoing-id counts
            // frames); delivery-ids count deliveries.
            EngineHarness h = EngineHarness.Connected(null, 512, 0);
            Session s = h.BeginSession(0, 2);
            SenderLink link = h.AttachSender(s, 10);
            byte[] body = ScriptedAmqpPeer.Pattern(1600);
            OutgoingDelivery d = link.Send(new Message(body), null);
            h.Pump();

            Transfer t0 = h.Peer.ExpectTransfer();
            Transfer t1 = h.Peer.ExpectTransfer();
            Assert.IsTrue(t0.More && t1.More, "the message needs more than two frames");
            h.Peer.ExpectNothing("a third frame went beyond the peer's incoming window of 2");
            Assert.AreEqual(2u, s.NextOutgoingId);

            h.Peer.SendSessionFlow(2, 2);
            h.Pump();
            h.Peer.ExpectTransfer();
            Transfer t3 = h.Peer.ExpectTransfer();
            Assert.IsFalse(t3.More, "four frames in all");
            Assert.AreEqual(4u, s.NextOutgoingId);

            h.Peer.SendSessionFlow(4, 2);
            OutgoingDelivery next = link.Send(new Message(new byte[] { 1 }), null);
            h.Pump();
            Transfer t = h.Peer.ExpectTransfer();
            Assert.AreEqual(0u, d.Id);
            Assert.AreEqual(1u, t.DeliveryId, "the next delivery-id is 1, not the transfer count 4");
            Assert.AreEqual(1u, next.Id);
            Assert.AreEqual(5u, s.NextOutgoingId);
        }

        [TestMethod]
        public void PeerFlow_WindowCountsFromItsNextIncomingId()
        {
            // The peer's window counts from the next-incoming-id it names: 3 + 2 - 4 sent = 1 frame more.
            EngineHarness h = EngineHarness.Connected(null, 512, 0);
            Session s = h.BeginSession(0, 4);
            SenderLink link = h.AttachSender(s, 10);
            for (int i = 0; i < 4; i++) link.Send(new Message(new byte[] { (byte)i }), null);
            h.Pump();
            for (int i = 0; i < 4; i++) h.Peer.ExpectTransfer();
            link.Send(new Message(new byte[] { 4 }), null);
            link.Send(new Message(new byte[] { 5 }), null);
            h.Peer.SendSessionFlow(3, 2);
            h.Pump();

            h.Peer.ExpectTransfer();
            h.Peer.ExpectNothing("the window allowed one frame");
            Assert.AreEqual(0u, s.RemoteIncomingWindow);
        }
    }
}
