// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
using IotHubAmqp.Device.Engine;
using IotHubAmqp.Device.Framing;
using IotHubAmqp.Device.Messaging;
using nanoFramework.TestFramework;

namespace IotHubAmqp.Device.Tests.Engine
{
    /// <summary>The owner giving up on a send: the slot must come back, whatever the peer does.</summary>
    [TestClass]
    public class SenderLinkCancelTests
    {
        [TestMethod]
        public void Cancel_Queued_FreesTheSlotAndNothingGoesOnTheWire()
        {
            EngineHarness h = EngineHarness.Connected();
            Session s = h.BeginSession();
            SenderLink link = h.AttachSender(s, 0);
            OutgoingDelivery[] sends = new OutgoingDelivery[SenderLink.MaxInFlight];
            for (int i = 0; i < sends.Length; i++) sends[i] = link.Send(new Message(new byte[] { (byte)i }), null);
            Assert.IsNull(link.Send(new Message(new byte[] { 99 }), null), "all slots busy");

            for (int i = 0; i < sends.Length; i++) Assert.IsTrue(link.Cancel(sends[i]), "nothing of it reached the peer");
            Assert.AreEqual(0, link.InFlight);
            h.Peer.SendLinkFlow(0, 0, 100);
            h.Pump();

            h.Peer.ExpectNothing("a cancelled send went out");
            Assert.IsNotNull(link.Send(new Message(new byte[] { 7 }), null), "the slots are free again");
            h.Pump();
            Transfer t = h.Peer.ExpectTransfer();
            Assert.AreEqual(0u, t.DeliveryId, "cancelled sends took no delivery-id");
        }

        [TestMethod]
        public void Cancel_MidMessage_SendsAnAbortedTransferAndNothingMore()
        {
            EngineHarness h = EngineHarness.Connected(null, 512, 0);
            Session s = h.BeginSession();
            SenderLink link = h.AttachSender(s, 10);
            OutgoingDelivery d = link.Send(new Message(ScriptedAmqpPeer.Pattern(10000)), null);
            // Take one piece of output, as a transport would, then give up.
            Assert.IsTrue(h.Connection.HasOutput);
            Assert.AreEqual(DeliveryStatus.Sending, d.Status);

            Assert.IsTrue(link.Cancel(d));
            Assert.AreEqual(DeliveryStatus.Free, d.Status);
            h.Pump();

            int frames = 0;
            Transfer t;
            do
            {
                t = h.Peer.ExpectTransfer();
                frames++;
            }
            while (!t.Aborted && t.More);
            Assert.IsTrue(t.Aborted, "the delivery ends with an aborted transfer (2.6.14)");
            Assert.IsTrue(frames < 20, "the whole message went out: " + frames + " frames");
            h.Peer.ExpectNothing("nothing after the abort");
            Assert.IsTrue(link.IsAttached);
            Assert.AreEqual(0, link.InFlight);

            link.Send(new Message(new byte[] { 1 }), null);
            h.Pump();
            Transfer next = h.Peer.ExpectTransfer();
            Assert.AreEqual(1u, next.DeliveryId);
            Assert.IsFalse(next.Aborted);
        }

        [TestMethod]
        public void Cancel_MidMessageWithoutWindow_DetachesTheLink()
        {
            EngineHarness h = EngineHarness.Connected(null, 512, 0);
            Session s = h.BeginSession(0, 2);
            SenderLink link = h.AttachSender(s, 10);
            OutgoingDelivery d = link.Send(new Message(ScriptedAmqpPeer.Pattern(3000)), null);
            h.Pump();
            h.Peer.ExpectTransfer();
            h.Peer.ExpectTransfer();

            Assert.IsTrue(link.Cancel(d));
            h.Pump();

            Detach detach = h.Peer.ExpectDetach();
            Assert.IsNotNull(detach.Error);
            Assert.IsTrue(link.IsEnded);
            Assert.AreEqual(0, link.InFlight);
        }

        [TestMethod]
        public void Cancel_Unsettled_AbandonsItAndALateOutcomeFreesTheSlot()
        {
            EngineHarness h = EngineHarness.Connected();
            Session s = h.BeginSession();
            SenderLink link = h.AttachSender(s, 10);
            OutgoingDelivery d = link.Send(new Message(new byte[] { 1 }), "owner");
            h.Pump();

            Assert.IsFalse(link.Cancel(d), "it is on the wire");
            Assert.IsTrue(d.Abandoned);
            Assert.IsNull(d.Owner);
            Assert.AreEqual(1, link.AbandonedCount);
            h.ClearEvents();
            h.Peer.SendDisposition(d.Id, d.Id, Accepted.Instance);
            h.Pump();

            Assert.AreEqual(DeliveryStatus.Free, d.Status);
            Assert.AreEqual(0, link.InFlight);
            Assert.IsFalse(h.Saw(link, EngineEvent.Outcomes), "nobody waits for it");
        }

        [TestMethod]
        public void Cancel_AllUnsettled_LinkEndFreesTheAbandonedSlots()
        {
            EngineHarness h = EngineHarness.Connected();
            Session s = h.BeginSession();
            SenderLink link = h.AttachSender(s, 100);
            OutgoingDelivery[] sends = new OutgoingDelivery[SenderLink.MaxInFlight];
            for (int i = 0; i < sends.Length; i++) sends[i] = link.Send(new Message(new byte[] { 1 }), null);
            h.Pump();
            for (int i = 0; i < sends.Length; i++) Assert.IsFalse(link.Cancel(sends[i]));
            Assert.AreEqual(SenderLink.MaxInFlight, link.AbandonedCount);

            h.Peer.SendDetach(0, true, new Error(ErrorCode.DetachForced, "gone"));
            h.Pump();

            Assert.AreEqual(0, link.InFlight, "the link's end frees abandoned slots");
            Assert.IsNull(link.NextCompleted(), "nobody is told about them");
        }
    }
}
