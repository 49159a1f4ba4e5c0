// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
using IotHubAmqp.Device.Engine;
using IotHubAmqp.Device.Framing;
using IotHubAmqp.Device.Messaging;
using nanoFramework.TestFramework;

namespace IotHubAmqp.Device.Tests.Engine
{
    /// <summary>Heartbeats and the idle timeout (2.4.5) under virtual time.</summary>
    [TestClass]
    public class ConnectionTimerTests
    {
        [TestMethod]
        [DataRow(100)]
        [DataRow(400)]
        [DataRow(240000)]
        public void Heartbeat_PeerIdleTimeout_EverySilenceUnderHalfOfIt(int peerIdleMs)
        {
            ConnectionSettings s = ScriptedAmqpPeer.NewSettings();
            s.IdleTimeoutMs = 0;
            EngineHarness h = EngineHarness.Connected(s, 65536, (uint)peerIdleMs);
            int first = h.WriteCount;
            h.Advance(peerIdleMs * 10);

            int beats = h.WriteCount - first;
            Assert.IsTrue(beats >= 20, "only " + beats + " heartbeats in ten idle timeouts");
            long last = h.Write(first - 1).Time;
            for (int i = first; i < h.WriteCount; i++)
            {
                EngineWrite w = h.Write(i);
                Expect.Bytes(Expect.FromHex("00 00 00 08 02 00 00 00"), w.Bytes);
                Assert.IsTrue(2 * (w.Time - last) < peerIdleMs, "write " + i + " came " + (w.Time - last) + " ms after the previous one; the peer's idle timeout is " + peerIdleMs + " ms");
                last = w.Time;
            }
            Assert.IsTrue(2 * (h.Now - last) < peerIdleMs, "silent at the end for " + (h.Now - last) + " ms");
            Assert.IsTrue(h.Connection.IsOpen);
        }

        [TestMethod]
        public void Heartbeat_PeerIdleTimeout100_DeadlineIs33MsAfterTheLastWrite()
        {
            // A third of the peer's timeout: under half even with the network's jitter on top.
            EngineHarness h = EngineHarness.Connected(null, 65536, 100);
            Assert.AreEqual(33L, h.Connection.NextDeadline);
            h.Now = 32;
            h.Connection.Tick(h.Now);
            Assert.AreEqual(0, h.Pump(), "no heartbeat before the deadline");
            h.Now = 33;
            h.Connection.Tick(h.Now);
            Assert.AreEqual(1, h.Pump());
            Assert.AreEqual(66L, h.Connection.NextDeadline);
        }

        [TestMethod]
        public void Heartbeat_OtherTraffic_PostponesIt()
        {
            EngineHarness h = EngineHarness.Connected(null, 65536, 1000);
            Session s = h.BeginSession();
            SenderLink link = h.AttachSender(s, 10);
            h.Now = 300;
            link.Send(new Message(new byte[] { 1 }), null);
            Assert.AreEqual(1, h.Pump());

            Assert.AreEqual(630L, h.Connection.NextDeadline, "330 ms after the transfer, not after the open");
            int before = h.WriteCount;
            h.Advance(329);
            Assert.AreEqual(before, h.WriteCount, "a heartbeat right after traffic");
        }

        [TestMethod]
        public void Heartbeat_PeerWithoutIdleTimeout_SendsNoEmptyFrames()
        {
            ConnectionSettings s = ScriptedAmqpPeer.NewSettings();
            s.IdleTimeoutMs = 0;
            EngineHarness h = EngineHarness.Connected(s, 65536, 0);
            int before = h.WriteCount;

            Assert.AreEqual(long.MaxValue, h.Connection.NextDeadline);
            h.Advance(3600000);
            Assert.AreEqual(before, h.WriteCount);
        }

        [TestMethod]
        public void IdleTimeout_PeerSilent_EndsWithConnectionLostAndQueuesResourceLimitClose()
        {
            ConnectionSettings s = ScriptedAmqpPeer.NewSettings();
            s.IdleTimeoutMs = 500;
            EngineHarness h = EngineHarness.Connected(s);
            Assert.AreEqual(501L, h.Connection.NextDeadline);

            h.Advance(500);
            Assert.IsTrue(h.Connection.IsOpen, "ended at the idle timeout itself, not after it");
            h.Advance(1);

            Assert.IsTrue(h.Connection.IsEnded);
            Assert.AreEqual(ErrorCode.ConnectionLost, h.Connection.Error.Condition);
            Assert.Contains("idle timeout", h.Connection.Error.Description);
            Assert.IsTrue(h.Saw(h.Connection, EngineEvent.Ended));
            // 2.4.5: try to close gracefully, saying why.
            Close close = h.Peer.ExpectClose();
            Assert.IsNotNull(close.Error);
            Assert.AreEqual(ErrorCode.ResourceLimitExceeded, close.Error.Condition);
            Assert.Contains("idle", close.Error.Description);
            Assert.AreEqual(long.MaxValue, h.Connection.NextDeadline);
        }

        [TestMethod]
        public void IdleTimeout_PeerSendsHeartbeats_ConnectionStaysOpen()
        {
            ConnectionSettings s = ScriptedAmqpPeer.NewSettings();
            s.IdleTimeoutMs = 400;
            EngineHarness h = EngineHarness.Connected(s);
            for (int i = 0; i < 20; i++)
            {
                h.Advance(300);
                h.Peer.SendEmptyFrame();
                h.Pump();
            }
            Assert.IsTrue(h.Connection.IsOpen, "empty frames must count as traffic");
            Assert.IsNull(h.Connection.Error);
            h.Advance(401);
            Assert.IsTrue(h.Connection.IsEnded, "once they stop, the idle timeout ends it");
        }

        [TestMethod]
        public void IdleTimeout_WhileClosing_EndsTheConnection()
        {
            ConnectionSettings s = ScriptedAmqpPeer.NewSettings();
            s.IdleTimeoutMs = 500;
            EngineHarness h = EngineHarness.Connected(s);
            h.Connection.Close(null);
            h.Advance(501);

            Assert.IsTrue(h.Connection.IsEnded);
            Assert.AreEqual(ErrorCode.ConnectionLost, h.Connection.Error.Condition);
            h.Peer.ExpectClose();
            h.Peer.ExpectNothing("one close only");
        }
    }
}
