// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
using IotHubAmqp.Device.Buffers;
using IotHubAmqp.Device.Engine;
using IotHubAmqp.Device.Framing;
using IotHubAmqp.Device.Sasl;
using nanoFramework.TestFramework;

namespace IotHubAmqp.Device.Tests.Engine
{
    [TestClass]
    public class ConnectionSaslTests
    {
        private static EngineHarness NewSasl(SaslProfile profile)
        {
            ConnectionSettings s = ScriptedAmqpPeer.NewSettings();
            s.Sasl = profile;
            return new EngineHarness(s);
        }

        [TestMethod]
        public void Open_Sasl_PipelinesHeaderAndInitInOneWrite()
        {
            EngineHarness h = NewSasl(SaslProfile.Plain("user", "secret"));
            h.Open();
            // The peer's whole answer comes in one go: the engine reads it while authenticating.
            h.Peer.SendHeader(ProtocolHeader.Sasl);
            h.Peer.SendSasl(new SaslMechanisms { SaslServerMechanisms = new[] { "ANONYMOUS", "PLAIN" } });
            h.Peer.SendSasl(new SaslOutcome { Code = SaslOutcome.Ok });
            h.Peer.SendHeaderAndOpen(65536, 0);

            Assert.AreEqual(2, h.Pump(), "SASL header + init in one write, AMQP header + open in another");

            byte[] first = h.Write(0).Bytes;
            Assert.AreEqual(8 + (int)BigEndian.Get32(first, 8), first.Length, "the first write holds the SASL header and sasl-init");
            h.Peer.ExpectHeader(ProtocolHeader.Sasl);
            PeerFrame f = h.Peer.ReadFrame();
            Assert.AreEqual(Frame.TypeSasl, f.Type);
            var init = (SaslInit)f.Performative;
            Assert.AreEqual("PLAIN", init.Mechanism);
            Assert.AreEqual("hub.example.net", init.Hostname);
            Expect.Bytes(SaslProfile.Plain("user", "secret").InitialResponse, init.InitialResponse);
            h.Peer.ExpectHeader(ProtocolHeader.Amqp);
            h.Peer.ExpectOpen();
            Assert.IsTrue(h.Connection.IsOpen);
            Assert.AreEqual(EngineEvent.Authenticated | EngineEvent.Opened, h.Kinds(h.Connection));
        }

        [TestMethod]
        public void BeginSession_DuringSasl_ThrowsIllegalState()
        {
            EngineHarness h = NewSasl(SaslProfile.Anonymous());
            h.Open();
            h.Pump();
            Assert.IsFalse(h.Connection.CanBeginSessions);
            Expect.AmqpError(ErrorCode.IllegalState, () => h.Connection.BeginSession(0));
        }

        [TestMethod]
        public void Open_SaslPeerSilent_NoEventsNoDeadlineNothingWaits()
        {
            // Nothing in the engine waits: against a silent SASL peer it simply reports nothing, and the owner's
            // own connect deadline ends it (Abort).
            EngineHarness h = NewSasl(SaslProfile.Plain("user", "secret"));
            h.Open();
            h.Pump();
            h.Advance(3600000);

            Assert.AreEqual(0, h.LoggedEvents);
            Assert.AreEqual(1, h.WriteCount);
            Assert.AreEqual(long.MaxValue, h.Connection.NextDeadline);
            Assert.AreEqual(ConnectionState.HeaderSent, h.Connection.State);
            h.Connection.Abort(new AmqpException(ErrorCode.Timeout, "connect deadline"));
            Assert.AreEqual(ErrorCode.Timeout, h.Connection.Error.Condition);
            Assert.AreEqual(EngineEvent.Ended, h.Kinds(h.Connection));
            Assert.AreEqual(0, h.Pump(), "no close: nothing AMQP was said");
        }

        [TestMethod]
        public void Received_SaslMechanismNotOffered_EndsNamingWhatThePeerOffers()
        {
            EngineHarness h = NewSasl(SaslProfile.Plain("user", "secret"));
            h.Open();
            h.Peer.SendHeader(ProtocolHeader.Sasl);
            h.Peer.SendSasl(new SaslMechanisms { SaslServerMechanisms = new[] { "ANONYMOUS", "EXTERNAL" } });
            h.Pump();

            AmqpException e = h.Connection.Error;
            Assert.IsNotNull(e);
            Assert.AreEqual(ErrorCode.NotImplemented, e.Condition);
            Assert.Contains("PLAIN", e.Description);
            Assert.Contains("ANONYMOUS", e.Description);
            Assert.Contains("EXTERNAL", e.Description);
            Assert.IsTrue(h.Saw(h.Connection, EngineEvent.Ended));
        }

        [TestMethod]
        [DataRow(1, ErrorCode.UnauthorizedAccess)]
        [DataRow(2, ErrorCode.ConnectionForced)]
        [DataRow(3, ErrorCode.NotAllowed)]
        [DataRow(4, ErrorCode.ConnectionForced)]
        public void Received_SaslOutcomeFailure_EndsWithMappedCondition(int code, string condition)
        {
            // 5.3.3.6: auth refuses the credentials; sys and sys-temp are transient (a retryable condition);
            // sys-perm will not get better.
            EngineHarness h = NewSasl(SaslProfile.Plain("user", "wrong"));
            h.Open();
            h.Peer.SendHeader(ProtocolHeader.Sasl);
            h.Peer.SendSasl(new SaslMechanisms { SaslServerMechanisms = new[] { "PLAIN" } });
            h.Peer.SendSasl(new SaslOutcome { Code = (byte)code });
            h.Pump();

            Assert.IsTrue(h.Connection.IsEnded);
            Assert.AreEqual(condition, h.Connection.Error.Condition);
            Assert.Contains("code " + code, h.Connection.Error.Description);
            Assert.AreEqual(1, h.WriteCount, "no AMQP header after a failed SASL exchange");
            Assert.IsFalse(h.Saw(h.Connection, EngineEvent.Authenticated));
        }

        [TestMethod]
        public void Received_SaslPeerAnswersAmqpHeader_NamesBothProtocols()
        {
            EngineHarness h = NewSasl(SaslProfile.Anonymous());
            h.Open();
            h.Peer.SendHeader(ProtocolHeader.Amqp);
            h.Pump();

            Assert.AreEqual(ErrorCode.NotImplemented, h.Connection.Error.Condition);
            Assert.Contains("SASL", h.Connection.Error.Description);
            Assert.Contains("AMQP", h.Connection.Error.Description);
        }

        [TestMethod]
        public void Received_SaslChallenge_EndsWithNotImplemented()
        {
            EngineHarness h = NewSasl(SaslProfile.Plain("user", "secret"));
            h.Open();
            h.Peer.SendHeader(ProtocolHeader.Sasl);
            h.Peer.SendSasl(new SaslMechanisms { SaslServerMechanisms = new[] { "PLAIN" } });
            // sasl-challenge (5.3.3.3) with challenge 0x01, in a SASL frame: no mechanism the device uses takes one.
            h.Peer.SendRaw(Expect.FromHex("00 00 00 11 02 01 00 00 00 53 42 c0 04 01 a0 01 01"));
            h.Pump();

            Assert.AreEqual(ErrorCode.NotImplemented, h.Connection.Error.Condition);
        }
    }
}
