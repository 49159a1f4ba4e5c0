// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
using System.Threading;
using IotHubAmqp.Device.Platform;
using nanoFramework.TestFramework;

namespace IotHubAmqp.Device.Tests.Platform
{
    [TestClass]
    public class WebSocketStreamTests
    {
        // The AMQP 1.0 protocol header and an empty (heartbeat) frame: 2.2 and 2.3.1.
        private const string Header = "41 4d 51 50 00 01 00 00";
        private const string Empty = "00 00 00 08 02 00 00 00";

        private static byte[] ReadAll(WebSocketStream s, int chunk)
        {
            var all = new byte[64];
            int n = 0;
            var buf = new byte[chunk];
            while (true)
            {
                int r = s.Read(buf, 0, chunk);
                if (r == 0) break;
                System.Array.Copy(buf, 0, all, n, r);
                n += r;
            }
            var exact = new byte[n];
            System.Array.Copy(all, exact, n);
            return exact;
        }

        private static void AppendHex(WebSocketStream s, string hex)
        {
            byte[] b = Expect.FromHex(hex);
            s.Append(b, 0, b.Length, true);
        }

        [TestMethod]
        public void Read_FrameSplitAcrossMessages_ComesBackWhole()
        {
            var s = new WebSocketStream(1024);
            AppendHex(s, "00 00 00");
            AppendHex(s, "08 02");
            AppendHex(s, "00 00 00");
            s.End(null);
            Expect.Bytes(Expect.FromHex(Empty), ReadAll(s, 64));
        }

        [TestMethod]
        public void Read_SeveralFramesInOneMessage_ReadInSmallPieces()
        {
            var s = new WebSocketStream(1024);
            AppendHex(s, Header + " " + Empty + " " + Empty);
            s.End(null);
            Expect.Bytes(Expect.FromHex(Header + " " + Empty + " " + Empty), ReadAll(s, 3));
        }

        [TestMethod]
        public void Read_OneCall_CrossesMessageBoundaries()
        {
            var s = new WebSocketStream(1024);
            AppendHex(s, "01 02");
            AppendHex(s, "03");
            AppendHex(s, "04 05 06");
            var buf = new byte[5];
            Assert.AreEqual(5, s.Read(buf, 0, 5));
            Expect.Bytes(Expect.FromHex("01 02 03 04 05"), buf);
            Assert.AreEqual(1, s.Buffered);
        }

        [TestMethod]
        public void Read_AfterEnd_ReturnsTheRestThenZero()
        {
            var s = new WebSocketStream(1024);
            AppendHex(s, "0a 0b");
            s.End("closed by the peer");
            var buf = new byte[8];
            Assert.AreEqual(2, s.Read(buf, 0, 8));
            Assert.AreEqual(0, s.Read(buf, 0, 8));
            Assert.AreEqual(0, s.Read(buf, 0, 8));
            Assert.AreEqual("closed by the peer", s.EndReason);
        }

        [TestMethod]
        public void Append_CopiesThePayload()
        {
            var s = new WebSocketStream(1024);
            var payload = new byte[] { 1, 2, 3, 4 };
            s.Append(payload, 1, 2, true);
            payload[1] = 9;
            var buf = new byte[4];
            Assert.AreEqual(2, s.Read(buf, 0, 4));
            Assert.AreEqual((byte)2, buf[0]);
            Assert.AreEqual((byte)3, buf[1]);
        }

        [TestMethod]
        public void Append_TextMessage_EndsTheStreamWithAReason()
        {
            var s = new WebSocketStream(1024);
            AppendHex(s, "01");
            s.Append(new byte[] { 0x41 }, 0, 1, false);
            AppendHex(s, "02");
            var buf = new byte[4];
            Assert.AreEqual(1, s.Read(buf, 0, 4));
            Assert.AreEqual(0, s.Read(buf, 0, 4));
            Assert.Contains("text WebSocket message", s.EndReason);
        }

        [TestMethod]
        public void Append_MoreThanTheLimit_EndsTheStream()
        {
            var s = new WebSocketStream(4);
            AppendHex(s, "01 02 03");
            AppendHex(s, "04 05");
            var buf = new byte[8];
            Assert.AreEqual(3, s.Read(buf, 0, 8));
            Assert.AreEqual(0, s.Read(buf, 0, 8));
            Assert.Contains("more than 4 unread bytes", s.EndReason);
        }

        [TestMethod]
        public void End_FirstReasonIsKept()
        {
            var s = new WebSocketStream(16);
            s.End("first");
            s.End("second");
            Assert.AreEqual("first", s.EndReason);
        }

        [TestMethod]
        public void Read_Blocks_UntilAnotherThreadAppends()
        {
            var s = new WebSocketStream(1024);
            int got = -1;
            var reader = new Thread(() =>
            {
                var buf = new byte[8];
                got = s.Read(buf, 0, 8);
            });
            reader.Start();
            Thread.Sleep(50);
            Assert.AreEqual(-1, got, "Read returned before any payload");
            AppendHex(s, "01 02 03");
            Assert.IsTrue(reader.Join(2000), "Read did not wake up");
            Assert.AreEqual(3, got);
        }

        [TestMethod]
        public void Read_Blocked_ReturnsZeroOnEnd()
        {
            var s = new WebSocketStream(1024);
            int got = -1;
            var reader = new Thread(() => got = s.Read(new byte[8], 0, 8));
            reader.Start();
            Thread.Sleep(20);
            s.End("aborted");
            Assert.IsTrue(reader.Join(2000), "Read did not wake up");
            Assert.AreEqual(0, got);
        }

        [TestMethod]
        public void Uri_DefaultAndOtherPorts()
        {
            Assert.AreEqual("wss://h.azure-devices.net/$iothub/websocket", IotHubWebSocket.Uri("h.azure-devices.net", 443));
            Assert.AreEqual("wss://localhost:8443/$iothub/websocket", IotHubWebSocket.Uri("localhost", 8443));
            Assert.AreEqual("AMQPWSB10", IotHubWebSocket.SubProtocol);
        }
    }
}
