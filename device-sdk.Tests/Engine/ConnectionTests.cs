// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
using System;
using System.Threading;
using IotHubAmqp.Device.Buffers;
using IotHubAmqp.Device.Engine;
using IotHubAmqp.Device.Framing;
using IotHubAmqp.Device.Sasl;
using IotHubAmqp.Device.Tests.Framing;
using nanoFramework.TestFramework;

namespace IotHubAmqp.Device.Tests.Engine
{
    [TestClass]
    public class ConnectionTests
    {
        private const int Timeout = ScriptedAmqpPeer.TimeoutMs;

        [TestMethod]
        public void Start_WithoutSasl_SendsHeaderAndOpenInOneTransportSend()
        {
            var peer = new ScriptedAmqpPeer();
            try
            {
                ConnectionSettings s = ScriptedAmqpPeer.NewSettings();
                s.MaxFrameSize = 2048;
                s.ChannelMax = 2;
                s.IdleTimeoutMs = 30000;
                Connection c = Connection.Start(peer.Client, s, TestPlatform.Instance, Timeout);

                Assert.AreEqual(1, peer.Client.SendCount, "header and open must leave in one write");
                byte[] sent = peer.Client.Sent(0);
                Assert.AreEqual(8 + (int)BigEndian.Get32(sent, 8), sent.Length, "the write holds exactly the header and one frame");
                Assert.AreEqual((long)sent.Length, c.BytesWritten);
                peer.ExpectHeader(ProtocolHeader.Amqp);
                Open o = peer.ExpectOpen();
                Assert.AreEqual("device-1", o.ContainerId);
                Assert.AreEqual("hub.example.net", o.Hostname);
                Assert.AreEqual(2048u, o.MaxFrameSize);
                Assert.AreEqual((ushort)2, o.ChannelMax);
                Assert.AreEqual(30000u, o.IdleTimeOut);
                Assert.IsFalse(c.IsOpen, "open until the peer's open arrives");
            }
            finally
            {
                peer.Dispose();
            }
        }

        [TestMethod]
        public void WaitOpened_PeerAnswers_RecordsPeerLimits()
        {
            var peer = new ScriptedAmqpPeer();
            try
            {
                Connection c = peer.Connect(null, 1024, 60000);
                Assert.IsTrue(c.IsOpen);
                Assert.AreEqual(ConnectionState.Opened, c.State);
                Assert.AreEqual(1024u, c.PeerMaxFrameSize);
                Assert.AreEqual(60000u, c.PeerIdleTimeoutMs);
                Assert.AreEqual(ScriptedAmqpPeer.ContainerId, c.PeerContainerId);
                Assert.IsNull(c.Error);
            }
            finally
            {
                peer.Dispose();
            }
        }

        [TestMethod]
        public void WaitOpened_PeerSilent_ThrowsTimeout()
        {
            var peer = new ScriptedAmqpPeer();
            try
            {
                Connection c = Connection.Start(peer.Client, ScriptedAmqpPeer.NewSettings(), TestPlatform.Instance, Timeout);
                long t0 = ScriptedAmqpPeer.Now();
                Expect.AmqpError(ErrorCode.Timeout, () => c.WaitOpened(200));
                long elapsed = ScriptedAmqpPeer.Now() - t0;
                Assert.IsTrue(elapsed >= 150 && elapsed < 2000, "waited " + elapsed + " ms for a 200 ms timeout");
            }
            finally
            {
                peer.Dispose();
            }
        }

        [TestMethod]
        public void Start_Sasl_PipelinesHeaderAndInitInOneSend()
        {
            var peer = new ScriptedAmqpPeer();
            try
            {
                // The peer's whole answer is queued up front: the client reads it while authenticating.
                peer.SendHeader(ProtocolHeader.Sasl);
                peer.SendSasl(new SaslMechanisms { SaslServerMechanisms = new[] { "ANONYMOUS", "PLAIN" } });
                peer.SendSasl(new SaslOutcome { Code = SaslOutcome.Ok });
                peer.SendHeaderAndOpen(65536, 0);
                ConnectionSettings s = ScriptedAmqpPeer.NewSettings();
                s.Sasl = SaslProfile.Plain("user", "secret");

                Connection c = Connection.Start(peer.Client, s, TestPlatform.Instance, Timeout);

                Assert.AreEqual(2, peer.Client.SendCount, "SASL header + init in one write, AMQP header + open in another");
                byte[] first = peer.Client.Sent(0);
                Assert.AreEqual(8 + (int)BigEndian.Get32(first, 8), first.Length, "the first write holds the SASL header and sasl-init");
                peer.ExpectHeader(ProtocolHeader.Sasl);
                PeerFrame f = peer.ReadFrame();
                Assert.AreEqual(Frame.TypeSasl, f.Type);
                var init = (SaslInit)f.Performative;
                Assert.AreEqual("PLAIN", init.Mechanism);
                Assert.AreEqual("hub.example.net", init.Hostname);
                Expect.Bytes(SaslProfile.Plain("user", "secret").InitialResponse, init.InitialResponse);
                peer.ExpectHeader(ProtocolHeader.Amqp);
                peer.ExpectOpen();
                c.WaitOpened(Timeout);
                Assert.IsTrue(c.IsOpen);
            }
            finally
            {
                peer.Dispose();
            }
        }

        [TestMethod]
        public void Start_SaslMechanismNotOffered_ErrorNamesWhatThePeerOffers()
        {
            var peer = new ScriptedAmqpPeer();
            try
            {
                peer.SendHeader(ProtocolHeader.Sasl);
                peer.SendSasl(new SaslMechanisms { SaslServerMechanisms = new[] { "ANONYMOUS", "EXTERNAL" } });
                ConnectionSettings s = ScriptedAmqpPeer.NewSettings();
                s.Sasl = SaslProfile.Plain("user", "secret");

                AmqpException e = Expect.AmqpError(ErrorCode.NotImplemented, () => Connection.Start(peer.Client, s, TestPlatform.Instance, Timeout));
                Assert.Contains("PLAIN", e.Description);
                Assert.Contains("ANONYMOUS", e.Description);
                Assert.Contains("EXTERNAL", e.Description);
                Assert.IsTrue(peer.Client.IsClosed, "the transport is dropped");
            }
            finally
            {
                peer.Dispose();
            }
        }

        [TestMethod]
        [DataRow(1)]
        [DataRow(2)]
        public void Start_SaslOutcomeFailure_ThrowsUnauthorizedAccess(int code)
        {
            var peer = new ScriptedAmqpPeer();
            try
            {
                peer.SendHeader(ProtocolHeader.Sasl);
                peer.SendSasl(new SaslMechanisms { SaslServerMechanisms = new[] { "PLAIN" } });
                peer.SendSasl(new SaslOutcome { Code = (byte)code });
                ConnectionSettings s = ScriptedAmqpPeer.NewSettings();
                s.Sasl = SaslProfile.Plain("user", "wrong");

                AmqpException e = Expect.AmqpError(ErrorCode.UnauthorizedAccess, () => Connection.Start(peer.Client, s, TestPlatform.Instance, Timeout));
                Assert.Contains("code " + code, e.Description);
                Assert.IsTrue(peer.Client.IsClosed);
                Assert.AreEqual(1, peer.Client.SendCount, "no AMQP header after a failed SASL exchange");
            }
            finally
            {
                peer.Dispose();
            }
        }

        [TestMethod]
        public void Start_SaslPeerAnswersAmqpHeader_NamesBothProtocols()
        {
            var peer = new ScriptedAmqpPeer();
            try
            {
                peer.SendHeader(ProtocolHeader.Amqp);
                ConnectionSettings s = ScriptedAmqpPeer.NewSettings();
                s.Sasl = SaslProfile.Anonymous();

                AmqpException e = Expect.AmqpError(ErrorCode.NotImplemented, () => Connection.Start(peer.Client, s, TestPlatform.Instance, Timeout));
                Assert.Contains("SASL", e.Description);
            }
            finally
            {
                peer.Dispose();
            }
        }

        [TestMethod]
        public void Start_MaxFrameSizeBelowMinimum_ThrowsArgumentException()
        {
            var peer = new ScriptedAmqpPeer();
            try
            {
                ConnectionSettings s = ScriptedAmqpPeer.NewSettings();
                s.MaxFrameSize = 511;
                Assert.ThrowsException(typeof(ArgumentException), () => Connection.Start(peer.Client, s, TestPlatform.Instance, Timeout));
                Assert.AreEqual(0, peer.Client.SendCount);
            }
            finally
            {
                peer.Dispose();
            }
        }

        [TestMethod]
        public void WaitOpened_PeerMaxFrameSizeBelow512_ThrowsAndClosesWithInvalidField()
        {
            var peer = new ScriptedAmqpPeer();
            try
            {
                Connection c = Connection.Start(peer.Client, ScriptedAmqpPeer.NewSettings(), TestPlatform.Instance, Timeout);
                peer.ExpectHeader(ProtocolHeader.Amqp);
                peer.ExpectOpen();
                peer.SendHeaderAndOpen(511, 0);

                AmqpException e = Expect.AmqpError(ErrorCode.InvalidField, () => c.WaitOpened(Timeout));
                Assert.Contains("511", e.Description);
                Close close = peer.ExpectClose();
                Assert.IsNotNull(close.Error);
                Assert.AreEqual(ErrorCode.InvalidField, close.Error.Condition);
                Assert.IsTrue(peer.WaitClientClosed(Timeout));
            }
            finally
            {
                peer.Dispose();
            }
        }

        [TestMethod]
        public void WaitOpened_PeerAnswersOtherVersion_NamesBothVersions()
        {
            var peer = new ScriptedAmqpPeer();
            try
            {
                Connection c = Connection.Start(peer.Client, ScriptedAmqpPeer.NewSettings(), TestPlatform.Instance, Timeout);
                peer.SendRaw(Expect.FromHex("41 4d 51 50 00 00 09 01"));

                AmqpException e = Expect.AmqpError(ErrorCode.NotImplemented, () => c.WaitOpened(Timeout));
                Assert.Contains("0.9.1", e.Description);
                Assert.Contains("1.0.0", e.Description);
                Assert.IsTrue(peer.WaitClientClosed(Timeout));
            }
            finally
            {
                peer.Dispose();
            }
        }

        [TestMethod]
        public void WaitOpened_PeerSendsBeginBeforeOpen_ClosesWithIllegalState()
        {
            var peer = new ScriptedAmqpPeer();
            try
            {
                Connection c = Connection.Start(peer.Client, ScriptedAmqpPeer.NewSettings(), TestPlatform.Instance, Timeout);
                peer.ExpectHeader(ProtocolHeader.Amqp);
                peer.ExpectOpen();
                peer.SendHeader(ProtocolHeader.Amqp);
                peer.SendFrame(0, new Begin { HasRemoteChannel = true, RemoteChannel = 0, IncomingWindow = 10, OutgoingWindow = 10 });

                Expect.AmqpError(ErrorCode.IllegalState, () => c.WaitOpened(Timeout));
                Assert.AreEqual(ErrorCode.IllegalState, peer.ExpectClose().Error.Condition);
            }
            finally
            {
                peer.Dispose();
            }
        }

        [TestMethod]
        public void Closed_PeerClosesWithError_ErrorCarriesConditionAndDescription()
        {
            var peer = new ScriptedAmqpPeer();
            try
            {
                Connection c = peer.Connect();
                var fired = new ManualResetEvent(false);
                AmqpException reported = null;
                int raised = 0;
                c.Closed += (sender, error) =>
                {
                    reported = error;
                    Interlocked.Increment(ref raised);
                    fired.Set();
                };

                peer.SendClose(new Error(ErrorCode.ConnectionForced, "hub maintenance"));

                Assert.IsTrue(fired.WaitOne(Timeout, false), "Closed did not fire");
                Assert.IsNotNull(c.Error);
                Assert.AreEqual(ErrorCode.ConnectionForced, c.Error.Condition);
                Assert.AreEqual("hub maintenance", c.Error.Description);
                Assert.AreSame(c.Error, reported);
                Assert.AreEqual(ConnectionState.End, c.State);
                Close answer = peer.ExpectClose();
                Assert.IsNull(answer.Error, "the answer to a close carries no error");
                Assert.IsTrue(peer.WaitClientClosed(Timeout));
                Expect.AmqpError(ErrorCode.ConnectionForced, () => c.BeginSession(0));
                Thread.Sleep(50);
                Assert.AreEqual(1, raised, "Closed fires once");
            }
            finally
            {
                peer.Dispose();
            }
        }

        [TestMethod]
        public void Closed_PeerDropsTransport_ReportsConnectionLost()
        {
            var peer = new ScriptedAmqpPeer();
            try
            {
                Connection c = peer.Connect();
                var fired = new ManualResetEvent(false);
                c.Closed += (sender, error) => fired.Set();

                peer.Transport.Close();

                Assert.IsTrue(fired.WaitOne(Timeout, false), "Closed did not fire");
                Assert.AreEqual(ErrorCode.ConnectionLost, c.Error.Condition);
                Assert.IsFalse(c.IsOpen);
            }
            finally
            {
                peer.Dispose();
            }
        }

        [TestMethod]
        public void Close_PeerAnswers_SendsCloseAndEndsCleanly()
        {
            var peer = new ScriptedAmqpPeer();
            try
            {
                Connection c = peer.Connect();
                var fired = new ManualResetEvent(false);
                AmqpException reported = new AmqpException("none", "not raised");
                c.Closed += (sender, error) =>
                {
                    reported = error;
                    fired.Set();
                };
                peer.Start(p =>
                {
                    Assert.IsNull(p.ExpectClose().Error);
                    p.SendClose(null);
                });
                // The peer's close arrives before our transport write returns (a fast peer, a slow socket):
                // the answer must still be taken as the answer to our close, not as the peer closing first.
                peer.Client.SendReturnDelayMs = 100;

                long t0 = ScriptedAmqpPeer.Now();
                c.Close(Timeout);
                long elapsed = ScriptedAmqpPeer.Now() - t0;

                peer.Join();
                Assert.IsTrue(fired.WaitOne(Timeout, false), "Closed did not fire");
                Assert.IsTrue(elapsed < 2000, "close took " + elapsed + " ms although the peer answered");
                Assert.IsNull(c.Error, "a close we asked for is not an error");
                Assert.IsNull(reported, "Closed reported an error for a close we asked for");
                Assert.AreEqual(ConnectionState.End, c.State);
                Assert.IsTrue(peer.Client.IsClosed);
            }
            finally
            {
                peer.Dispose();
            }
        }

        [TestMethod]
        public void Close_PeerSilent_ReturnsAfterTimeout()
        {
            var peer = new ScriptedAmqpPeer();
            try
            {
                Connection c = peer.Connect();
                long t0 = ScriptedAmqpPeer.Now();
                c.Close(200);
                long elapsed = ScriptedAmqpPeer.Now() - t0;

                Assert.IsTrue(elapsed >= 150 && elapsed < 2000, "close returned after " + elapsed + " ms");
                peer.ExpectClose();
                Assert.IsTrue(peer.Client.IsClosed);
            }
            finally
            {
                peer.Dispose();
            }
        }

        [TestMethod]
        public void Heartbeat_PeerIdleTimeout_SendsEmptyFramesWithinHalfOfIt()
        {
            var peer = new ScriptedAmqpPeer();
            try
            {
                peer.Connect(null, 65536, 400);
                long last = ScriptedAmqpPeer.Now();
                for (int i = 0; i < 3; i++)
                {
                    PeerFrame f = peer.ReadFrame();
                    long now = ScriptedAmqpPeer.Now();
                    Assert.IsTrue(f.IsEmpty, "expected an empty frame, got " + f.Code);
                    Assert.AreEqual((ushort)0, f.Channel);
                    // 2.4.5: send within half the peer's idle timeout (200 ms); allow scheduling slack.
                    Assert.IsTrue(now - last <= 400, "empty frame " + i + " came " + (now - last) + " ms after the previous one");
                    last = now;
                }
            }
            finally
            {
                peer.Dispose();
            }
        }

        [TestMethod]
        public void Heartbeat_PeerWithoutIdleTimeout_SendsNoEmptyFrames()
        {
            var peer = new ScriptedAmqpPeer();
            try
            {
                ConnectionSettings s = ScriptedAmqpPeer.NewSettings();
                s.IdleTimeoutMs = 0;
                peer.Connect(s, 65536, 0);
                int before = peer.Client.SendCount;
                Thread.Sleep(300);
                Assert.AreEqual(before, peer.Client.SendCount);
            }
            finally
            {
                peer.Dispose();
            }
        }

        [TestMethod]
        public void IdleTimeout_PeerSilent_ConnectionEndsWithinBound()
        {
            var peer = new ScriptedAmqpPeer();
            try
            {
                ConnectionSettings s = ScriptedAmqpPeer.NewSettings();
                s.IdleTimeoutMs = 500;
                long t0 = ScriptedAmqpPeer.Now();
                Connection c = peer.Connect(s);
                var fired = new ManualResetEvent(false);
                c.Closed += (sender, error) => fired.Set();

                Assert.IsTrue(fired.WaitOne(Timeout, false), "a silent peer was not noticed");
                long elapsed = ScriptedAmqpPeer.Now() - t0;
                Assert.IsTrue(elapsed >= 450, "ended after " + elapsed + " ms, before the 500 ms idle timeout");
                Assert.IsNotNull(c.Error);
                Assert.Contains("idle timeout", c.Error.Description);
                // 2.4.5: try to close gracefully, saying why.
                Close close = peer.ExpectClose();
                Assert.IsNotNull(close.Error);
                Assert.Contains("idle", close.Error.Description);
            }
            finally
            {
                peer.Dispose();
            }
        }

        [TestMethod]
        public void IdleTimeout_PeerSendsHeartbeats_ConnectionStaysOpen()
        {
            var peer = new ScriptedAmqpPeer();
            try
            {
                ConnectionSettings s = ScriptedAmqpPeer.NewSettings();
                s.IdleTimeoutMs = 400;
                Connection c = peer.Connect(s);
                byte[] empty = Expect.FromHex("00 00 00 08 02 00 00 00");
                for (int i = 0; i < 8; i++)
                {
                    Thread.Sleep(100);
                    peer.SendRaw(empty);
                }
                Assert.IsTrue(c.IsOpen, "empty frames must count as traffic");
                Assert.IsNull(c.Error);
            }
            finally
            {
                peer.Dispose();
            }
        }

        [TestMethod]
        [DataRow("ff ff ff ff")]
        [DataRow("00 53 77 45")]
        [DataRow("00 53 10 c0 03 01 a1")]
        public void Run_PeerSendsGarbageFrame_ClosesWithDecodeError(string bodyHex)
        {
            var peer = new ScriptedAmqpPeer();
            try
            {
                Connection c = peer.Connect();
                var fired = new ManualResetEvent(false);
                c.Closed += (sender, error) => fired.Set();

                peer.SendRaw(FrameReaderTests.FrameBytes(Frame.TypeAmqp, 0, bodyHex));

                Close close = peer.ExpectClose();
                Assert.IsNotNull(close.Error, "the close must say why");
                Assert.AreEqual(ErrorCode.DecodeError, close.Error.Condition);
                Assert.IsTrue(fired.WaitOne(Timeout, false));
                Assert.AreEqual(ErrorCode.DecodeError, c.Error.Condition);
                Assert.IsTrue(peer.WaitClientClosed(Timeout));
            }
            finally
            {
                peer.Dispose();
            }
        }

        [TestMethod]
        public void Run_PeerSendsOversizedFrame_ClosesWithFramingError()
        {
            var peer = new ScriptedAmqpPeer();
            try
            {
                ConnectionSettings s = ScriptedAmqpPeer.NewSettings();
                s.MaxFrameSize = 512;
                Connection c = peer.Connect(s);
                byte[] big = new byte[600];
                BigEndian.Put32(big, 0, 600);
                big[4] = 2;
                peer.SendRaw(big);

                Close close = peer.ExpectClose();
                Assert.AreEqual(ErrorCode.FramingError, close.Error.Condition);
                Assert.IsTrue(ScriptedAmqpPeer.WaitUntil(() => c.State == ConnectionState.End));
                Assert.AreEqual(ErrorCode.FramingError, c.Error.Condition);
            }
            finally
            {
                peer.Dispose();
            }
        }

        [TestMethod]
        public void Run_TransferOnUnattachedHandle_ReportsUnattachedHandle()
        {
            // 2.8.16: a frame naming a handle that is not attached is a session error, unattached-handle.
            // Ending the session is the targeted answer; closing the connection also reports it.
            var peer = new ScriptedAmqpPeer();
            try
            {
                Connection c = peer.Connect();
                peer.BeginSession(c);
                peer.SendTransfer(5, 0, ScriptedAmqpPeer.EncodeMessage(new byte[] { 1 }));

                PeerFrame f = peer.ReadPerformative();
                Error error = f.Performative is End end ? end.Error : f.Performative is Close close ? close.Error : null;
                Assert.IsNotNull(error, "expected end or close with an error, got " + IotHubAmqp.Device.Types.Descriptor.NameOf(f.Code));
                Assert.AreEqual(ErrorCode.UnattachedHandle, error.Condition);
            }
            finally
            {
                peer.Dispose();
            }
        }

        [TestMethod]
        public void BeginSession_AllChannelsInUse_ThrowsResourceLimitExceeded()
        {
            var peer = new ScriptedAmqpPeer();
            try
            {
                ConnectionSettings s = ScriptedAmqpPeer.NewSettings();
                s.ChannelMax = 0;
                Connection c = peer.Connect(s);
                c.BeginSession(0);
                Expect.AmqpError(ErrorCode.ResourceLimitExceeded, () => c.BeginSession(0));
            }
            finally
            {
                peer.Dispose();
            }
        }

        [TestMethod]
        public void BeginSession_BeyondPeerChannelMax_IsRefused()
        {
            // 2.7.1: channel-max is negotiated; the smaller of the two limits applies to both sides.
            var peer = new ScriptedAmqpPeer();
            try
            {
                Connection c = Connection.Start(peer.Client, ScriptedAmqpPeer.NewSettings(), TestPlatform.Instance, Timeout);
                peer.ExpectHeader(ProtocolHeader.Amqp);
                peer.ExpectOpen();
                peer.SendHeaderAndOpen(65536, 0, 0);
                c.WaitOpened(Timeout);
                Session first = c.BeginSession(0);
                Assert.AreEqual((ushort)0, first.Channel);

                Expect.AmqpError(ErrorCode.ResourceLimitExceeded, () => c.BeginSession(0));
            }
            finally
            {
                peer.Dispose();
            }
        }

        [TestMethod]
        public void BytesWrittenAndRead_AfterOpen_CountAmqpBytes()
        {
            var peer = new ScriptedAmqpPeer();
            try
            {
                Connection c = peer.Connect();
                Assert.AreEqual((long)peer.Client.Sent(0).Length, c.BytesWritten);
                // The peer sent its header and an open; the client read both.
                Assert.IsTrue(ScriptedAmqpPeer.WaitUntil(() => c.BytesRead == peer.Transport.Sent(0).Length + peer.Transport.Sent(1).Length));
            }
            finally
            {
                peer.Dispose();
            }
        }
    }
}
