// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
using IotHubAmqp.Device.Buffers;
using IotHubAmqp.Device.Engine;
using IotHubAmqp.Device.Framing;
using nanoFramework.TestFramework;

namespace IotHubAmqp.Device.Tests.Engine
{
    /// <summary>The frame header checks and reassembly of the engine's input path (AMQP 1.0 2.3).</summary>
    [TestClass]
    public class ConnectionFramingTests
    {
        [TestMethod]
        public void Received_ManyFramesInOddSizedChunks_EachDispatchedIntact()
        {
            // Frames of varying size in 37-byte chunks: the engine must reassemble and compact its one buffer.
            EngineHarness h = EngineHarness.Connected();
            Session s = h.BeginSession();
            SenderLink link = h.AttachSender(s, 0);
            h.ReceiveChunk = 37;
            for (uint i = 1; i <= 40; i++) h.Peer.SendFrame(0, CreditFlow(i, (int)(1 + (i * 53) % 300)));
            h.Pump();

            Assert.IsTrue(h.Connection.IsOpen, "error: " + h.Connection.Error);
            Assert.AreEqual(40u, link.LinkCredit, "the last of the 40 flows granted 40");
        }

        [TestMethod]
        public void Received_FrameOfExactlyMaxFrameSize_IsRead()
        {
            ConnectionSettings settings = ScriptedAmqpPeer.NewSettings();
            settings.MaxFrameSize = 512;
            EngineHarness h = EngineHarness.Connected(settings);
            Session s = h.BeginSession();
            SenderLink link = h.AttachSender(s, 0);
            // Pad a flow's properties until the frame is 512 bytes (a frame of more is refused: see below).
            Flow f = CreditFlow(7, 1);
            for (int padding = 2; FrameSize(f) < 512; padding++) f = CreditFlow(7, padding);
            Assert.AreEqual(512, FrameSize(f));
            h.Peer.SendFrame(0, f);
            h.Pump();

            Assert.IsTrue(h.Connection.IsOpen, "error: " + h.Connection.Error);
            Assert.AreEqual(7u, link.LinkCredit);
        }

        [TestMethod]
        public void Received_HeaderOfAHugeFrame_FramingErrorWithoutWaitingForTheBody()
        {
            // Only the header of a 1 MB frame arrives: the size field alone must be refused.
            EngineHarness h = EngineHarness.Connected();
            h.Peer.SendRaw(Expect.FromHex("00 10 00 00 02 00 00 00"));
            h.Pump();

            Assert.AreEqual(ErrorCode.FramingError, h.Connection.Error.Condition);
            Assert.Contains("1048576", h.Connection.Error.Description);
            Assert.AreEqual(ErrorCode.FramingError, h.Peer.ExpectClose().Error.Condition);
        }

        [TestMethod]
        [DataRow(0)]
        [DataRow(1)]
        public void Received_DataOffsetBelowTwo_ClosesWithFramingError(int doff)
        {
            EngineHarness h = EngineHarness.Connected();
            byte[] frame = FrameBytes(Frame.TypeAmqp, 0, "00 53 18 45");
            frame[4] = (byte)doff;
            h.Peer.SendRaw(frame);
            h.Pump();

            Assert.AreEqual(ErrorCode.FramingError, h.Connection.Error.Condition);
            Assert.Contains("data offset", h.Connection.Error.Description);
        }

        [TestMethod]
        public void Received_DataOffsetBeyondFrameSize_ClosesWithFramingError()
        {
            EngineHarness h = EngineHarness.Connected();
            byte[] frame = FrameBytes(Frame.TypeAmqp, 0, "00 53 18 45");
            frame[4] = 4; // 16 bytes of header in a 12-byte frame
            h.Peer.SendRaw(frame);
            h.Pump();

            Assert.AreEqual(ErrorCode.FramingError, h.Connection.Error.Condition);
            Assert.Contains("data offset 16", h.Connection.Error.Description);
        }

        [TestMethod]
        public void Received_UnknownFrameType_ClosesWithFramingErrorNamingIt()
        {
            EngineHarness h = EngineHarness.Connected();
            h.Peer.SendRaw(FrameBytes(0x07, 0, "00 53 18 45"));
            h.Pump();

            Assert.AreEqual(ErrorCode.FramingError, h.Connection.Error.Condition);
            Assert.Contains("frame type 7", h.Connection.Error.Description);
        }

        [TestMethod]
        public void Received_EmptyFrameThenClose_EmptyIgnoredCloseHandled()
        {
            // 2.4.5: an empty frame only keeps the connection alive; the close behind it is still read.
            EngineHarness h = EngineHarness.Connected();
            h.Peer.SendRaw(Concat(Expect.FromHex("00 00 00 08 02 00 00 00"), FrameBytes(Frame.TypeAmqp, 0, "00 53 18 45")));
            h.Pump();

            Assert.IsTrue(h.Connection.IsEnded);
            Assert.AreEqual(ErrorCode.ConnectionForced, h.Connection.Error.Condition);
        }

        [TestMethod]
        public void Received_ExtendedHeader_IsSkipped()
        {
            // doff 3: 4 bytes of extended header (2.3.1) precede the close and are ignored.
            EngineHarness h = EngineHarness.Connected();
            h.Peer.SendRaw(Expect.FromHex("00 00 00 10 03 00 00 00 de ad be ef 00 53 18 45"));
            h.Pump();

            Assert.IsTrue(h.Connection.IsEnded);
            Assert.AreEqual(ErrorCode.ConnectionForced, h.Connection.Error.Condition, "the peer's close was read");
        }

        /// <summary>An AMQP frame of type <paramref name="type"/> (doff 2) around the body <paramref name="bodyHex"/>.</summary>
        internal static byte[] FrameBytes(byte type, ushort channel, string bodyHex)
        {
            byte[] body = Expect.FromHex(bodyHex);
            byte[] f = new byte[8 + body.Length];
            BigEndian.Put32(f, 0, (uint)f.Length);
            f[4] = 2;
            f[5] = type;
            f[6] = (byte)(channel >> 8);
            f[7] = (byte)channel;
            System.Array.Copy(body, 0, f, 8, body.Length);
            return f;
        }

        private static byte[] Concat(byte[] a, byte[] b)
        {
            byte[] r = new byte[a.Length + b.Length];
            System.Array.Copy(a, r, a.Length);
            System.Array.Copy(b, 0, r, a.Length, b.Length);
            return r;
        }

        // A link flow on handle 0 granting credit, its properties padded with padding bytes.
        private static Flow CreditFlow(uint credit, int padding)
        {
            var f = new Flow();
            f.HasNextIncomingId = true;
            f.IncomingWindow = 1000;
            f.OutgoingWindow = 1000;
            f.HasHandle = true;
            f.HasDeliveryCount = true;
            f.HasLinkCredit = true;
            f.LinkCredit = credit;
            f.Properties = new AmqpMap();
            f.Properties[new Symbol("pad")] = new byte[padding];
            return f;
        }

        private static int FrameSize(Flow f)
        {
            var b = new ByteBuffer(1024);
            int start = Frame.Begin(b, Frame.TypeAmqp, 0);
            ((DescribedList)f).Encode(b);
            Frame.End(b, start);
            return b.Length;
        }
    }
}
