// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
using System;
using IotHubAmqp.Device.Engine;
using IotHubAmqp.Device.Framing;
using nanoFramework.TestFramework;

namespace IotHubAmqp.Device.Tests.Engine
{
    [TestClass]
    public class ReceiverLinkTests
    {
        private static byte[] Msg(byte b) => ScriptedAmqpPeer.EncodeMessage(new byte[] { b });

        [TestMethod]
        public void AttachReceiver_Always_SendsAttachAndCreditBeforeAnyAnswer()
        {
            EngineHarness h = EngineHarness.Connected();
            Session s = h.BeginSession();
            ReceiverLink r = s.AttachReceiver("c2d", "/devices/d1/messages/devicebound", 5, ReceiverSettleMode.First, 10000, null);
            Assert.AreEqual(1, h.Pump(), "attach and flow in one write");

            // Both frames go out although the peer has not answered the attach (2.6.7 pipelining).
            Attach a = h.Peer.ExpectAttach();
            Assert.AreEqual("c2d", a.Name);
            Assert.AreEqual(Role.Receiver, a.Role);
            Assert.AreEqual("/devices/d1/messages/devicebound", a.Source.Address);
            Assert.AreEqual(10000ul, a.MaxMessageSize);
            Assert.AreEqual(ReceiverSettleMode.First, a.RcvSettleMode);
            Flow f = h.Peer.ExpectFlow();
            Assert.IsTrue(f.HasHandle);
            Assert.AreEqual(r.Handle, f.Handle);
            Assert.IsTrue(f.HasLinkCredit);
            Assert.AreEqual(5u, f.LinkCredit);
            Assert.IsFalse(f.HasDeliveryCount, "the sender's initial delivery-count is not known yet (2.7.4)");
        }

        [TestMethod]
        public void Take_TransfersWithinCredit_ReturnsThemInOrder()
        {
            EngineHarness h = EngineHarness.Connected();
            Session s = h.BeginSession();
            ReceiverLink r = h.AttachReceiver(s, 4);
            for (uint i = 0; i < 3; i++) h.Peer.SendTransfer(0, i, Msg((byte)(10 + i)));
            h.Pump();

            Assert.AreEqual(3, r.Queued);
            Assert.IsTrue(h.Saw(r, EngineEvent.Messages));
            for (uint i = 0; i < 3; i++)
            {
                IncomingDelivery d = r.Take();
                Assert.IsNotNull(d);
                Assert.AreEqual(i, d.Id);
                Assert.AreSame(r, d.Link);
                Assert.IsFalse(d.Settled);
                CollectionAssert.AreEqual(new byte[] { (byte)(10 + i) }, d.Message.GetBytes());
            }
            Assert.AreEqual(0, r.Queued);
            Assert.IsNull(r.Take());
        }

        [TestMethod]
        public void Take_NothingArrived_ReturnsNullWithoutEvent()
        {
            EngineHarness h = EngineHarness.Connected();
            Session s = h.BeginSession();
            ReceiverLink r = h.AttachReceiver(s, 4);
            h.ClearEvents();
            h.Advance(10000);

            Assert.IsNull(r.Take());
            Assert.IsFalse(h.Saw(r, EngineEvent.Messages));
        }

        [TestMethod]
        public void PeerTransfers_HundredInOneRead_OneMessagesEvent()
        {
            EngineHarness h = EngineHarness.Connected();
            Session s = h.BeginSession();
            ReceiverLink r = h.AttachReceiver(s, 100);
            h.ClearEvents();
            for (uint i = 0; i < 100; i++) h.Peer.SendTransfer(0, i, Msg((byte)i));
            h.Pump();

            Assert.AreEqual(1, h.Entries(r));
            Assert.AreEqual(EngineEvent.Messages, h.Kinds(r));
            Assert.AreEqual(100, r.Queued);
        }

        [TestMethod]
        public void Take_HalfOfCreditTaken_TopsCreditUp()
        {
            EngineHarness h = EngineHarness.Connected();
            Session s = h.BeginSession();
            ReceiverLink r = h.AttachReceiver(s, 4);
            for (uint i = 0; i < 4; i++) h.Peer.SendTransfer(0, i, Msg((byte)i));
            h.Pump();
            Assert.AreEqual(4, r.Queued);

            r.Take();
            h.Pump();
            h.Peer.ExpectNothing("no flow while more than half the credit is outstanding");
            r.Take();
            h.Pump();

            // 2 taken, 2 still queued: credit 4 - 2 queued = 2 more, counted from delivery-count 4.
            Flow f = h.Peer.ExpectFlow();
            Assert.IsTrue(f.HasHandle);
            Assert.AreEqual(0u, f.Handle);
            Assert.IsTrue(f.HasDeliveryCount);
            Assert.AreEqual(4u, f.DeliveryCount);
            Assert.AreEqual(2u, f.LinkCredit);
        }

        [TestMethod]
        public void PeerTransfers_MultiFrameDelivery_ReassemblesTheMessage()
        {
            EngineHarness h = EngineHarness.Connected();
            Session s = h.BeginSession();
            ReceiverLink r = h.AttachReceiver(s, 4);
            byte[] body = ScriptedAmqpPeer.Pattern(2500);
            SendInPieces(h.Peer, ScriptedAmqpPeer.EncodeMessage(body), 3);
            h.Pump();

            IncomingDelivery d = r.Take();
            Assert.IsNotNull(d);
            Assert.AreEqual(0u, d.Id);
            CollectionAssert.AreEqual(body, d.Message.GetBytes());
            Assert.IsNull(r.Take(), "one delivery, not three");
        }

        [TestMethod]
        public void Accept_Delivery_SendsSettledAcceptedDisposition()
        {
            EngineHarness h = EngineHarness.Connected();
            Session s = h.BeginSession();
            ReceiverLink r = h.AttachReceiver(s, 4);
            h.Peer.SendTransfer(0, 7, Msg(1));
            h.Pump();
            IncomingDelivery d = r.Take();

            r.Accept(d);
            h.Pump();

            Disposition disp = h.Peer.ExpectDisposition();
            Assert.AreEqual(Role.Receiver, disp.Role);
            Assert.AreEqual(7u, disp.First);
            Assert.IsTrue(!disp.HasLast || disp.Last == 7, "one delivery");
            Assert.IsTrue(disp.Settled, "rcv-settle-mode first settles with the outcome");
            Assert.IsInstanceOfType(disp.State, typeof(Accepted));
            Assert.IsTrue(d.Settled);
        }

        [TestMethod]
        [DataRow("reject")]
        [DataRow("release")]
        [DataRow("modify")]
        public void Settle_OtherOutcomes_SendsThatOutcome(string kind)
        {
            EngineHarness h = EngineHarness.Connected();
            Session s = h.BeginSession();
            ReceiverLink r = h.AttachReceiver(s, 4);
            h.Peer.SendTransfer(0, 0, Msg(1));
            h.Pump();
            IncomingDelivery d = r.Take();

            if (kind == "reject") r.Reject(d, new Error(ErrorCode.DecodeError, "bad json"));
            else if (kind == "release") r.Release(d);
            else r.Modify(d, true, false);
            h.Pump();

            Outcome o = h.Peer.ExpectDisposition().State;
            if (kind == "reject")
            {
                Assert.IsInstanceOfType(o, typeof(Rejected));
                Assert.AreEqual(ErrorCode.DecodeError, ((Rejected)o).Error.Condition);
                Assert.AreEqual("bad json", ((Rejected)o).Error.Description);
            }
            else if (kind == "release")
            {
                Assert.IsInstanceOfType(o, typeof(Released));
            }
            else
            {
                Assert.IsInstanceOfType(o, typeof(Modified));
                Assert.IsTrue(((Modified)o).DeliveryFailed);
                Assert.IsFalse(((Modified)o).UndeliverableHere);
            }
        }

        [TestMethod]
        public void Accept_Twice_ThrowsIllegalStateAndSendsOneDisposition()
        {
            EngineHarness h = EngineHarness.Connected();
            Session s = h.BeginSession();
            ReceiverLink r = h.AttachReceiver(s, 4);
            h.Peer.SendTransfer(0, 0, Msg(1));
            h.Pump();
            IncomingDelivery d = r.Take();
            r.Accept(d);

            Expect.AmqpError(ErrorCode.IllegalState, () => r.Accept(d));
            Expect.AmqpError(ErrorCode.IllegalState, () => r.Release(d));
            h.Pump();
            h.Peer.ExpectDisposition();
            h.Peer.ExpectNothing("a second disposition was sent");
        }

        [TestMethod]
        public void Accept_DeliveryOfAnotherLink_ThrowsArgumentException()
        {
            EngineHarness h = EngineHarness.Connected();
            Session s = h.BeginSession();
            ReceiverLink r = h.AttachReceiver(s, 4);
            h.Peer.SendTransfer(0, 0, Msg(1));
            h.Pump();
            IncomingDelivery d = r.Take();
            ReceiverLink other = s.AttachReceiver("other", "x", 1, ReceiverSettleMode.First, 1000, null);

            Assert.ThrowsException(typeof(ArgumentException), () => other.Accept(d));
        }

        [TestMethod]
        public void Accept_AfterTheLinkWasLost_ThrowsIllegalState()
        {
            EngineHarness h = EngineHarness.Connected();
            Session s = h.BeginSession();
            ReceiverLink r = h.AttachReceiver(s, 4);
            h.Peer.SendTransfer(0, 0, Msg(1));
            h.Pump();
            IncomingDelivery d = r.Take();
            h.Peer.SendDetach(0, true, new Error(ErrorCode.Stolen, "another client attached"));
            h.Pump();

            Expect.AmqpError(ErrorCode.IllegalState, () => r.Accept(d));
        }

        [TestMethod]
        public void PeerDetach_WithError_LinkEndsWithThatCondition()
        {
            EngineHarness h = EngineHarness.Connected();
            Session s = h.BeginSession();
            ReceiverLink r = h.AttachReceiver(s, 4);
            h.ClearEvents();
            h.Peer.SendDetach(0, true, new Error(ErrorCode.Stolen, "another client attached"));
            h.Pump();

            Assert.AreEqual(EngineEvent.Ended, h.Kinds(r));
            Assert.AreEqual(ErrorCode.Stolen, r.Error.Condition);
            Assert.IsTrue(h.Peer.ExpectDetach().Closed);
        }

        [TestMethod]
        public void Attach_PeerRefuses_EndsWithThePeersError()
        {
            EngineHarness h = EngineHarness.Connected();
            Session s = h.BeginSession();
            ReceiverLink r = s.AttachReceiver("r", "/no/such/queue", 4, ReceiverSettleMode.First, 1000, null);
            h.Pump();
            Attach a = h.Peer.ExpectAttach();
            h.Peer.ExpectFlow();
            h.Peer.AnswerAttach(a, 0, 0, true);
            h.Peer.SendDetach(0, true, new Error(ErrorCode.UnauthorizedAccess, "no rights"));
            h.Pump();

            Assert.AreEqual(EngineEvent.Ended, h.Kinds(r), "never reported attached");
            Assert.AreEqual(ErrorCode.UnauthorizedAccess, r.Error.Condition);
            Assert.IsNull(r.Take());
        }

        [TestMethod]
        public void PeerTransfers_FrameLargerThanTheReadBuffer_ArrivesInPiecesAndIsReassembled()
        {
            // A 20 KB frame fed 1000 bytes at a time through the engine's own receive buffer (which starts small).
            ConnectionSettings settings = ScriptedAmqpPeer.NewSettings();
            settings.MaxFrameSize = 65536;
            EngineHarness h = EngineHarness.Connected(settings);
            h.ReceiveChunk = 1000;
            Session s = h.BeginSession();
            ReceiverLink r = h.AttachReceiver(s, 4);
            byte[] body = ScriptedAmqpPeer.Pattern(20000);
            h.Peer.SendTransfer(0, 0, ScriptedAmqpPeer.EncodeMessage(body));
            h.Peer.SendTransfer(0, 1, Msg(9));
            h.Pump();

            Assert.AreEqual(2, r.Queued);
            CollectionAssert.AreEqual(body, r.Take().Message.GetBytes());
            CollectionAssert.AreEqual(new byte[] { 9 }, r.Take().Message.GetBytes());
        }

        internal static void SendInPieces(ScriptedAmqpPeer peer, byte[] payload, int pieces, uint deliveryId = 0)
        {
            int size = (payload.Length + pieces - 1) / pieces;
            for (int i = 0; i < pieces; i++)
            {
                int at = i * size;
                int n = at + size > payload.Length ? payload.Length - at : size;
                peer.SendTransfer(0, deliveryId, ScriptedAmqpPeer.Slice(payload, at, n), i < pieces - 1, false, i == 0);
            }
        }
    }
}
