// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
using IotHubAmqp.Device.Engine;
using IotHubAmqp.Device.Framing;
using nanoFramework.TestFramework;

namespace IotHubAmqp.Device.Tests.Engine
{
    /// <summary>Receiver credit against what a sender may do: counts not starting at 0, aborts, overruns, size caps.</summary>
    [TestClass]
    public class ReceiverLinkFlowTests
    {
        private static byte[] Msg(byte b) => ScriptedAmqpPeer.EncodeMessage(new byte[] { b });

        [TestMethod]
        [DataRow(1000u)]
        [DataRow(4294967294u)]
        public void PeerAttach_InitialDeliveryCount_LaterFlowsCountFromIt(uint initial)
        {
            EngineHarness h = EngineHarness.Connected();
            Session s = h.BeginSession();
            ReceiverLink r = s.AttachReceiver("c2d", "source", 4, ReceiverSettleMode.First, 65536, null);
            h.Pump();
            Attach a = h.Peer.ExpectAttach();
            Flow pipelined = h.Peer.ExpectFlow();
            Assert.IsFalse(pipelined.HasDeliveryCount, "no delivery-count before the sender's attach");
            h.Peer.AnswerAttach(a, 0, 0, false, initial);
            for (uint i = 0; i < 4; i++) h.Peer.SendTransfer(0, i, Msg((byte)i));
            h.Pump();
            Assert.AreEqual(4, r.Queued);

            r.Take();
            r.Take();
            h.Pump();
            Flow f = h.Peer.ExpectFlow();
            Assert.IsTrue(f.HasDeliveryCount);
            Assert.AreEqual(unchecked(initial + 4), f.DeliveryCount);
            Assert.AreEqual(2u, f.LinkCredit);

            for (uint i = 4; i < 6; i++) h.Peer.SendTransfer(0, i, Msg((byte)i));
            h.Pump();
            Assert.IsTrue(h.Connection.IsOpen);
            Assert.IsTrue(r.IsAttached);
            Assert.AreEqual(4, r.Queued);
        }

        [TestMethod]
        public void PeerTransfers_AbortedDeliveries_GiveTheirCreditBack()
        {
            // 2.6.14: an aborted delivery is dropped; the receiver grants its credit again, so C2D keeps flowing.
            EngineHarness h = EngineHarness.Connected();
            Session s = h.BeginSession();
            ReceiverLink r = h.AttachReceiver(s, 2);
            byte[] payload = ScriptedAmqpPeer.EncodeMessage(ScriptedAmqpPeer.Pattern(100));
            uint id = 0;
            for (int i = 0; i < 5; i++, id++)
            {
                h.Peer.SendTransfer(0, id, ScriptedAmqpPeer.Slice(payload, 0, 50), true);
                h.Peer.SendTransfer(0, id, new byte[0], false, false, false, true);
                h.Pump();
                Flow f = h.Peer.ExpectFlow();
                Assert.AreEqual(id + 1, f.DeliveryCount);
                Assert.AreEqual(2u, f.LinkCredit, "abort " + i + " gave its credit back");
            }
            h.Peer.SendTransfer(0, id, Msg(1));
            h.Peer.SendTransfer(0, id + 1, Msg(2));
            h.Pump();

            Assert.AreEqual(2, r.Queued, "aborted deliveries are not delivered, the later ones are");
            Assert.IsTrue(r.IsAttached);
            CollectionAssert.AreEqual(new byte[] { 1 }, r.Take().Message.GetBytes());
        }

        [TestMethod]
        public void PeerTransfers_BeyondCredit_DetachesWithTransferLimitExceeded()
        {
            // 2.6.7: the sender overran our credit; the link is at fault, not the connection.
            EngineHarness h = EngineHarness.Connected();
            Session s = h.BeginSession();
            ReceiverLink r = h.AttachReceiver(s, 1);
            h.Peer.SendTransfer(0, 0, Msg(1));
            h.Peer.SendTransfer(0, 1, Msg(2));
            h.Pump();

            Detach d = h.Peer.ExpectDetach();
            Assert.IsNotNull(d.Error);
            Assert.AreEqual(ErrorCode.TransferLimitExceeded, d.Error.Condition);
            Assert.AreEqual(ErrorCode.TransferLimitExceeded, r.Error.Condition);
            Assert.IsTrue(h.Saw(r, EngineEvent.Ended));
            Assert.IsTrue(h.Connection.IsOpen);
            Assert.IsTrue(s.IsMapped);
            Assert.AreEqual(1, r.Queued, "the message within credit stays");
        }

        [TestMethod]
        public void PeerTransfers_FirstFrameWithoutDeliveryId_DetachesWithInvalidField()
        {
            EngineHarness h = EngineHarness.Connected();
            Session s = h.BeginSession();
            ReceiverLink r = h.AttachReceiver(s, 4);
            h.Peer.SendTransfer(0, 0, Msg(1), false, false, false);
            h.Pump();

            Assert.AreEqual(ErrorCode.InvalidField, h.Peer.ExpectDetach().Error.Condition);
            Assert.IsTrue(h.Connection.IsOpen);
        }

        [TestMethod]
        public void PeerTransfers_MultiFrameOverSizeCap_DetachesWithMessageSizeExceeded()
        {
            EngineHarness h = EngineHarness.Connected();
            Session s = h.BeginSession();
            ReceiverLink r = h.AttachReceiver(s, 4, 500);
            byte[] payload = ScriptedAmqpPeer.EncodeMessage(ScriptedAmqpPeer.Pattern(900));
            // Two more=true pieces of 300+ bytes: the second crosses the 500-byte cap.
            int piece = payload.Length / 3;
            h.Peer.SendTransfer(0, 0, ScriptedAmqpPeer.Slice(payload, 0, piece), true);
            h.Peer.SendTransfer(0, 0, ScriptedAmqpPeer.Slice(payload, piece, piece), true, false, false);
            h.Pump();

            Detach d = h.Peer.ExpectDetach();
            Assert.IsTrue(d.Closed);
            Assert.AreEqual(ErrorCode.MessageSizeExceeded, d.Error.Condition);
            Assert.IsFalse(r.IsAttached);
            // The application learns why its link ended.
            Assert.AreEqual(ErrorCode.MessageSizeExceeded, r.Error.Condition);
            Assert.IsTrue(h.Saw(r, EngineEvent.Ended));
        }

        [TestMethod]
        public void PeerTransfers_RestOfOversizedDeliveryInFlight_IgnoredAndConnectionStaysOpen()
        {
            // The peer sent the whole delivery before our detach reached it: the remaining frames for the
            // detaching handle must not bring the connection down.
            EngineHarness h = EngineHarness.Connected();
            Session s = h.BeginSession();
            h.AttachReceiver(s, 4, 500);
            ReceiverLinkTests.SendInPieces(h.Peer, ScriptedAmqpPeer.EncodeMessage(ScriptedAmqpPeer.Pattern(900)), 3);
            h.Pump();

            h.Peer.ExpectDetach();
            h.Peer.ExpectNothing("the rest of the delivery needs no answer");
            h.Peer.SendDetach(0, true, null);
            h.Pump();
            h.Peer.ExpectNothing("the answer to our detach was answered");
            Assert.IsTrue(h.Connection.IsOpen, "connection ended: " + (h.Connection.Error == null ? "" : h.Connection.Error.Condition));
        }

        [TestMethod]
        public void PeerTransfers_LastFrameCrossesSizeCap_DetachesAndConnectionStaysOpen()
        {
            EngineHarness h = EngineHarness.Connected();
            Session s = h.BeginSession();
            h.AttachReceiver(s, 4, 500);
            ReceiverLinkTests.SendInPieces(h.Peer, ScriptedAmqpPeer.EncodeMessage(ScriptedAmqpPeer.Pattern(600)), 2);
            h.Pump();

            Assert.AreEqual(ErrorCode.MessageSizeExceeded, h.Peer.ExpectDetach().Error.Condition);
            h.Advance(1000);
            Assert.IsTrue(h.Connection.IsOpen);
            h.Peer.ExpectNothing("one detach only");
        }

        [TestMethod]
        public void PeerTransfers_SingleFrameOverSizeCap_DetachesWithMessageSizeExceeded()
        {
            // We announced max-message-size 100 (2.7.3); a 300-byte message in one frame still exceeds it.
            EngineHarness h = EngineHarness.Connected();
            Session s = h.BeginSession();
            ReceiverLink r = h.AttachReceiver(s, 4, 100);
            h.Peer.SendTransfer(0, 0, ScriptedAmqpPeer.EncodeMessage(new byte[300]));
            h.Pump();

            PeerFrame f = h.Peer.TryReadPerformative();
            Assert.IsNotNull(f, "the oversized message was accepted silently (queued: " + r.Queued + ")");
            Assert.IsTrue(f.Performative is Detach, "expected detach, got " + ScriptedAmqpPeer.Describe(f));
            Assert.AreEqual(ErrorCode.MessageSizeExceeded, ((Detach)f.Performative).Error.Condition);
            Assert.AreEqual(0, r.Queued);
        }

        [TestMethod]
        public void PeerTransfers_OnSendingLink_EndsTheSessionNotTheConnection()
        {
            EngineHarness h = EngineHarness.Connected();
            Session s = h.BeginSession();
            h.AttachSender(s, 1);
            h.Peer.SendTransfer(0, 0, Msg(1));
            h.Pump();

            End e = h.Peer.ExpectEnd();
            Assert.AreEqual(ErrorCode.NotAllowed, e.Error.Condition);
            Assert.AreEqual(SessionState.EndSent, s.State);
            Assert.IsTrue(h.Connection.IsOpen);
        }
    }
}
