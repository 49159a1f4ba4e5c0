// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
using IotHubAmqp.Device.Engine;
using IotHubAmqp.Device.Framing;
using IotHubAmqp.Device.Messaging;
using nanoFramework.TestFramework;

namespace IotHubAmqp.Device.Tests.Engine
{
    /// <summary>Credit, drain, delivery-ids and settlement of sending links.</summary>
    [TestClass]
    public class SenderLinkFlowTests
    {
        [TestMethod]
        public void Send_NoCredit_QueuesWithoutSending()
        {
            EngineHarness h = EngineHarness.Connected();
            Session s = h.BeginSession();
            SenderLink link = h.AttachSender(s, 0);
            OutgoingDelivery d = link.Send(new Message(new byte[] { 1 }), null);
            h.Advance(10000);

            h.Peer.ExpectNothing("nothing may be sent without credit");
            Assert.AreEqual(DeliveryStatus.Queued, d.Status);
            Assert.AreEqual(1, link.InFlight);
        }

        [TestMethod]
        public void Send_CreditUsedUp_GoesOutWithTheNextFlow()
        {
            EngineHarness h = EngineHarness.Connected();
            Session s = h.BeginSession();
            SenderLink link = h.AttachSender(s, 1);
            link.Send(new Message(new byte[] { 1 }), null);
            OutgoingDelivery d = link.Send(new Message(new byte[] { 2 }), null);
            h.Pump();
            h.Peer.ReadDelivery(out Transfer first, out int frames);
            h.Peer.ExpectNothing("the second send waits for credit");

            // 2.6.7: credit counts from the receiver's delivery-count, now 1.
            h.Peer.SendLinkFlow(0, 1, 1, 1);
            h.Pump();

            h.Peer.ReadDelivery(out Transfer second, out frames);
            Assert.AreEqual(first.DeliveryId + 1, second.DeliveryId);
            Assert.AreEqual(d.Id, second.DeliveryId);
        }

        [TestMethod]
        public void PeerFlow_Echo_AnswersWithTheLinksCreditState()
        {
            EngineHarness h = EngineHarness.Connected();
            Session s = h.BeginSession();
            SenderLink link = h.AttachSender(s, 3);
            link.Send(new Message(new byte[] { 1 }), null);
            h.Pump();
            h.Peer.ExpectTransfer();
            h.Peer.SendLinkFlow(0, 0, 3, 1, false, true);
            h.Pump();

            Flow f = h.Peer.ExpectFlow();
            Assert.IsTrue(f.HasHandle);
            Assert.AreEqual(link.Handle, f.Handle);
            Assert.AreEqual(1u, f.DeliveryCount);
            Assert.AreEqual(2u, f.LinkCredit);
        }

        [TestMethod]
        public void PeerFlow_DrainWithNothingQueued_AdvancesDeliveryCountAndAnswersCreditZero()
        {
            EngineHarness h = EngineHarness.Connected();
            Session s = h.BeginSession();
            SenderLink link = h.AttachSender(s, 0);
            h.Peer.SendLinkFlow(0, 0, 5, 0, true);
            h.Pump();

            Flow f = h.Peer.ExpectFlow();
            Assert.IsTrue(f.HasHandle);
            Assert.AreEqual(5u, f.DeliveryCount, "the unused credit is consumed (2.6.7 drain)");
            Assert.AreEqual(0u, f.LinkCredit);
            // The next grant counts from delivery-count 5.
            link.Send(new Message(new byte[] { 1 }), null);
            h.Peer.SendLinkFlow(0, 5, 1);
            h.Pump();
            h.Peer.ExpectTransfer();
        }

        [TestMethod]
        public void PeerFlow_DrainWithOneQueued_SendsItThenAnswersWithTheRestUsedUp()
        {
            EngineHarness h = EngineHarness.Connected();
            Session s = h.BeginSession();
            SenderLink link = h.AttachSender(s, 0);
            link.Send(new Message(new byte[] { 1 }), null);
            h.Peer.SendLinkFlow(0, 0, 5, 0, true);
            h.Pump();

            h.Peer.ExpectTransfer();
            Flow f = h.Peer.ExpectFlow();
            Assert.AreEqual(5u, f.DeliveryCount, "one sent, four drained");
            Assert.AreEqual(0u, f.LinkCredit);
        }

        [TestMethod]
        public void Send_BeforeThePeersAttach_GoesOutOnceAttachedWithCredit()
        {
            EngineHarness h = EngineHarness.Connected();
            Session s = h.BeginSession();
            SenderLink link = s.AttachSender("early", "t", SenderSettleMode.Unsettled, null);
            OutgoingDelivery d = link.Send(new Message(new byte[] { 1 }), null);
            h.Pump();
            Attach a = h.Peer.ExpectAttach();
            h.Peer.ExpectNothing("no transfer before the attach is answered");

            h.Peer.AnswerAttach(a, 0);
            h.Peer.SendLinkFlow(0, 0, 1);
            h.Pump();
            Assert.AreEqual(d.Id, h.Peer.ExpectTransfer().DeliveryId);
        }

        [TestMethod]
        public void Close_WithQueuedSends_CompletesThemAsNeverSent()
        {
            EngineHarness h = EngineHarness.Connected();
            Session s = h.BeginSession();
            SenderLink link = h.AttachSender(s, 0);
            OutgoingDelivery d = link.Send(new Message(new byte[] { 1 }), null);
            link.Close();
            h.Pump();

            Assert.AreEqual(DeliveryStatus.Done, d.Status);
            Assert.IsTrue(d.NeverSent);
            Assert.AreEqual(ErrorCode.IllegalState, d.Error.Condition);
            Assert.IsTrue(h.Saw(link, EngineEvent.Outcomes));
            h.Peer.ExpectDetach();
            h.Peer.ExpectNothing("a closed link sends nothing");
        }

        [TestMethod]
        public void PeerDisposition_ReceivedState_DoesNotCompleteTheSend()
        {
            // 3.4.1: received is not terminal.
            EngineHarness h = EngineHarness.Connected();
            Session s = h.BeginSession();
            SenderLink link = h.AttachSender(s, 10);
            OutgoingDelivery d = link.Send(new Message(new byte[] { 1 }), null);
            h.Pump();
            h.ClearEvents();

            h.Peer.SendDisposition(d.Id, d.Id, new Received { SectionNumber = 1, SectionOffset = 0 }, false);
            h.Pump();
            Assert.AreEqual(DeliveryStatus.Unsettled, d.Status);
            Assert.IsNull(link.NextCompleted());
            Assert.IsFalse(h.Saw(link, EngineEvent.Outcomes));

            h.Peer.SendDisposition(d.Id, d.Id, Accepted.Instance);
            h.Pump();
            Assert.IsInstanceOfType(d.Outcome, typeof(Accepted));
        }

        [TestMethod]
        public void PeerDisposition_UnsettledAccepted_SettlesItAndCompletes()
        {
            EngineHarness h = EngineHarness.Connected();
            Session s = h.BeginSession();
            SenderLink link = h.AttachSender(s, 10);
            OutgoingDelivery d = link.Send(new Message(new byte[] { 1 }), null);
            h.Pump();
            h.Peer.ExpectTransfer();
            h.Peer.SendDisposition(d.Id, d.Id, Accepted.Instance, false);
            h.Pump();

            Assert.IsInstanceOfType(d.Outcome, typeof(Accepted));
            Disposition answer = h.Peer.ExpectDisposition();
            Assert.AreEqual(Role.Sender, answer.Role);
            Assert.AreEqual(d.Id, answer.First);
            Assert.IsTrue(answer.Settled);
        }

        [TestMethod]
        public void Send_TwoLinksOneSession_NeverShareADeliveryIdAndSettleOnlyTheirOwn()
        {
            // The session's delivery-ids are unique across its links; a disposition names a delivery, not a link.
            EngineHarness h = EngineHarness.Connected(null, 512, 0);
            Session s = h.BeginSession(0, 1);
            SenderLink a = h.AttachSender(s, 10, 0, 0, SenderSettleMode.Unsettled, "a");
            SenderLink b = h.AttachSender(s, 10, 1, 0, SenderSettleMode.Unsettled, "b");
            OutgoingDelivery a0 = a.Send(new Message(ScriptedAmqpPeer.Pattern(800)), null);
            OutgoingDelivery b0 = b.Send(new Message(new byte[] { 1 }), null);
            h.Pump();
            h.Peer.ExpectTransfer();
            h.Peer.ExpectNothing("window 1");
            // One frame at a time, as the window allows: a's message finishes, then b's goes.
            uint next = 1;
            uint bId = uint.MaxValue;
            for (int i = 0; i < 4 && bId == uint.MaxValue; i++)
            {
                h.Peer.SendSessionFlow(next, 1);
                h.Pump();
                Transfer t = h.Peer.ExpectTransfer();
                next++;
                if (t.Handle == b.Handle) bId = t.DeliveryId;
            }
            OutgoingDelivery a1 = a.Send(new Message(new byte[] { 2 }), null);
            h.Peer.SendSessionFlow(next, 10);
            h.Pump();
            Transfer ta1 = h.Peer.ExpectTransfer();

            Assert.AreEqual(b0.Id, bId);
            Assert.AreNotEqual(a0.Id, b0.Id);
            Assert.AreNotEqual(a1.Id, b0.Id);
            Assert.AreNotEqual(a0.Id, a1.Id);
            Assert.AreEqual(a1.Id, ta1.DeliveryId);

            h.Peer.SendDisposition(b0.Id, b0.Id, new Rejected { Error = new Error(ErrorCode.NotAllowed, "b only") });
            h.Pump();
            Assert.IsInstanceOfType(b0.Outcome, typeof(Rejected));
            Assert.AreEqual(DeliveryStatus.Unsettled, a0.Status, "a's delivery is not settled by b's disposition");
            Assert.AreEqual(DeliveryStatus.Unsettled, a1.Status);
            Assert.IsNull(a.NextCompleted());
        }

        [TestMethod]
        public void PeerDispositions_ManyInOneRead_OneOutcomesEvent()
        {
            EngineHarness h = EngineHarness.Connected();
            Session s = h.BeginSession();
            SenderLink link = h.AttachSender(s, 100);
            for (int i = 0; i < SenderLink.MaxInFlight; i++) link.Send(new Message(new byte[] { (byte)i }), null);
            h.Pump();
            h.ClearEvents();
            // 100 dispositions: one per delivery, then repeats the engine must ignore.
            for (uint i = 0; i < 100; i++) h.Peer.SendDisposition(i % SenderLink.MaxInFlight, i % SenderLink.MaxInFlight, Accepted.Instance);
            h.Pump();

            Assert.AreEqual(1, h.DrainEvents(), "one event entry for the link");
            Assert.AreEqual(EngineEvent.Outcomes, h.Kinds(link));
            int completed = 0;
            for (OutgoingDelivery d = link.NextCompleted(); d != null; d = link.NextCompleted())
            {
                Assert.IsInstanceOfType(d.Outcome, typeof(Accepted));
                link.Free(d);
                completed++;
            }
            Assert.AreEqual(SenderLink.MaxInFlight, completed);
        }
    }
}
