// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
using System;
using System.Threading;
using IotHubAmqp.Device.Engine;
using IotHubAmqp.Device.Framing;
using nanoFramework.TestFramework;

namespace IotHubAmqp.Device.Tests.Engine
{
    [TestClass]
    public class ReceiverLinkTests
    {
        private const int Timeout = ScriptedAmqpPeer.TimeoutMs;

        [TestMethod]
        public void AttachReceiver_Always_SendsAttachAndCreditBeforeAnyAnswer()
        {
            var peer = new ScriptedAmqpPeer();
            try
            {
                Connection c = peer.Connect();
                Session s = peer.BeginSession(c);
                ReceiverLink r = s.AttachReceiver("c2d", "/devices/d1/messages/devicebound", 5, ReceiverSettleMode.First, 10000, null);

                // Both frames arrive although the peer has not answered the attach (2.6.7 pipelining).
                Attach a = peer.ExpectAttach();
                Assert.AreEqual("c2d", a.Name);
                Assert.AreEqual(Role.Receiver, a.Role);
                Assert.AreEqual("/devices/d1/messages/devicebound", a.Source.Address);
                Assert.AreEqual(10000ul, a.MaxMessageSize);
                Assert.AreEqual(ReceiverSettleMode.First, a.RcvSettleMode);
                Flow f = peer.ExpectFlow();
                Assert.IsTrue(f.HasHandle);
                Assert.AreEqual(r.Handle, f.Handle);
                Assert.IsTrue(f.HasLinkCredit);
                Assert.AreEqual(5u, f.LinkCredit);
                Assert.AreEqual(0u, f.DeliveryCount);
            }
            finally
            {
                peer.Dispose();
            }
        }

        [TestMethod]
        public void Receive_TransfersWithinCredit_ReturnsThemInOrder()
        {
            var peer = new ScriptedAmqpPeer();
            try
            {
                Connection c = peer.Connect();
                Session s = peer.BeginSession(c);
                ReceiverLink r = peer.AttachReceiver(s, 4);
                for (uint i = 0; i < 3; i++) peer.SendTransfer(0, i, ScriptedAmqpPeer.EncodeMessage(new byte[] { (byte)(10 + i) }));

                Assert.IsTrue(ScriptedAmqpPeer.WaitUntil(() => r.Queued == 3));
                for (uint i = 0; i < 3; i++)
                {
                    IncomingDelivery d = r.Receive(Timeout);
                    Assert.IsNotNull(d);
                    Assert.AreEqual(i, d.Id);
                    Assert.AreSame(r, d.Link);
                    Assert.IsFalse(d.Settled);
                    CollectionAssert.AreEqual(new byte[] { (byte)(10 + i) }, d.Message.GetBytes());
                }
                Assert.AreEqual(0, r.Queued);
            }
            finally
            {
                peer.Dispose();
            }
        }

        [TestMethod]
        public void Receive_NothingArrives_ReturnsNullAfterTimeout()
        {
            var peer = new ScriptedAmqpPeer();
            try
            {
                Connection c = peer.Connect();
                Session s = peer.BeginSession(c);
                ReceiverLink r = peer.AttachReceiver(s, 4);
                long t0 = ScriptedAmqpPeer.Now();
                Assert.IsNull(r.Receive(200));
                long elapsed = ScriptedAmqpPeer.Now() - t0;
                Assert.IsTrue(elapsed >= 150 && elapsed < 2000, "returned after " + elapsed + " ms");
            }
            finally
            {
                peer.Dispose();
            }
        }

        [TestMethod]
        public void Receive_WaitingWhenTransferArrives_ReturnsIt()
        {
            var peer = new ScriptedAmqpPeer();
            try
            {
                Connection c = peer.Connect();
                Session s = peer.BeginSession(c);
                ReceiverLink r = peer.AttachReceiver(s, 4);
                peer.Start(p =>
                {
                    Thread.Sleep(150);
                    p.SendTransfer(0, 0, ScriptedAmqpPeer.EncodeMessage(new byte[] { 42 }));
                });

                IncomingDelivery d = r.Receive(Timeout);
                peer.Join();
                Assert.IsNotNull(d);
                CollectionAssert.AreEqual(new byte[] { 42 }, d.Message.GetBytes());
            }
            finally
            {
                peer.Dispose();
            }
        }

        [TestMethod]
        public void Receive_HalfOfCreditTaken_TopsCreditUp()
        {
            var peer = new ScriptedAmqpPeer();
            try
            {
                Connection c = peer.Connect();
                Session s = peer.BeginSession(c);
                ReceiverLink r = peer.AttachReceiver(s, 4);
                for (uint i = 0; i < 4; i++) peer.SendTransfer(0, i, ScriptedAmqpPeer.EncodeMessage(new byte[] { (byte)i }));
                Assert.IsTrue(ScriptedAmqpPeer.WaitUntil(() => r.Queued == 4));

                r.Receive(Timeout);
                Assert.IsNull(peer.TryReadPerformative(150), "no flow while more than half the credit is outstanding");
                r.Receive(Timeout);

                // 2 taken, 2 still queued: credit 4 - 2 queued = 2 more, counted from delivery-count 4.
                Flow f = peer.ExpectFlow();
                Assert.IsTrue(f.HasHandle);
                Assert.AreEqual(0u, f.Handle);
                Assert.AreEqual(4u, f.DeliveryCount);
                Assert.AreEqual(2u, f.LinkCredit);
            }
            finally
            {
                peer.Dispose();
            }
        }

        [TestMethod]
        public void OnTransfer_MultiFrameDelivery_ReassemblesTheMessage()
        {
            var peer = new ScriptedAmqpPeer();
            try
            {
                Connection c = peer.Connect();
                Session s = peer.BeginSession(c);
                ReceiverLink r = peer.AttachReceiver(s, 4);
                byte[] body = ScriptedAmqpPeer.Pattern(2500);
                byte[] payload = ScriptedAmqpPeer.EncodeMessage(body);
                SendInPieces(peer, payload, 3, true);

                IncomingDelivery d = r.Receive(Timeout);
                Assert.IsNotNull(d);
                Assert.AreEqual(0u, d.Id);
                CollectionAssert.AreEqual(body, d.Message.GetBytes());
                Assert.IsNull(r.Receive(50), "one delivery, not three");
            }
            finally
            {
                peer.Dispose();
            }
        }

        [TestMethod]
        public void OnTransfer_MultiFrameOverSizeCap_DetachesWithMessageSizeExceeded()
        {
            var peer = new ScriptedAmqpPeer();
            try
            {
                Connection c = peer.Connect();
                Session s = peer.BeginSession(c);
                ReceiverLink r = peer.AttachReceiver(s, 4, 500);
                byte[] payload = ScriptedAmqpPeer.EncodeMessage(ScriptedAmqpPeer.Pattern(900));
                // Two more=true pieces of 300+ bytes: the second crosses the 500-byte cap.
                int piece = payload.Length / 3;
                peer.SendTransfer(0, 0, Slice(payload, 0, piece), true);
                peer.SendTransfer(0, 0, Slice(payload, piece, piece), true, false, false);

                Detach d = peer.ExpectDetach();
                Assert.IsTrue(d.Closed);
                Assert.IsNotNull(d.Error);
                Assert.AreEqual(ErrorCode.MessageSizeExceeded, d.Error.Condition);
                Assert.IsTrue(ScriptedAmqpPeer.WaitUntil(() => !r.IsAttached), "the link still counts as attached");
            }
            finally
            {
                peer.Dispose();
            }
        }

        [TestMethod]
        public void Receive_AfterSizeCapDetach_ThrowsMessageSizeExceeded()
        {
            var peer = new ScriptedAmqpPeer();
            try
            {
                Connection c = peer.Connect();
                Session s = peer.BeginSession(c);
                ReceiverLink r = peer.AttachReceiver(s, 4, 500);
                byte[] payload = ScriptedAmqpPeer.EncodeMessage(ScriptedAmqpPeer.Pattern(900));
                int piece = payload.Length / 3;
                peer.SendTransfer(0, 0, Slice(payload, 0, piece), true);
                peer.SendTransfer(0, 0, Slice(payload, piece, piece), true, false, false);
                peer.ExpectDetach();

                // The application learns why its link ended.
                Expect.AmqpError(ErrorCode.MessageSizeExceeded, () => r.Receive(Timeout));
                Assert.IsNotNull(r.Error);
                Assert.AreEqual(ErrorCode.MessageSizeExceeded, r.Error.Condition);
            }
            finally
            {
                peer.Dispose();
            }
        }

        [TestMethod]
        public void OnTransfer_RestOfOversizedDeliveryInFlight_IgnoredAndConnectionStaysOpen()
        {
            // The peer sent the whole delivery before our detach reached it: the remaining
            // frames for the detaching handle must not bring the connection down.
            var peer = new ScriptedAmqpPeer();
            try
            {
                Connection c = peer.Connect();
                Session s = peer.BeginSession(c);
                ReceiverLink r = peer.AttachReceiver(s, 4, 500);
                byte[] payload = ScriptedAmqpPeer.EncodeMessage(ScriptedAmqpPeer.Pattern(900));
                SendInPieces(peer, payload, 3, true);

                peer.ExpectDetach();
                PeerFrame next = peer.TryReadPerformative(300);
                Assert.IsNull(next, "expected nothing more, got " + Describe(next));
                peer.SendDetach(0, true, null);
                Assert.IsNull(peer.TryReadPerformative(150), "the answer to our detach was answered");
                Assert.IsTrue(c.IsOpen, "connection ended: " + (c.Error == null ? "" : c.Error.Condition + " " + c.Error.Description));
            }
            finally
            {
                peer.Dispose();
            }
        }

        [TestMethod]
        public void OnTransfer_LastFrameCrossesSizeCap_DetachesAndConnectionStaysOpen()
        {
            var peer = new ScriptedAmqpPeer();
            try
            {
                Connection c = peer.Connect();
                Session s = peer.BeginSession(c);
                ReceiverLink r = peer.AttachReceiver(s, 4, 500);
                byte[] payload = ScriptedAmqpPeer.EncodeMessage(ScriptedAmqpPeer.Pattern(600));
                SendInPieces(peer, payload, 2, true);

                PeerFrame f = peer.TryReadPerformative(1000);
                Assert.IsTrue(f != null && f.Performative is Detach, "expected detach, got " + Describe(f));
                Assert.AreEqual(ErrorCode.MessageSizeExceeded, ((Detach)f.Performative).Error.Condition);
                Thread.Sleep(200);
                Assert.IsTrue(c.IsOpen, "connection ended: " + (c.Error == null ? "" : c.Error.Condition + " " + c.Error.Description));
                PeerFrame next = peer.TryReadPerformative(100);
                Assert.IsNull(next, "expected nothing more, got " + Describe(next));
            }
            finally
            {
                peer.Dispose();
            }
        }

        [TestMethod]
        public void OnTransfer_SingleFrameOverSizeCap_DetachesWithMessageSizeExceeded()
        {
            // We announced max-message-size 100 (2.7.3); a 300-byte message in one frame still exceeds it.
            var peer = new ScriptedAmqpPeer();
            try
            {
                Connection c = peer.Connect();
                Session s = peer.BeginSession(c);
                ReceiverLink r = peer.AttachReceiver(s, 4, 100);
                peer.SendTransfer(0, 0, ScriptedAmqpPeer.EncodeMessage(new byte[300]));

                PeerFrame f = peer.TryReadPerformative(1000);
                Assert.IsNotNull(f, "the oversized message was accepted silently (queued: " + r.Queued + ")");
                Assert.IsTrue(f.Performative is Detach, "expected detach, got " + IotHubAmqp.Device.Types.Descriptor.NameOf(f.Code));
                Assert.AreEqual(ErrorCode.MessageSizeExceeded, ((Detach)f.Performative).Error.Condition);
            }
            finally
            {
                peer.Dispose();
            }
        }

        [TestMethod]
        public void OnTransfer_BeyondCredit_ReportsTransferLimitExceeded()
        {
            // 2.6.7: a sender must not send without credit; the receiver reports transfer-limit-exceeded
            // (ideally by detaching the link; closing the connection also reports it).
            var peer = new ScriptedAmqpPeer();
            try
            {
                Connection c = peer.Connect();
                Session s = peer.BeginSession(c);
                peer.AttachReceiver(s, 1);
                peer.SendTransfer(0, 0, ScriptedAmqpPeer.EncodeMessage(new byte[] { 1 }));
                peer.SendTransfer(0, 1, ScriptedAmqpPeer.EncodeMessage(new byte[] { 2 }));

                PeerFrame f = peer.ReadPerformative();
                Error error = f.Performative is Detach d ? d.Error : f.Performative is Close cl ? cl.Error : null;
                Assert.IsNotNull(error, "expected detach or close with an error, got " + IotHubAmqp.Device.Types.Descriptor.NameOf(f.Code));
                Assert.AreEqual(ErrorCode.TransferLimitExceeded, error.Condition);
            }
            finally
            {
                peer.Dispose();
            }
        }

        [TestMethod]
        public void Accept_Delivery_SendsSettledAcceptedDisposition()
        {
            var peer = new ScriptedAmqpPeer();
            try
            {
                Connection c = peer.Connect();
                Session s = peer.BeginSession(c);
                ReceiverLink r = peer.AttachReceiver(s, 4);
                peer.SendTransfer(0, 7, ScriptedAmqpPeer.EncodeMessage(new byte[] { 1 }));
                IncomingDelivery d = r.Receive(Timeout);

                r.Accept(d);

                Disposition disp = peer.ExpectDisposition();
                Assert.AreEqual(Role.Receiver, disp.Role);
                Assert.AreEqual(7u, disp.First);
                Assert.IsTrue(!disp.HasLast || disp.Last == 7, "one delivery");
                Assert.IsTrue(disp.Settled, "rcv-settle-mode first settles with the outcome");
                Assert.IsInstanceOfType(disp.State, typeof(Accepted));
                Assert.IsTrue(d.Settled);
            }
            finally
            {
                peer.Dispose();
            }
        }

        [TestMethod]
        [DataRow("reject")]
        [DataRow("release")]
        [DataRow("modify")]
        public void Settle_OtherOutcomes_SendsThatOutcome(string kind)
        {
            var peer = new ScriptedAmqpPeer();
            try
            {
                Connection c = peer.Connect();
                Session s = peer.BeginSession(c);
                ReceiverLink r = peer.AttachReceiver(s, 4);
                peer.SendTransfer(0, 0, ScriptedAmqpPeer.EncodeMessage(new byte[] { 1 }));
                IncomingDelivery d = r.Receive(Timeout);

                if (kind == "reject") r.Reject(d, new Error(ErrorCode.DecodeError, "bad json"));
                else if (kind == "release") r.Release(d);
                else r.Modify(d, true, false);

                Outcome o = peer.ExpectDisposition().State;
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
            finally
            {
                peer.Dispose();
            }
        }

        [TestMethod]
        public void Accept_Twice_ThrowsIllegalStateAndSendsOneDisposition()
        {
            var peer = new ScriptedAmqpPeer();
            try
            {
                Connection c = peer.Connect();
                Session s = peer.BeginSession(c);
                ReceiverLink r = peer.AttachReceiver(s, 4);
                peer.SendTransfer(0, 0, ScriptedAmqpPeer.EncodeMessage(new byte[] { 1 }));
                IncomingDelivery d = r.Receive(Timeout);
                r.Accept(d);

                Expect.AmqpError(ErrorCode.IllegalState, () => r.Accept(d));
                Expect.AmqpError(ErrorCode.IllegalState, () => r.Release(d));
                peer.ExpectDisposition();
                Assert.IsNull(peer.TryReadPerformative(150), "a second disposition was sent");
            }
            finally
            {
                peer.Dispose();
            }
        }

        [TestMethod]
        public void Accept_DeliveryOfAnotherLink_ThrowsArgumentException()
        {
            var peer = new ScriptedAmqpPeer();
            try
            {
                Connection c = peer.Connect();
                Session s = peer.BeginSession(c);
                ReceiverLink r = peer.AttachReceiver(s, 4);
                peer.SendTransfer(0, 0, ScriptedAmqpPeer.EncodeMessage(new byte[] { 1 }));
                IncomingDelivery d = r.Receive(Timeout);
                ReceiverLink other = s.AttachReceiver("other", "x", 1, ReceiverSettleMode.First, 1000, null);

                Assert.ThrowsException(typeof(ArgumentException), () => other.Accept(d));
            }
            finally
            {
                peer.Dispose();
            }
        }

        [TestMethod]
        public void Receive_PeerDetachesWithError_ThrowsThatCondition()
        {
            var peer = new ScriptedAmqpPeer();
            try
            {
                Connection c = peer.Connect();
                Session s = peer.BeginSession(c);
                ReceiverLink r = peer.AttachReceiver(s, 4);
                peer.Start(p =>
                {
                    Thread.Sleep(150);
                    p.SendDetach(0, true, new Error(ErrorCode.Stolen, "another client attached"));
                });

                long t0 = ScriptedAmqpPeer.Now();
                Expect.AmqpError(ErrorCode.Stolen, () => r.Receive(Timeout));
                long elapsed = ScriptedAmqpPeer.Now() - t0;
                peer.Join();
                Assert.IsTrue(elapsed < 2000, "the waiting receive took " + elapsed + " ms to fail");
                Assert.IsTrue(peer.ExpectDetach().Closed);
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
                ReceiverLink r = s.AttachReceiver("r", "/no/such/queue", 4, ReceiverSettleMode.First, 1000, null);
                Attach a = peer.ExpectAttach();
                peer.ExpectFlow();
                peer.AnswerAttach(a, 0, 0, true);
                peer.SendDetach(0, true, new Error(ErrorCode.UnauthorizedAccess, "no rights"));

                Expect.AmqpError(ErrorCode.UnauthorizedAccess, () => r.WaitAttached(Timeout));
                Expect.AmqpError(ErrorCode.UnauthorizedAccess, () => r.Receive(100));
            }
            finally
            {
                peer.Dispose();
            }
        }

        private static string Describe(PeerFrame f)
        {
            if (f == null) return "nothing";
            string name = IotHubAmqp.Device.Types.Descriptor.NameOf(f.Code);
            Error e = f.Performative is Close cl ? cl.Error : f.Performative is Detach d ? d.Error : f.Performative is End en ? en.Error : null;
            return e == null ? name : name + " with " + e.Condition + ": " + e.Description;
        }

        private static void SendInPieces(ScriptedAmqpPeer peer, byte[] payload, int pieces, bool idOnFirstOnly)
        {
            int size = (payload.Length + pieces - 1) / pieces;
            for (int i = 0; i < pieces; i++)
            {
                int at = i * size;
                int n = at + size > payload.Length ? payload.Length - at : size;
                bool last = i == pieces - 1;
                peer.SendTransfer(0, 0, Slice(payload, at, n), !last, false, i == 0 || !idOnFirstOnly);
            }
        }

        private static byte[] Slice(byte[] a, int at, int n)
        {
            byte[] r = new byte[n];
            Array.Copy(a, at, r, 0, n);
            return r;
        }
    }
}
