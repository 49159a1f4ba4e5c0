// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
using IotHubAmqp.Device.Buffers;
using IotHubAmqp.Device.Engine;
using IotHubAmqp.Device.Framing;
using IotHubAmqp.Device.Messaging;
using IotHubAmqp.Device.Types;
using nanoFramework.TestFramework;

namespace IotHubAmqp.Device.Tests.Engine
{
    [TestClass]
    public class SenderLinkTests
    {
        [TestMethod]
        public void AttachSender_Always_SendsAttachAsSenderWithTarget()
        {
            EngineHarness h = EngineHarness.Connected();
            Session s = h.BeginSession();
            SenderLink link = s.AttachSender("telemetry", "/devices/d1/messages/events", SenderSettleMode.Unsettled, null);
            h.Pump();

            Assert.AreEqual(LinkState.AttachSent, link.State);
            Attach a = h.Peer.ExpectAttach();
            Assert.AreEqual("telemetry", a.Name);
            Assert.AreEqual(link.Handle, a.Handle);
            Assert.AreEqual(Role.Sender, a.Role);
            Assert.AreEqual(SenderSettleMode.Unsettled, a.SndSettleMode);
            Assert.AreEqual("/devices/d1/messages/events", a.Target.Address);
            Assert.IsNotNull(a.Source);
            Assert.IsTrue(a.HasInitialDeliveryCount, "a sender must send initial-delivery-count (2.7.3)");
            Assert.AreEqual(0u, a.InitialDeliveryCount);

            h.Peer.AnswerAttach(a, 3);
            h.Pump();
            Assert.IsTrue(link.IsAttached);
            Assert.AreEqual(3u, link.RemoteHandle);
            Assert.AreEqual(EngineEvent.Attached, h.Kinds(link));
        }

        [TestMethod]
        public void Send_SmallMessageWithCredit_OneWriteWithTransferAndPayload()
        {
            EngineHarness h = EngineHarness.Connected();
            Session s = h.BeginSession();
            SenderLink link = h.AttachSender(s, 10);
            byte[] body = ScriptedAmqpPeer.Pattern(200);

            OutgoingDelivery d = link.Send(new Message(body), null);
            Assert.AreEqual(1, h.Pump(), "transfer and payload must leave in one write");

            byte[] sent = h.Write(h.WriteCount - 1).Bytes;
            Assert.AreEqual((int)BigEndian.Get32(sent, 0), sent.Length, "the write is exactly one frame");
            PeerFrame f = h.Peer.Expect(IotHubAmqp.Device.Types.Descriptor.Transfer);
            var t = (Transfer)f.Performative;
            Assert.AreEqual(0u, t.Handle);
            Assert.IsTrue(t.HasDeliveryId);
            Assert.AreEqual(d.Id, t.DeliveryId);
            Assert.IsNotNull(t.DeliveryTag);
            Assert.IsFalse(t.More);
            Assert.IsFalse(t.Settled);
            CollectionAssert.AreEqual(body, ScriptedAmqpPeer.DecodeBody(f.Payload));

            h.Peer.SendDisposition(d.Id, d.Id, Accepted.Instance);
            h.Pump();
            Assert.IsTrue(h.Saw(link, EngineEvent.Outcomes));
            Assert.AreSame(d, link.NextCompleted());
            Assert.IsInstanceOfType(d.Outcome, typeof(Accepted));
            link.Free(d);
            Assert.AreEqual(0, link.InFlight);
        }

        [TestMethod]
        public void Send_SixteenSmallMessages_ShareOneWrite()
        {
            EngineHarness h = EngineHarness.Connected();
            Session s = h.BeginSession();
            SenderLink link = h.AttachSender(s, 100);
            for (int i = 0; i < SenderLink.MaxInFlight; i++) link.Send(new Message(new byte[] { (byte)i, 1, 2, 3 }), null);

            Assert.AreEqual(1, h.Pump());
            for (int i = 0; i < SenderLink.MaxInFlight; i++)
            {
                h.Peer.ReadDelivery(out Transfer t, out int frames);
                Assert.AreEqual((uint)i, t.DeliveryId);
            }
        }

        [TestMethod]
        public void Send_SixteenInFlight_SeventeenthReturnsNullUntilAnOutcomeIsFreed()
        {
            EngineHarness h = EngineHarness.Connected();
            Session s = h.BeginSession();
            SenderLink link = h.AttachSender(s, 100);
            for (int i = 0; i < SenderLink.MaxInFlight; i++) Assert.IsNotNull(link.Send(new Message(new byte[] { 1 }), null));

            Assert.IsNull(link.Send(new Message(new byte[] { 2 }), null));
            h.Pump();
            h.Peer.SendDisposition(0, 0, Accepted.Instance);
            h.Pump();
            Assert.IsNull(link.Send(new Message(new byte[] { 2 }), null), "a completed slot is busy until freed");
            link.Free(link.NextCompleted());
            Assert.IsNotNull(link.Send(new Message(new byte[] { 2 }), null));
        }

        [TestMethod]
        public void Send_16KBody_TwoWritesTheBodyStraightFromTheCallersArray()
        {
            EngineHarness h = EngineHarness.Connected(null, 65536, 0);
            Session s = h.BeginSession();
            SenderLink link = h.AttachSender(s, 10);
            byte[] body = ScriptedAmqpPeer.Pattern(16384);
            link.Send(new Message(body), null);

            Assert.AreEqual(2, h.Pump(), "frame head, then the body");
            EngineWrite head = h.Write(h.WriteCount - 2);
            EngineWrite rest = h.Write(h.WriteCount - 1);
            Assert.AreSame(body, rest.Array, "the body is written from the caller's array, not copied");
            Assert.AreEqual(0, rest.Offset);
            Assert.AreEqual(16384, rest.Count);
            Assert.IsTrue(head.Count < 256, "the head write is " + head.Count + " bytes");
            Assert.AreEqual(head.Count + rest.Count, (int)BigEndian.Get32(head.Bytes, 0), "one frame over both writes");
            byte[] payload = h.Peer.ReadDelivery(out Transfer t, out int frames);
            Assert.AreEqual(1, frames);
            CollectionAssert.AreEqual(body, ScriptedAmqpPeer.DecodeBody(payload));
        }

        [TestMethod]
        public void Send_HeadLargerThanItsFirstBuffer_IsEncodedAgainAndArrivesWhole()
        {
            EngineHarness h = EngineHarness.Connected(null, 65536, 0);
            Session s = h.BeginSession();
            SenderLink link = h.AttachSender(s, 10);
            byte[] body = ScriptedAmqpPeer.Pattern(100);
            var m = new Message(body);
            m.ApplicationProperties = new AmqpMap();
            string big = new string('p', 1500); // the head outgrows the link's first 256-byte buffer, twice over
            m.ApplicationProperties["big"] = big;
            OutgoingDelivery d = link.Send(m, null);
            h.Pump();

            byte[] payload = h.Peer.ReadDelivery(out Transfer t, out int frames);
            Assert.AreEqual(1, frames);
            Message got = MessageCodec.Decode(new ByteBuffer(payload, 0, payload.Length));
            Assert.AreEqual(big, (string)got.ApplicationProperties["big"]);
            CollectionAssert.AreEqual(body, got.GetBytes());
            Assert.AreEqual(DeliveryStatus.Unsettled, d.Status);
        }

        [TestMethod]
        public void Send_MultiFrameLargeBody_EveryBodyWriteIsTheCallersArray()
        {
            EngineHarness h = EngineHarness.Connected(null, 4096, 0);
            Session s = h.BeginSession();
            SenderLink link = h.AttachSender(s, 10);
            byte[] body = ScriptedAmqpPeer.Pattern(11000);
            link.Send(new Message(body), null);
            int first = h.WriteCount;
            h.Pump();

            int fromBody = 0;
            int bodyBytes = 0;
            for (int i = first; i < h.WriteCount; i++)
            {
                EngineWrite w = h.Write(i);
                Assert.IsTrue(w.Count <= 4096, "write " + i + " has " + w.Count + " bytes");
                if (w.Array != body) continue;
                fromBody++;
                Assert.AreEqual(bodyBytes, w.Offset, "body pieces follow each other");
                bodyBytes += w.Count;
            }
            Assert.AreEqual(3, fromBody, "11000 bytes in 4 KB frames: three body pieces, each over the copy limit");
            Assert.AreEqual(11000, bodyBytes);
            byte[] payload = h.Peer.ReadDelivery(out Transfer t, out int frames);
            Assert.AreEqual(3, frames);
            CollectionAssert.AreEqual(body, ScriptedAmqpPeer.DecodeBody(payload));
        }

        [TestMethod]
        [DataRow("accepted")]
        [DataRow("rejected")]
        [DataRow("released")]
        [DataRow("modified")]
        public void Send_PeerSettlesWithOutcome_CompletesWithThatOutcome(string kind)
        {
            EngineHarness h = EngineHarness.Connected();
            Session s = h.BeginSession();
            SenderLink link = h.AttachSender(s, 10);
            OutgoingDelivery d = link.Send(new Message(new byte[] { 1, 2, 3 }), null);
            h.Pump();
            h.Peer.ReadDelivery(out Transfer t, out int frames);
            h.Peer.SendDisposition(t.DeliveryId, t.DeliveryId, NewOutcome(kind));
            h.Pump();

            Outcome o = d.Outcome;
            Assert.IsNotNull(o);
            Assert.IsNull(d.Error);
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

        [TestMethod]
        public void Send_LargerThanPeerMaxFrameSize_SplitsIntoFramesWithinItsLimit()
        {
            EngineHarness h = EngineHarness.Connected(null, 512, 0);
            Session s = h.BeginSession();
            SenderLink link = h.AttachSender(s, 10);
            byte[] body = ScriptedAmqpPeer.Pattern(3000);
            OutgoingDelivery d = link.Send(new Message(body), null);
            h.Pump();

            int frames = 0;
            byte[] all = new byte[0];
            while (true)
            {
                int before = h.Peer.Unread;
                PeerFrame f = h.Peer.ReadFrame();
                Assert.IsTrue(before - h.Peer.Unread <= 512, "frame " + frames + " has " + (before - h.Peer.Unread) + " bytes, over the peer's 512");
                var t = (Transfer)f.Performative;
                Assert.AreEqual(0u, t.Handle);
                Assert.AreEqual(frames == 0, t.HasDeliveryId, "the delivery-id goes on the first frame only");
                byte[] grown = new byte[all.Length + f.Payload.Length];
                System.Array.Copy(all, grown, all.Length);
                System.Array.Copy(f.Payload, 0, grown, all.Length, f.Payload.Length);
                all = grown;
                frames++;
                if (!t.More) break;
                Assert.IsTrue(f.Payload.Length > 0, "a more=true frame must carry payload");
            }
            Assert.IsTrue(frames >= 6, "3000 bytes in 512-byte frames need at least 6, got " + frames);
            CollectionAssert.AreEqual(body, ScriptedAmqpPeer.DecodeBody(all));
            h.Peer.ExpectNothing("nothing after the frame with more=false");

            h.Peer.SendDisposition(d.Id, d.Id, Accepted.Instance);
            h.Pump();
            Assert.IsInstanceOfType(d.Outcome, typeof(Accepted));
        }

        [TestMethod]
        public void Send_MessageOverPeerMaxMessageSize_CompletesWithMessageSizeExceededUnsent()
        {
            // The peer announced max-message-size 100 (2.7.3); a 300-byte message fits one frame but not that limit.
            EngineHarness h = EngineHarness.Connected();
            Session s = h.BeginSession();
            SenderLink link = h.AttachSender(s, 10, 0, 100);
            Assert.AreEqual(100ul, link.RemoteMaxMessageSize);

            OutgoingDelivery d = link.Send(new Message(new byte[300]), null);
            Assert.AreEqual(0, h.Pump(), "an oversized message must not be sent");

            Assert.AreSame(d, link.NextCompleted());
            Assert.AreEqual(ErrorCode.MessageSizeExceeded, d.Error.Condition);
            Assert.IsTrue(d.NeverSent);
            Assert.IsTrue(link.IsAttached, "the link stays usable");
        }

        [TestMethod]
        public void Send_PeerDetachesWithError_CompletesWithThatCondition()
        {
            EngineHarness h = EngineHarness.Connected();
            Session s = h.BeginSession();
            SenderLink link = h.AttachSender(s, 10);
            OutgoingDelivery d = link.Send(new Message(new byte[] { 1 }), null);
            h.Pump();
            h.Peer.ReadDelivery(out Transfer t, out int frames);

            h.Peer.SendDetach(0, true, new Error(ErrorCode.NotFound, "device deleted"));
            h.Pump();

            Assert.AreEqual(ErrorCode.NotFound, d.Error.Condition);
            Assert.Contains("device deleted", d.Error.Description);
            Assert.IsFalse(d.NeverSent, "it was on the wire: its fate is unknown");
            Detach answer = h.Peer.ExpectDetach();
            Assert.IsTrue(answer.Closed, "answer a closing detach with closed=true");
            Assert.AreEqual(link.Handle, answer.Handle);
            Assert.AreEqual(ErrorCode.NotFound, link.Error.Condition);
            Assert.AreEqual(EngineEvent.Attached | EngineEvent.Outcomes | EngineEvent.Ended, h.Kinds(link));
            Assert.IsTrue(h.Connection.IsOpen);
        }

        [TestMethod]
        public void Send_DispositionRange_SettlesEveryDeliveryInIt()
        {
            EngineHarness h = EngineHarness.Connected();
            Session s = h.BeginSession();
            SenderLink link = h.AttachSender(s, 10);
            OutgoingDelivery d0 = link.Send(new Message(new byte[] { 0 }), null);
            OutgoingDelivery d1 = link.Send(new Message(new byte[] { 1 }), null);
            OutgoingDelivery d2 = link.Send(new Message(new byte[] { 2 }), null);
            OutgoingDelivery d3 = link.Send(new Message(new byte[] { 3 }), null);
            h.Pump();

            h.Peer.SendDisposition(d0.Id, d0.Id + 2, Accepted.Instance);
            h.Pump();

            Assert.IsInstanceOfType(d0.Outcome, typeof(Accepted));
            Assert.IsInstanceOfType(d1.Outcome, typeof(Accepted));
            Assert.IsInstanceOfType(d2.Outcome, typeof(Accepted));
            Assert.AreEqual(DeliveryStatus.Unsettled, d3.Status, "outside the range");
        }

        [TestMethod]
        public void Send_SettledLink_CompletesAtOnceAndSendsSettled()
        {
            EngineHarness h = EngineHarness.Connected();
            Session s = h.BeginSession();
            SenderLink link = h.AttachSender(s, 10, 0, 0, SenderSettleMode.Settled);
            OutgoingDelivery d = link.Send(new Message(new byte[] { 9 }), null);
            h.Pump();

            h.Peer.ReadDelivery(out Transfer t, out int frames);
            Assert.IsTrue(t.Settled);
            Assert.AreEqual(DeliveryStatus.Done, d.Status);
            Assert.IsNull(d.Outcome, "sent settled: no outcome");
            Assert.IsNull(d.Error);
        }

        [TestMethod]
        public void Attach_PeerRefuses_EndsWithThePeersErrorNeverAttached()
        {
            EngineHarness h = EngineHarness.Connected();
            Session s = h.BeginSession();
            SenderLink link = s.AttachSender("s", "/no/such/node", SenderSettleMode.Unsettled, null);
            h.Pump();
            h.Peer.AnswerAttach(h.Peer.ExpectAttach(), 0, 0, true);
            h.Peer.SendDetach(0, true, new Error(ErrorCode.NotFound, "no such node"));
            h.Pump();

            Assert.AreEqual(EngineEvent.Ended, h.Kinds(link), "never reported attached");
            Assert.AreEqual(ErrorCode.NotFound, link.Error.Condition);
            Assert.AreEqual("no such node", link.Error.Description);
            Assert.IsFalse(link.IsAttached);
            Assert.IsTrue(h.Peer.ExpectDetach().Closed);
        }

        internal static Outcome NewOutcome(string kind)
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
