// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
using System.Threading;
using IotHubAmqp.Device.Buffers;
using IotHubAmqp.Device.Engine;
using IotHubAmqp.Device.Framing;
using IotHubAmqp.Device.Messaging;
using nanoFramework.TestFramework;

namespace IotHubAmqp.Device.Tests.Engine
{
    [TestClass]
    public class SenderLinkTests
    {
        private const int Timeout = ScriptedAmqpPeer.TimeoutMs;

        [TestMethod]
        public void AttachSender_Always_SendsAttachAsSenderWithTarget()
        {
            var peer = new ScriptedAmqpPeer();
            try
            {
                Connection c = peer.Connect();
                Session s = peer.BeginSession(c);
                SenderLink link = s.AttachSender("telemetry", "/devices/d1/messages/events", SenderSettleMode.Unsettled, null);

                Assert.AreEqual(LinkState.AttachSent, link.State);
                Attach a = peer.ExpectAttach();
                Assert.AreEqual("telemetry", a.Name);
                Assert.AreEqual(link.Handle, a.Handle);
                Assert.AreEqual(Role.Sender, a.Role);
                Assert.AreEqual(SenderSettleMode.Unsettled, a.SndSettleMode);
                Assert.AreEqual("/devices/d1/messages/events", a.Target.Address);
                Assert.IsNotNull(a.Source);
                Assert.IsTrue(a.HasInitialDeliveryCount, "a sender must send initial-delivery-count (2.7.3)");
                Assert.AreEqual(0u, a.InitialDeliveryCount);

                peer.AnswerAttach(a, 3);
                link.WaitAttached(Timeout);
                Assert.IsTrue(link.IsAttached);
                Assert.AreEqual(3u, link.RemoteHandle);
            }
            finally
            {
                peer.Dispose();
            }
        }

        [TestMethod]
        public void BeginSend_SmallMessageWithCredit_OneTransportSendWithTransferAndPayload()
        {
            var peer = new ScriptedAmqpPeer();
            try
            {
                Connection c = peer.Connect();
                Session s = peer.BeginSession(c);
                SenderLink link = peer.AttachSender(s, 10);
                byte[] body = ScriptedAmqpPeer.Pattern(200);
                int before = peer.Client.SendCount;

                OutgoingDelivery d = link.BeginSend(new Message(body), Timeout);

                Assert.AreEqual(before + 1, peer.Client.SendCount, "transfer and payload must leave in one write");
                byte[] sent = peer.Client.Sent(before);
                Assert.AreEqual((int)BigEndian.Get32(sent, 0), sent.Length, "the write is exactly one frame");
                PeerFrame f = peer.Expect(IotHubAmqp.Device.Types.Descriptor.Transfer);
                var t = (Transfer)f.Performative;
                Assert.AreEqual(0u, t.Handle);
                Assert.IsTrue(t.HasDeliveryId);
                Assert.AreEqual(d.Id, t.DeliveryId);
                Assert.IsNotNull(t.DeliveryTag);
                Assert.IsFalse(t.More);
                Assert.IsFalse(t.Settled);
                CollectionAssert.AreEqual(body, ScriptedAmqpPeer.DecodeBody(f.Payload));

                peer.SendDisposition(d.Id, d.Id, Accepted.Instance);
                Assert.IsInstanceOfType(link.EndSend(d, Timeout), typeof(Accepted));
            }
            finally
            {
                peer.Dispose();
            }
        }

        [TestMethod]
        [DataRow("accepted")]
        [DataRow("rejected")]
        [DataRow("released")]
        [DataRow("modified")]
        public void Send_PeerSettlesWithOutcome_ReturnsThatOutcome(string kind)
        {
            var peer = new ScriptedAmqpPeer();
            try
            {
                Connection c = peer.Connect();
                Session s = peer.BeginSession(c);
                SenderLink link = peer.AttachSender(s, 10);
                peer.Start(p =>
                {
                    p.ReadDelivery(out Transfer t, out int frames);
                    p.SendDisposition(t.DeliveryId, t.DeliveryId, NewOutcome(kind));
                });

                Outcome o = link.Send(new Message(new byte[] { 1, 2, 3 }), Timeout);
                peer.Join();

                Assert.IsNotNull(o);
                Assert.AreEqual(NewOutcome(kind).DescriptorCode, o.DescriptorCode);
                if (o is Rejected r)
                {
                    Assert.AreEqual(ErrorCode.ResourceLimitExceeded, r.Error.Condition);
                    Assert.AreEqual("throttled", r.Error.Description);
                }
                if (o is Modified m)
                {
                    Assert.IsTrue(m.DeliveryFailed);
                    Assert.IsTrue(m.UndeliverableHere);
                }
            }
            finally
            {
                peer.Dispose();
            }
        }

        [TestMethod]
        public void Send_NoCredit_ThrowsTimeoutWithoutSending()
        {
            var peer = new ScriptedAmqpPeer();
            try
            {
                Connection c = peer.Connect();
                Session s = peer.BeginSession(c);
                SenderLink link = peer.AttachSender(s, 0);
                int before = peer.Client.SendCount;

                long t0 = ScriptedAmqpPeer.Now();
                AmqpException e = Expect.AmqpError(ErrorCode.Timeout, () => link.Send(new Message(new byte[] { 1 }), 300));
                long elapsed = ScriptedAmqpPeer.Now() - t0;

                Assert.AreEqual("com.microsoft:timeout", e.Condition);
                Assert.IsTrue(elapsed >= 250 && elapsed < 2000, "timed out after " + elapsed + " ms");
                Assert.AreEqual(before, peer.Client.SendCount, "nothing may be sent without credit");
            }
            finally
            {
                peer.Dispose();
            }
        }

        [TestMethod]
        public void BeginSend_CreditUsedUp_WaitsForTheNextFlow()
        {
            var peer = new ScriptedAmqpPeer();
            try
            {
                Connection c = peer.Connect();
                Session s = peer.BeginSession(c);
                SenderLink link = peer.AttachSender(s, 1);
                link.BeginSend(new Message(new byte[] { 1 }), Timeout);
                peer.ReadDelivery(out Transfer first, out int frames);
                peer.Start(p =>
                {
                    Thread.Sleep(200);
                    // 2.6.7: credit counts from the receiver's delivery-count, now 1.
                    p.SendLinkFlow(0, 1, 1, 1);
                });

                long t0 = ScriptedAmqpPeer.Now();
                OutgoingDelivery d = link.BeginSend(new Message(new byte[] { 2 }), Timeout);
                long elapsed = ScriptedAmqpPeer.Now() - t0;
                peer.Join();

                Assert.IsTrue(elapsed >= 150, "the second send did not wait for credit (" + elapsed + " ms)");
                peer.ReadDelivery(out Transfer second, out frames);
                Assert.AreEqual(first.DeliveryId + 1, second.DeliveryId);
                Assert.AreEqual(d.Id, second.DeliveryId);
            }
            finally
            {
                peer.Dispose();
            }
        }

        [TestMethod]
        public void BeginSend_LargerThanPeerMaxFrameSize_SplitsIntoFramesThePeerReassembles()
        {
            var peer = new ScriptedAmqpPeer();
            try
            {
                Connection c = peer.Connect(null, 512, 0);
                Session s = peer.BeginSession(c);
                SenderLink link = peer.AttachSender(s, 10);
                byte[] body = ScriptedAmqpPeer.Pattern(3000);
                int before = peer.Client.SendCount;

                OutgoingDelivery d = link.BeginSend(new Message(body), Timeout);

                int writes = peer.Client.SendCount - before;
                for (int i = 0; i < writes; i++)
                {
                    byte[] w = peer.Client.Sent(before + i);
                    Assert.IsTrue(w.Length <= 512, "frame " + i + " has " + w.Length + " bytes, over the peer's 512");
                    Assert.AreEqual((int)BigEndian.Get32(w, 0), w.Length, "one frame per write");
                }
                byte[] payload = peer.ReadDelivery(out Transfer first, out int frames);
                Assert.AreEqual(writes, frames);
                Assert.IsTrue(frames >= 6, "3000 bytes in 512-byte frames need at least 6, got " + frames);
                CollectionAssert.AreEqual(body, ScriptedAmqpPeer.DecodeBody(payload));

                peer.SendDisposition(first.DeliveryId, first.DeliveryId, Accepted.Instance);
                Assert.IsInstanceOfType(link.EndSend(d, Timeout), typeof(Accepted));
            }
            finally
            {
                peer.Dispose();
            }
        }

        [TestMethod]
        public void BeginSend_MultiFrame_EveryFrameButTheLastHasMore()
        {
            var peer = new ScriptedAmqpPeer();
            try
            {
                Connection c = peer.Connect(null, 512, 0);
                Session s = peer.BeginSession(c);
                SenderLink link = peer.AttachSender(s, 10);
                link.BeginSend(new Message(ScriptedAmqpPeer.Pattern(1500)), Timeout);

                int frames = 0;
                while (true)
                {
                    PeerFrame f = peer.Expect(IotHubAmqp.Device.Types.Descriptor.Transfer);
                    var t = (Transfer)f.Performative;
                    frames++;
                    Assert.AreEqual(0u, t.Handle);
                    if (!t.More) break;
                    Assert.IsTrue(f.Payload.Length > 0, "a more=true frame must carry payload");
                }
                Assert.IsTrue(frames >= 3, "1500 bytes in 512-byte frames need at least 3, got " + frames);
                Assert.IsNull(peer.TryReadPerformative(100), "nothing after the frame with more=false");
            }
            finally
            {
                peer.Dispose();
            }
        }

        [TestMethod]
        public void BeginSend_MessageOverPeerMaxMessageSize_ThrowsMessageSizeExceeded()
        {
            // The peer announced max-message-size 100 (2.7.3); a 300-byte message fits one frame but not that limit.
            var peer = new ScriptedAmqpPeer();
            try
            {
                Connection c = peer.Connect();
                Session s = peer.BeginSession(c);
                SenderLink link = peer.AttachSender(s, 10, 0, 100);
                Assert.AreEqual(100ul, link.RemoteMaxMessageSize);
                int before = peer.Client.SendCount;

                Expect.AmqpError(ErrorCode.MessageSizeExceeded, () => link.BeginSend(new Message(new byte[300]), Timeout));
                Assert.AreEqual(before, peer.Client.SendCount, "an oversized message must not be sent");
            }
            finally
            {
                peer.Dispose();
            }
        }

        [TestMethod]
        public void EndSend_PeerDetachesWithError_ThrowsThatCondition()
        {
            var peer = new ScriptedAmqpPeer();
            try
            {
                Connection c = peer.Connect();
                Session s = peer.BeginSession(c);
                SenderLink link = peer.AttachSender(s, 10);
                OutgoingDelivery d = link.BeginSend(new Message(new byte[] { 1 }), Timeout);
                peer.ReadDelivery(out Transfer t, out int frames);

                peer.SendDetach(0, true, new Error(ErrorCode.NotFound, "device deleted"));

                AmqpException e = Expect.AmqpError(ErrorCode.NotFound, () => link.EndSend(d, Timeout));
                Assert.Contains("device deleted", e.Description);
                Detach answer = peer.ExpectDetach();
                Assert.IsTrue(answer.Closed, "answer a closing detach with closed=true");
                Assert.AreEqual(link.Handle, answer.Handle);
                Assert.AreEqual(ErrorCode.NotFound, link.Error.Condition);
                Assert.IsTrue(c.IsOpen);
            }
            finally
            {
                peer.Dispose();
            }
        }

        [TestMethod]
        public void EndSend_PeerNeverSettles_ThrowsTimeout()
        {
            var peer = new ScriptedAmqpPeer();
            try
            {
                Connection c = peer.Connect();
                Session s = peer.BeginSession(c);
                SenderLink link = peer.AttachSender(s, 10);
                OutgoingDelivery d = link.BeginSend(new Message(new byte[] { 1 }), Timeout);

                Expect.AmqpError(ErrorCode.Timeout, () => link.EndSend(d, 200));
                Assert.IsTrue(d.Abandoned);
                // A late outcome frees the slot.
                peer.SendDisposition(d.Id, d.Id, Accepted.Instance);
                Assert.IsTrue(ScriptedAmqpPeer.WaitUntil(() => !d.InUse));
            }
            finally
            {
                peer.Dispose();
            }
        }

        [TestMethod]
        public void EndSend_DispositionRange_SettlesEveryDeliveryInIt()
        {
            var peer = new ScriptedAmqpPeer();
            try
            {
                Connection c = peer.Connect();
                Session s = peer.BeginSession(c);
                SenderLink link = peer.AttachSender(s, 10);
                OutgoingDelivery d0 = link.BeginSend(new Message(new byte[] { 0 }), Timeout);
                OutgoingDelivery d1 = link.BeginSend(new Message(new byte[] { 1 }), Timeout);
                OutgoingDelivery d2 = link.BeginSend(new Message(new byte[] { 2 }), Timeout);
                uint first = d0.Id;

                peer.SendDisposition(first, first + 2, Accepted.Instance);

                Assert.IsInstanceOfType(link.EndSend(d0, Timeout), typeof(Accepted));
                Assert.IsInstanceOfType(link.EndSend(d1, Timeout), typeof(Accepted));
                Assert.IsInstanceOfType(link.EndSend(d2, Timeout), typeof(Accepted));
            }
            finally
            {
                peer.Dispose();
            }
        }

        [TestMethod]
        public void Send_SettledLink_ReturnsNullAndSendsSettled()
        {
            var peer = new ScriptedAmqpPeer();
            try
            {
                Connection c = peer.Connect();
                Session s = peer.BeginSession(c);
                SenderLink link = peer.AttachSender(s, 10, 0, 0, SenderSettleMode.Settled);

                Assert.IsNull(link.Send(new Message(new byte[] { 9 }), Timeout));
                peer.ReadDelivery(out Transfer t, out int frames);
                Assert.IsTrue(t.Settled);
            }
            finally
            {
                peer.Dispose();
            }
        }

        [TestMethod]
        public void WaitAttached_PeerRefuses_ThrowsPeerError()
        {
            var peer = new ScriptedAmqpPeer();
            try
            {
                Connection c = peer.Connect();
                Session s = peer.BeginSession(c);
                SenderLink link = s.AttachSender("s", "/no/such/node", SenderSettleMode.Unsettled, null);
                peer.AnswerAttach(peer.ExpectAttach(), 0, 0, true);
                peer.SendDetach(0, true, new Error(ErrorCode.NotFound, "no such node"));

                AmqpException e = Expect.AmqpError(ErrorCode.NotFound, () => link.WaitAttached(Timeout));
                Assert.AreEqual("no such node", e.Description);
                Assert.IsFalse(link.IsAttached);
                Assert.IsTrue(peer.ExpectDetach().Closed);
            }
            finally
            {
                peer.Dispose();
            }
        }

        private static Outcome NewOutcome(string kind)
        {
            switch (kind)
            {
                case "accepted": return Accepted.Instance;
                case "released": return Released.Instance;
                case "rejected": return new Rejected { Error = new Error(ErrorCode.ResourceLimitExceeded, "throttled") };
                default: return new Modified { DeliveryFailed = true, UndeliverableHere = true };
            }
        }
    }
}
