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
        private const int Timeout = ScriptedAmqpPeer.TimeoutMs;

        [TestMethod]
        public void Register_TwoLinks_GetDistinctHandles()
        {
            var peer = new ScriptedAmqpPeer();
            try
            {
                Connection c = peer.Connect();
                Session s = peer.BeginSession(c);
                SenderLink a = s.AttachSender("a", "x", SenderSettleMode.Unsettled, null);
                SenderLink b = s.AttachSender("b", "y", SenderSettleMode.Unsettled, null);
                Assert.AreNotEqual(a.Handle, b.Handle);
                Assert.AreEqual(a.Handle, peer.ExpectAttach().Handle);
                Assert.AreEqual(b.Handle, peer.ExpectAttach().Handle);
            }
            finally
            {
                peer.Dispose();
            }
        }

        [TestMethod]
        public void OnFlow_PeerHandlesDifferFromOurs_CreditReachesTheRightLink()
        {
            // 2.6.2: each side picks its own handles; frames from the peer name the peer's handle.
            var peer = new ScriptedAmqpPeer();
            try
            {
                Connection c = peer.Connect();
                Session s = peer.BeginSession(c);
                SenderLink a = s.AttachSender("a", "x", SenderSettleMode.Unsettled, null);
                SenderLink b = s.AttachSender("b", "y", SenderSettleMode.Unsettled, null);
                Attach attachA = peer.ExpectAttach();
                Attach attachB = peer.ExpectAttach();
                peer.AnswerAttach(attachA, 7);
                peer.AnswerAttach(attachB, 3);
                a.WaitAttached(Timeout);
                b.WaitAttached(Timeout);

                peer.SendLinkFlow(3, 0, 1);

                Assert.IsNotNull(b.BeginSend(new Message(new byte[] { 1 }), Timeout), "b got the credit");
                Expect.AmqpError(ErrorCode.Timeout, () => a.BeginSend(new Message(new byte[] { 2 }), 150));
                var t = (Transfer)peer.Expect(Descriptor.Transfer).Performative;
                Assert.AreEqual(b.Handle, t.Handle, "our transfer names our handle");
            }
            finally
            {
                peer.Dispose();
            }
        }

        [TestMethod]
        public void OnAttach_PeerAttach_RecordsPropertiesAndMaxMessageSize()
        {
            var peer = new ScriptedAmqpPeer();
            try
            {
                Connection c = peer.Connect();
                Session s = peer.BeginSession(c);
                var props = new AmqpMap();
                props[new Symbol("com.microsoft:client-version")] = "test/1.0";
                SenderLink link = s.AttachSender("a", "x", SenderSettleMode.Unsettled, props);
                Attach sent = peer.ExpectAttach();
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
                peer.SendFrame(peer.Channel, answer);
                link.WaitAttached(Timeout);

                Assert.AreEqual(262144ul, link.RemoteMaxMessageSize);
                Assert.IsNotNull(link.RemoteProperties);
                Assert.AreEqual(1, link.RemoteProperties.Count);
            }
            finally
            {
                peer.Dispose();
            }
        }

        [TestMethod]
        public void WaitAttached_PeerSilent_ThrowsTimeout()
        {
            var peer = new ScriptedAmqpPeer();
            try
            {
                Connection c = peer.Connect();
                Session s = peer.BeginSession(c);
                SenderLink link = s.AttachSender("a", "x", SenderSettleMode.Unsettled, null);
                long t0 = ScriptedAmqpPeer.Now();
                Expect.AmqpError(ErrorCode.Timeout, () => link.WaitAttached(200));
                long elapsed = ScriptedAmqpPeer.Now() - t0;
                Assert.IsTrue(elapsed >= 150 && elapsed < 2000, "waited " + elapsed + " ms");
                Assert.AreEqual(LinkState.AttachSent, link.State);
            }
            finally
            {
                peer.Dispose();
            }
        }

        [TestMethod]
        public void Close_Attached_SendsClosingDetachAndFailsSends()
        {
            var peer = new ScriptedAmqpPeer();
            try
            {
                Connection c = peer.Connect();
                Session s = peer.BeginSession(c);
                SenderLink link = peer.AttachSender(s, 10);

                link.Close();

                Detach d = peer.ExpectDetach();
                Assert.AreEqual(link.Handle, d.Handle);
                Assert.IsTrue(d.Closed);
                Assert.IsNull(d.Error);
                Assert.AreEqual(LinkState.DetachSent, link.State);
                Expect.AmqpError(ErrorCode.IllegalState, () => link.Send(new Message(new byte[] { 1 }), 100));

                // The peer's answer completes the detach and is not answered again.
                peer.SendDetach(0, true, null);
                Assert.IsTrue(ScriptedAmqpPeer.WaitUntil(() => link.State == LinkState.Detached));
                Assert.IsNull(peer.TryReadPerformative(150), "the answer to our detach was answered");
                Assert.IsTrue(c.IsOpen);
            }
            finally
            {
                peer.Dispose();
            }
        }

        [TestMethod]
        [DataRow(true)]
        [DataRow(false)]
        public void OnDetach_PeerDetachesWithoutError_AnswersAndReportsDetachForced(bool closed)
        {
            var peer = new ScriptedAmqpPeer();
            try
            {
                Connection c = peer.Connect();
                Session s = peer.BeginSession(c);
                SenderLink link = peer.AttachSender(s, 10);

                peer.SendDetach(0, closed, null);

                Detach answer = peer.ExpectDetach();
                Assert.AreEqual(closed, answer.Closed, "the answer mirrors closed (2.7.7)");
                Assert.AreEqual(link.Handle, answer.Handle);
                Assert.IsTrue(ScriptedAmqpPeer.WaitUntil(() => link.State == LinkState.Detached));
                Assert.AreEqual(ErrorCode.DetachForced, link.Error.Condition);
            }
            finally
            {
                peer.Dispose();
            }
        }

        [TestMethod]
        public void OnConnectionEnded_PeerClosesWithError_LinksCarryIt()
        {
            var peer = new ScriptedAmqpPeer();
            try
            {
                Connection c = peer.Connect();
                Session s = peer.BeginSession(c);
                SenderLink sender = peer.AttachSender(s, 0);
                ReceiverLink receiver = peer.AttachReceiver(s, 2, 1000, 1);

                peer.SendClose(new Error(ErrorCode.ConnectionForced, "shutting down"));

                Assert.IsTrue(ScriptedAmqpPeer.WaitUntil(() => sender.State == LinkState.Detached && receiver.State == LinkState.Detached));
                Assert.AreEqual(ErrorCode.ConnectionForced, sender.Error.Condition);
                Assert.AreEqual(ErrorCode.ConnectionForced, receiver.Error.Condition);
                Assert.AreEqual(ErrorCode.ConnectionForced, s.Error.Condition);
                Expect.AmqpError(ErrorCode.ConnectionForced, () => receiver.Receive(100));
            }
            finally
            {
                peer.Dispose();
            }
        }
    }
}
