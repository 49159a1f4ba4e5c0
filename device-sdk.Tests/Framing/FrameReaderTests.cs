// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
using System;
using IotHubAmqp.Device.Buffers;
using IotHubAmqp.Device.Framing;
using nanoFramework.TestFramework;

namespace IotHubAmqp.Device.Tests.Framing
{
    [TestClass]
    public class FrameReaderTests
    {
        private const int ReadTimeoutMs = 2000;

        [TestMethod]
        public void ReadFrame_SeveralFramesInOneReceive_ReadsEachInOrder()
        {
            MemoryTransport.CreatePair(out MemoryTransport peer, out MemoryTransport client);
            client.ReceiveTimeoutMs = ReadTimeoutMs;
            peer.Send(Concat(
                FrameBytes(Frame.TypeAmqp, 0, "01 02"),
                FrameBytes(Frame.TypeSasl, 7, "03"),
                FrameBytes(Frame.TypeAmqp, 0x1234, "04 05 06 07")));
            var reader = new FrameReader(client, 512);
            var view = new ByteBuffer(new byte[0], 0, 0);

            Expect.Bytes(Expect.FromHex("01 02"), reader.ReadFrame(view));
            Assert.AreEqual(Frame.TypeAmqp, reader.Type);
            Assert.AreEqual((ushort)0, reader.Channel);
            Expect.Bytes(Expect.FromHex("03"), reader.ReadFrame(view));
            Assert.AreEqual(Frame.TypeSasl, reader.Type);
            Assert.AreEqual((ushort)7, reader.Channel);
            Expect.Bytes(Expect.FromHex("04 05 06 07"), reader.ReadFrame(view));
            Assert.AreEqual((ushort)0x1234, reader.Channel);
            Assert.AreEqual(1, client.ReceiveCalls, "three frames in one chunk need one receive");
            Assert.AreEqual(10L + 9 + 12, reader.BytesRead);
        }

        [TestMethod]
        public void ReadFrame_SplitIntoOneByteReceives_Reassembles()
        {
            MemoryTransport.CreatePair(out MemoryTransport peer, out MemoryTransport client);
            client.ReceiveTimeoutMs = ReadTimeoutMs;
            client.MaxReceive = 1;
            peer.Send(Concat(Expect.FromHex("41 4d 51 50 00 01 00 00"), FrameBytes(Frame.TypeAmqp, 3, "0a 0b 0c 0d 0e")));
            var reader = new FrameReader(client, 512);

            reader.ReadProtocolHeader(ProtocolHeader.Amqp);
            Expect.Bytes(Expect.FromHex("0a 0b 0c 0d 0e"), reader.ReadFrame(new ByteBuffer(new byte[0], 0, 0)));
            Assert.AreEqual((ushort)3, reader.Channel);
            Assert.AreEqual(8 + 13, client.ReceiveCalls);
        }

        [TestMethod]
        public void ReadFrame_ManyFramesAcrossTheBufferEnd_ReadsEveryBodyIntact()
        {
            // Frames of varying size in odd-sized chunks: the reader must compact and refill its one buffer.
            MemoryTransport.CreatePair(out MemoryTransport peer, out MemoryTransport client);
            client.ReceiveTimeoutMs = ReadTimeoutMs;
            client.MaxReceive = 37;
            const int count = 40;
            byte[] all = new byte[0];
            for (int i = 0; i < count; i++) all = Concat(all, FrameBytes(Frame.TypeAmqp, (ushort)i, Body(i)));
            peer.Send(all);
            var reader = new FrameReader(client, 512);
            var view = new ByteBuffer(new byte[0], 0, 0);

            for (int i = 0; i < count; i++)
            {
                ByteBuffer body = reader.ReadFrame(view);
                Assert.AreEqual((ushort)i, reader.Channel);
                Expect.Bytes(Expect.FromHex(Body(i)), body);
            }
            Assert.AreEqual((long)all.Length, reader.BytesRead);
        }

        [TestMethod]
        public void ReadFrame_LargerThanMaxFrameSize_FramingErrorBeforeReadingTheBody()
        {
            // Only the header of a 1 MB frame arrives: the reader must refuse it from the size field alone,
            // without waiting for (or making room for) the body. Waiting would hit the receive timeout instead.
            MemoryTransport.CreatePair(out MemoryTransport peer, out MemoryTransport client);
            client.ReceiveTimeoutMs = ReadTimeoutMs;
            peer.Send(Expect.FromHex("00 10 00 00 02 00 00 00"));
            var reader = new FrameReader(client, 512);

            AmqpException e = Expect.AmqpError(ErrorCode.FramingError, () => reader.ReadFrame(new ByteBuffer(new byte[0], 0, 0)));
            Assert.Contains("1048576", e.Description);
        }

        [TestMethod]
        public void ReadFrame_ExactlyMaxFrameSize_IsRead()
        {
            MemoryTransport.CreatePair(out MemoryTransport peer, out MemoryTransport client);
            client.ReceiveTimeoutMs = ReadTimeoutMs;
            byte[] frame = new byte[512];
            frame[2] = 0x02; // size 512
            frame[4] = 2;
            frame[511] = 0x5a;
            peer.Send(frame);
            var reader = new FrameReader(client, 512);

            ByteBuffer body = reader.ReadFrame(new ByteBuffer(new byte[0], 0, 0));
            Assert.AreEqual(504, body.Length);
            Assert.AreEqual((byte)0x5a, body.Buffer[body.Offset + 503]);
        }

        [TestMethod]
        [DataRow(0)]
        [DataRow(1)]
        public void ReadFrame_DataOffsetBelowTwo_ThrowsFramingError(int doff)
        {
            MemoryTransport.CreatePair(out MemoryTransport peer, out MemoryTransport client);
            client.ReceiveTimeoutMs = ReadTimeoutMs;
            byte[] frame = FrameBytes(Frame.TypeAmqp, 0, "00 53 18 45");
            frame[4] = (byte)doff;
            peer.Send(frame);
            var reader = new FrameReader(client, 512);

            Expect.AmqpError(ErrorCode.FramingError, () => reader.ReadFrame(new ByteBuffer(new byte[0], 0, 0)));
        }

        [TestMethod]
        public void ReadFrame_DataOffsetBeyondFrameSize_ThrowsFramingError()
        {
            MemoryTransport.CreatePair(out MemoryTransport peer, out MemoryTransport client);
            client.ReceiveTimeoutMs = ReadTimeoutMs;
            byte[] frame = FrameBytes(Frame.TypeAmqp, 0, "00 53 18 45");
            frame[4] = 4; // 16 bytes of header in a 12-byte frame
            peer.Send(frame);
            var reader = new FrameReader(client, 512);

            Expect.AmqpError(ErrorCode.FramingError, () => reader.ReadFrame(new ByteBuffer(new byte[0], 0, 0)));
        }

        [TestMethod]
        public void ReadFrame_UnknownFrameType_ThrowsFramingErrorNamingIt()
        {
            MemoryTransport.CreatePair(out MemoryTransport peer, out MemoryTransport client);
            client.ReceiveTimeoutMs = ReadTimeoutMs;
            peer.Send(FrameBytes(0x42, 0, "00 53 18 45"));
            var reader = new FrameReader(client, 512);

            AmqpException e = Expect.AmqpError(ErrorCode.FramingError, () => reader.ReadFrame(new ByteBuffer(new byte[0], 0, 0)));
            Assert.Contains("66", e.Description);
        }

        [TestMethod]
        public void ReadFrame_PeerClosesMidFrame_ThrowsConnectionLost()
        {
            MemoryTransport.CreatePair(out MemoryTransport peer, out MemoryTransport client);
            client.ReceiveTimeoutMs = ReadTimeoutMs;
            byte[] frame = FrameBytes(Frame.TypeAmqp, 0, "00 53 18 45 01 02 03");
            peer.Send(frame, 0, frame.Length - 3);
            peer.Close();
            var reader = new FrameReader(client, 512);

            Expect.AmqpError(ErrorCode.ConnectionLost, () => reader.ReadFrame(new ByteBuffer(new byte[0], 0, 0)));
        }

        [TestMethod]
        public void ReadFrame_PeerClosesMidHeader_ThrowsConnectionLost()
        {
            MemoryTransport.CreatePair(out MemoryTransport peer, out MemoryTransport client);
            client.ReceiveTimeoutMs = ReadTimeoutMs;
            peer.Send(Expect.FromHex("00 00 00"));
            peer.Close();
            var reader = new FrameReader(client, 512);

            Expect.AmqpError(ErrorCode.ConnectionLost, () => reader.ReadFrame(new ByteBuffer(new byte[0], 0, 0)));
        }

        [TestMethod]
        public void ReadFrame_EmptyFrame_ReturnsBodyOfLengthZero()
        {
            MemoryTransport.CreatePair(out MemoryTransport peer, out MemoryTransport client);
            client.ReceiveTimeoutMs = ReadTimeoutMs;
            peer.Send(Concat(Expect.FromHex("00 00 00 08 02 00 00 00"), FrameBytes(Frame.TypeAmqp, 0, "77")));
            var reader = new FrameReader(client, 512);
            var view = new ByteBuffer(new byte[0], 0, 0);

            Assert.AreEqual(0, reader.ReadFrame(view).Length);
            Expect.Bytes(Expect.FromHex("77"), reader.ReadFrame(view));
        }

        [TestMethod]
        public void ReadFrame_ExtendedHeader_IsSkipped()
        {
            // doff 3: 4 bytes of extended header (2.3.1) precede the body and are ignored.
            MemoryTransport.CreatePair(out MemoryTransport peer, out MemoryTransport client);
            client.ReceiveTimeoutMs = ReadTimeoutMs;
            peer.Send(Expect.FromHex("00 00 00 0e 03 00 00 05 de ad be ef 00 45"));
            var reader = new FrameReader(client, 512);

            Expect.Bytes(Expect.FromHex("00 45"), reader.ReadFrame(new ByteBuffer(new byte[0], 0, 0)));
            Assert.AreEqual((ushort)5, reader.Channel);
        }

        [TestMethod]
        public void ReadProtocolHeader_WrongId_ThrowsNamingBoth()
        {
            MemoryTransport.CreatePair(out MemoryTransport peer, out MemoryTransport client);
            client.ReceiveTimeoutMs = ReadTimeoutMs;
            peer.Send(Expect.FromHex("41 4d 51 50 00 01 00 00"));
            var reader = new FrameReader(client, 512);

            AmqpException e = Expect.AmqpError(ErrorCode.NotImplemented, () => reader.ReadProtocolHeader(ProtocolHeader.Sasl));
            Assert.Contains("SASL", e.Description);
        }

        private static string Body(int i)
        {
            // 1 to 300 bytes, different for each frame.
            int n = 1 + (i * 53) % 300;
            char[] c = new char[n * 2];
            for (int k = 0; k < n; k++)
            {
                int v = (i + k) & 0xFF;
                c[2 * k] = "0123456789abcdef"[v >> 4];
                c[2 * k + 1] = "0123456789abcdef"[v & 0xF];
            }
            return new string(c);
        }

        internal static byte[] FrameBytes(byte type, ushort channel, string bodyHex)
        {
            byte[] body = Expect.FromHex(bodyHex);
            byte[] f = new byte[8 + body.Length];
            BigEndian.Put32(f, 0, (uint)f.Length);
            f[4] = 2;
            f[5] = type;
            f[6] = (byte)(channel >> 8);
            f[7] = (byte)channel;
            Array.Copy(body, 0, f, 8, body.Length);
            return f;
        }

        internal static byte[] Concat(params byte[][] parts)
        {
            int n = 0;
            for (int i = 0; i < parts.Length; i++) n += parts[i].Length;
            byte[] r = new byte[n];
            int at = 0;
            for (int i = 0; i < parts.Length; i++)
            {
                Array.Copy(parts[i], 0, r, at, parts[i].Length);
                at += parts[i].Length;
            }
            return r;
        }
    }
}
