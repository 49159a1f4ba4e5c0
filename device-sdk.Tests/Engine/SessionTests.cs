// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
using System.Threading;
using IotHubAmqp.Device.Engine;
using IotHubAmqp.Device.Framing;
using IotHubAmqp.Device.Messaging;
using nanoFramework.TestFramework;

namespace IotHubAmqp.Device.Tests.Engine
{
    [TestClass]
    public class SessionTests
    {
        private const int Timeout = ScriptedAmqpPeer.TimeoutMs;

        [TestMethod]
        public void BeginSession_Always_SendsBeginWithWindowAndHandleMax()
        {
            var peer = new ScriptedAmqpPeer();
            try
            {
                Connection c = peer.Connect();
                Session s = c.BeginSession(100);

                Assert.AreEqual(SessionState.BeginSent, s.State);
                PeerFrame f = peer.Expect(IotHubAmqp.Device.Types.Descriptor.Begin);
                var b = (Begin)f.Performative;
                Assert.AreEqual(s.Channel, f.Channel);
                Assert.IsFalse(b.HasRemoteChannel, "a client-initiated begin has no remote-channel");
                Assert.AreEqual(0u, b.NextOutgoingId);
                Assert.AreEqual(100u, b.IncomingWindow);
                Assert.AreEqual((uint)(Session.MaxLinks - 1), b.HandleMax);
            }
            finally
            {
                peer.Dispose();
            }
        }

        [TestMethod]
        public void WaitMapped_PeerAnswersOnOtherChannel_MapsAndRoutesItsFrames()
        {
            var peer = new ScriptedAmqpPeer();
            try
            {
                Connection c = peer.Connect();
                Session s = c.BeginSession(0);
                peer.AnswerBegin(9);
                s.WaitMapped(Timeout);

                Assert.AreEqual(SessionState.Mapped, s.State);
                Assert.IsTrue(s.HasRemoteChannel);
                Assert.AreEqual((ushort)9, s.RemoteChannel);
                // Frames the peer sends on its channel 9 reach this session's links.
                SenderLink link = peer.AttachSender(s, 1);
                Assert.IsTrue(link.IsAttached);
            }
            finally
            {
                peer.Dispose();
            }
        }

        [TestMethod]
        public void WaitMapped_PeerSilent_ThrowsTimeout()
        {
            var peer = new ScriptedAmqpPeer();
            try
            {
                Connection c = peer.Connect();
                Session s = c.BeginSession(0);
                long t0 = ScriptedAmqpPeer.Now();
                Expect.AmqpError(ErrorCode.Timeout, () => s.WaitMapped(200));
                long elapsed = ScriptedAmqpPeer.Now() - t0;
                Assert.IsTrue(elapsed >= 150 && elapsed < 2000, "waited " + elapsed + " ms");
            }
            finally
            {
                peer.Dispose();
            }
        }

        [TestMethod]
        public void OnEnd_PeerEndsWithError_SessionAndLinksCarryIt()
        {
            var peer = new ScriptedAmqpPeer();
            try
            {
                Connection c = peer.Connect();
                Session s = peer.BeginSession(c);
                SenderLink link = peer.AttachSender(s, 0);

                peer.SendEnd(new Error(ErrorCode.ResourceLimitExceeded, "too many sessions"));

                End answer = peer.ExpectEnd();
                Assert.IsNull(answer.Error, "the answer to an end carries no error");
                Assert.IsTrue(ScriptedAmqpPeer.WaitUntil(() => s.State == SessionState.Ended));
                Assert.AreEqual(ErrorCode.ResourceLimitExceeded, s.Error.Condition);
                Assert.AreEqual(ErrorCode.ResourceLimitExceeded, link.Error.Condition);
                Assert.AreEqual("too many sessions", link.Error.Description);
                Expect.AmqpError(ErrorCode.ResourceLimitExceeded, () => link.Send(new Message(new byte[] { 1 }), 200));
                Assert.IsTrue(c.IsOpen, "ending a session leaves the connection open");
            }
            finally
            {
                peer.Dispose();
            }
        }

        [TestMethod]
        public void OnEnd_PeerEndsWhileSendWaitsForCredit_SendFailsAtOnceWithThatError()
        {
            var peer = new ScriptedAmqpPeer();
            try
            {
                Connection c = peer.Connect();
                Session s = peer.BeginSession(c);
                SenderLink link = peer.AttachSender(s, 0);
                peer.Start(p =>
                {
                    Thread.Sleep(200);
                    p.SendEnd(new Error(ErrorCode.NotFound, "hub gone"));
                });

                long t0 = ScriptedAmqpPeer.Now();
                Expect.AmqpError(ErrorCode.NotFound, () => link.Send(new Message(new byte[] { 1 }), Timeout));
                long elapsed = ScriptedAmqpPeer.Now() - t0;
                peer.Join();
                Assert.IsTrue(elapsed < 2000, "the send waited " + elapsed + " ms after the session ended");
            }
            finally
            {
                peer.Dispose();
            }
        }

        [TestMethod]
        public void End_Local_SendsEndAndFailsLinks()
        {
            var peer = new ScriptedAmqpPeer();
            try
            {
                Connection c = peer.Connect();
                Session s = peer.BeginSession(c);
                SenderLink link = peer.AttachSender(s, 5);

                s.End();

                Assert.IsNull(peer.ExpectEnd().Error);
                Assert.AreEqual(SessionState.EndSent, s.State);
                Expect.AmqpError(ErrorCode.IllegalState, () => link.Send(new Message(new byte[] { 1 }), 200));
                peer.SendEnd(null);
                Assert.IsTrue(ScriptedAmqpPeer.WaitUntil(() => s.State == SessionState.Ended));
                Assert.IsNull(peer.TryReadPerformative(200), "no second end in answer to the peer's end");
                // The channel is free again.
                Session next = peer.BeginSession(c);
                Assert.AreEqual(s.Channel, next.Channel);
            }
            finally
            {
                peer.Dispose();
            }
        }

        [TestMethod]
        public void AttachSender_BeyondPeerHandleMax_IsRefused()
        {
            // 2.7.2: handle-max is the highest handle the peer accepts on this session.
            var peer = new ScriptedAmqpPeer();
            try
            {
                Connection c = peer.Connect();
                Session s = c.BeginSession(0);
                peer.AnswerBegin(0, 1000, 0);
                s.WaitMapped(Timeout);
                SenderLink first = s.AttachSender("a", "x", SenderSettleMode.Unsettled, null);
                Assert.AreEqual(0u, first.Handle);

                Expect.AmqpError(ErrorCode.ResourceLimitExceeded, () => s.AttachSender("b", "y", SenderSettleMode.Unsettled, null));
            }
            finally
            {
                peer.Dispose();
            }
        }

        [TestMethod]
        public void BeginSend_MultiFrameMessage_StaysWithinPeerIncomingWindow()
        {
            // 2.5.6: every transfer frame uses one unit of the peer's incoming window; a sender must stop
            // at zero and go on when the peer's flow reopens it.
            var peer = new ScriptedAmqpPeer();
            try
            {
                Connection c = peer.Connect(null, 512, 0);
                Session s = c.BeginSession(0);
                peer.AnswerBegin(0, 2);
                s.WaitMapped(Timeout);
                SenderLink link = peer.AttachSender(s, 10);
                byte[] body = ScriptedAmqpPeer.Pattern(3000);
                peer.Start(p =>
                {
                    p.Expect(IotHubAmqp.Device.Types.Descriptor.Transfer);
                    p.Expect(IotHubAmqp.Device.Types.Descriptor.Transfer);
                    PeerFrame third = p.TryReadPerformative(200);
                    Assert.IsNull(third, "a third transfer frame went beyond the peer's incoming window of 2");
                });

                try
                {
                    link.BeginSend(new Message(body), 1000);
                }
                catch (AmqpException)
                {
                    // Waiting for the window may time out here: the frame count is what is checked.
                }
                peer.Join();
            }
            finally
            {
                peer.Dispose();
            }
        }

        [TestMethod]
        public void OnFlow_SessionFlowWithEcho_AnswersWithSessionState()
        {
            var peer = new ScriptedAmqpPeer();
            try
            {
                Connection c = peer.Connect();
                Session s = peer.BeginSession(c);
                var f = new Flow();
                f.HasNextIncomingId = true;
                f.NextIncomingId = 0;
                f.IncomingWindow = 50;
                f.NextOutgoingId = 0;
                f.OutgoingWindow = 50;
                f.Echo = true;
                peer.SendFrame(peer.Channel, f);

                Flow answer = peer.ExpectFlow();
                Assert.IsFalse(answer.HasHandle, "a session flow names no link");
                Assert.IsTrue(answer.HasNextIncomingId);
                Assert.AreEqual(0u, answer.NextIncomingId);
                Assert.AreEqual(0u, answer.NextOutgoingId);
                Assert.AreEqual(Session.DefaultIncomingWindow, answer.IncomingWindow);
                Assert.IsFalse(answer.Echo);
            }
            finally
            {
                peer.Dispose();
            }
        }

        [TestMethod]
        public void OnTransfer_IncomingWindowHalfUsed_SendsSessionFlowReopeningIt()
        {
            var peer = new ScriptedAmqpPeer();
            try
            {
                Connection c = peer.Connect();
                Session s = c.BeginSession(4);
                peer.AnswerBegin(0);
                s.WaitMapped(Timeout);
                ReceiverLink r = peer.AttachReceiver(s, 10);
                byte[] payload = ScriptedAmqpPeer.EncodeMessage(new byte[] { 7 });
                for (uint i = 0; i < 3; i++) peer.SendTransfer(0, i, payload);

                Flow f = peer.ExpectFlow();
                Assert.IsFalse(f.HasHandle, "the window refresh is a session flow");
                Assert.AreEqual(3u, f.NextIncomingId);
                Assert.AreEqual(4u, f.IncomingWindow);
                Assert.IsTrue(ScriptedAmqpPeer.WaitUntil(() => r.Queued == 3));
            }
            finally
            {
                peer.Dispose();
            }
        }
    }
}
