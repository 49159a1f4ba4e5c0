// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
using IotHubAmqp.Device.Buffers;
using IotHubAmqp.Device.Engine;
using IotHubAmqp.Device.Framing;
using IotHubAmqp.Device.Types;
using nanoFramework.TestFramework;

namespace IotHubAmqp.Device.Tests.Engine
{
    [TestClass]
    public class ConnectionCloseTests
    {
        [TestMethod]
        public void PeerClose_WithError_EndsOnceWithConditionAndDescription()
        {
            EngineHarness h = EngineHarness.Connected();
            Connection c = h.Connection;
            h.ClearEvents();

            h.Peer.SendClose(new Error(ErrorCode.ConnectionForced, "hub maintenance"));
            h.Pump();

            Assert.AreEqual(ErrorCode.ConnectionForced, c.Error.Condition);
            Assert.AreEqual("hub maintenance", c.Error.Description);
            Assert.AreEqual(ConnectionState.End, c.State);
            Close answer = h.Peer.ExpectClose();
            Assert.IsNull(answer.Error, "the answer to a close carries no error");
            Expect.AmqpError(ErrorCode.ConnectionForced, () => c.BeginSession(0));
            h.Peer.SendClose(null);
            h.Pump();
            c.Abort(null);
            c.TransportClosed(null, h.Now);
            Assert.AreEqual(1, h.Entries(c), "Ended is raised once");
            Assert.AreEqual(EngineEvent.Ended, h.Kinds(c));
            Assert.AreEqual("hub maintenance", c.Error.Description, "the first reason stays");
        }

        [TestMethod]
        public void PeerClose_WithoutError_EndsWithConnectionForced()
        {
            EngineHarness h = EngineHarness.Connected();
            h.Peer.SendClose(null);
            h.Pump();

            Assert.AreEqual(ErrorCode.ConnectionForced, h.Connection.Error.Condition);
            Assert.IsNull(h.Peer.ExpectClose().Error);
        }

        [TestMethod]
        public void TransportClosed_Always_EndsWithConnectionLost()
        {
            EngineHarness h = EngineHarness.Connected();
            h.DropTransport();

            Assert.AreEqual(ErrorCode.ConnectionLost, h.Connection.Error.Condition);
            Assert.IsFalse(h.Connection.IsOpen);
            Assert.IsTrue(h.Saw(h.Connection, EngineEvent.Ended));
        }

        [TestMethod]
        public void Close_PeerAnswers_EndsWithoutError()
        {
            EngineHarness h = EngineHarness.Connected();
            h.ClearEvents();

            h.Connection.Close(null);
            h.Pump();
            Assert.AreEqual(ConnectionState.CloseSent, h.Connection.State);
            Assert.IsNull(h.Peer.ExpectClose().Error);
            h.Peer.SendClose(null);
            h.Pump();

            Assert.IsNull(h.Connection.Error, "a close we asked for is not an error");
            Assert.AreEqual(ConnectionState.End, h.Connection.State);
            Assert.IsTrue(h.Saw(h.Connection, EngineEvent.Ended));
            h.Peer.ExpectNothing("the peer's answer to our close is not answered");
        }

        [TestMethod]
        public void Close_WithError_SendsIt()
        {
            EngineHarness h = EngineHarness.Connected();
            h.Connection.Close(new Error(ErrorCode.InternalError, "shutting down"));
            h.Pump();

            Close close = h.Peer.ExpectClose();
            Assert.AreEqual(ErrorCode.InternalError, close.Error.Condition);
            Assert.AreEqual("shutting down", close.Error.Description);
        }

        [TestMethod]
        public void Close_PeerSilent_StaysClosingUntilTheOwnerAborts()
        {
            // The engine has no close timeout: the owner gives up with Abort when its own deadline passes.
            EngineHarness h = EngineHarness.Connected();
            h.Connection.Close(null);
            h.Advance(5000);

            h.Peer.ExpectClose();
            Assert.AreEqual(ConnectionState.CloseSent, h.Connection.State);
            Expect.AmqpError(ErrorCode.IllegalState, () => h.Connection.BeginSession(0));
            h.Connection.Abort(null);
            Assert.IsTrue(h.Connection.IsEnded);
            Assert.AreEqual(ErrorCode.ConnectionLost, h.Connection.Error.Condition);
        }

        [TestMethod]
        public void Close_BeforeOpen_EndsAtOnceWithoutError()
        {
            var h = new EngineHarness();
            h.Connection.Close(null);

            Assert.IsTrue(h.Connection.IsEnded);
            Assert.IsNull(h.Connection.Error);
            Assert.AreEqual(0, h.Pump());
        }

        [TestMethod]
        [DataRow("ff ff ff ff")]
        [DataRow("00 53 77 45")]
        [DataRow("00 53 10 c0 03 01 a1")]
        public void Received_GarbageFrame_ClosesWithDecodeError(string bodyHex)
        {
            EngineHarness h = EngineHarness.Connected();
            h.Peer.SendRaw(ConnectionFramingTests.FrameBytes(Frame.TypeAmqp, 0, bodyHex));
            h.Pump();

            Close close = h.Peer.ExpectClose();
            Assert.IsNotNull(close.Error, "the close must say why");
            Assert.AreEqual(ErrorCode.DecodeError, close.Error.Condition);
            Assert.AreEqual(ErrorCode.DecodeError, h.Connection.Error.Condition);
            Assert.IsTrue(h.Saw(h.Connection, EngineEvent.Ended));
        }

        [TestMethod]
        public void Received_OversizedFrame_ClosesWithFramingError()
        {
            ConnectionSettings s = ScriptedAmqpPeer.NewSettings();
            s.MaxFrameSize = 512;
            EngineHarness h = EngineHarness.Connected(s);
            byte[] big = new byte[600];
            BigEndian.Put32(big, 0, 600);
            big[4] = 2;
            h.Peer.SendRaw(big);
            h.Pump();

            Assert.AreEqual(ErrorCode.FramingError, h.Peer.ExpectClose().Error.Condition);
            Assert.AreEqual(ErrorCode.FramingError, h.Connection.Error.Condition);
        }

        [TestMethod]
        public void Received_TransferOnUnattachedHandle_ReportsUnattachedHandle()
        {
            // 2.8.16: a frame naming a handle that is not attached is an error, unattached-handle.
            EngineHarness h = EngineHarness.Connected();
            h.BeginSession();
            h.Peer.SendTransfer(5, 0, ScriptedAmqpPeer.EncodeMessage(new byte[] { 1 }));
            h.Pump();

            PeerFrame f = h.Peer.ReadPerformative();
            Error error = f.Performative is End end ? end.Error : f.Performative is Close close ? close.Error : null;
            Assert.IsNotNull(error, "expected end or close with an error, got " + ScriptedAmqpPeer.Describe(f));
            Assert.AreEqual(ErrorCode.UnattachedHandle, error.Condition);
        }

        [TestMethod]
        public void Received_AfterOurClose_SessionFramesAreIgnored()
        {
            // 2.4.3: the peer may still send what it sent before it saw our close.
            EngineHarness h = EngineHarness.Connected();
            Session s = h.BeginSession();
            h.Connection.Close(null);
            h.Pump();
            h.Peer.ExpectClose();
            h.Peer.SendTransfer(9, 0, ScriptedAmqpPeer.EncodeMessage(new byte[] { 1 }));
            h.Peer.SendClose(null);
            h.Pump();

            Assert.IsNull(h.Connection.Error);
            Assert.IsTrue(h.Connection.IsEnded);
            Assert.AreEqual(SessionState.Ended, s.State);
            h.Peer.ExpectNothing("frames crossing our close need no answer");
        }

        [TestMethod]
        public void Close_BeforeThePeersOpen_SendsCloseBehindOurOpen()
        {
            var h = new EngineHarness();
            h.Open();
            h.Connection.Close(null);
            h.Pump();

            h.Peer.ExpectHeader(ProtocolHeader.Amqp);
            h.Peer.ExpectOpen();
            h.Peer.ExpectClose();
            Assert.AreEqual(ConnectionState.CloseSent, h.Connection.State);
            h.Peer.SendHeaderAndOpen(65536, 0);
            h.Peer.SendClose(null);
            h.Pump();
            Assert.IsTrue(h.Connection.IsEnded);
            Assert.IsNull(h.Connection.Error);
            Assert.IsFalse(h.Saw(h.Connection, EngineEvent.Opened), "closed before it opened");
        }

        [TestMethod]
        public void Received_UnknownPerformative_ClosesWithDecodeError()
        {
            EngineHarness h = EngineHarness.Connected();
            h.Peer.SendRaw(ConnectionFramingTests.FrameBytes(Frame.TypeAmqp, 0, "00 53 30 45"));
            h.Pump();

            Assert.AreEqual(ErrorCode.DecodeError, h.Connection.Error.Condition);
            Assert.AreEqual(Descriptor.NameOf(Descriptor.Close), Descriptor.NameOf(h.Peer.ReadPerformative().Code));
        }
    }
}
