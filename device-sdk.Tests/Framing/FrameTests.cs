// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
using IotHubAmqp.Device.Buffers;
using IotHubAmqp.Device.Framing;
using nanoFramework.TestFramework;

namespace IotHubAmqp.Device.Tests.Framing
{
    [TestClass]
    public class FrameTests
    {
        [TestMethod]
        public void WriteEmpty_Always_WritesEightByteHeartbeat()
        {
            // AMQP 1.0 2.4.5: an empty frame is a bare 8-byte header, doff 2, type 0, channel 0.
            var b = Wire.NewBuffer();
            Frame.WriteEmpty(b);
            Expect.Bytes(Expect.FromHex("00 00 00 08 02 00 00 00"), b);
        }

        [TestMethod]
        public void BeginEnd_SaslFrameOnChannel_WritesSizeDoffTypeAndChannel()
        {
            var b = Wire.NewBuffer();
            int start = Frame.Begin(b, Frame.TypeSasl, 0x0102);
            b.WriteBytes(new byte[] { 0xaa, 0xbb, 0xcc }, 0, 3);
            Frame.End(b, start);
            Expect.Bytes(Expect.FromHex("00 00 00 0b 02 01 01 02 aa bb cc"), b);
        }

        [TestMethod]
        public void BeginEnd_AfterOtherBytes_SizeCountsOnlyTheFrame()
        {
            // The AMQP header and open go out in one buffer: the frame size must not include the header.
            var b = Wire.NewBuffer();
            ProtocolHeader.Write(b, ProtocolHeader.Amqp);
            int start = Frame.Begin(b, Frame.TypeAmqp, 0);
            b.WriteByte(0x45);
            Frame.End(b, start);
            Expect.Bytes(Expect.FromHex("41 4d 51 50 00 01 00 00 00 00 00 09 02 00 00 00 45"), b);
        }

        [TestMethod]
        public void Begin_BufferSmallerThanHeader_ThrowsFrameSizeTooSmall()
        {
            var b = new ByteBuffer(Frame.HeaderSize - 1);
            Expect.AmqpError(ErrorCode.FrameSizeTooSmall, () => Frame.Begin(b, Frame.TypeAmqp, 0));
        }
    }
}
