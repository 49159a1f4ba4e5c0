// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
using IotHubAmqp.Device.Buffers;
using nanoFramework.TestFramework;

namespace IotHubAmqp.Device.Tests.Buffers
{
    [TestClass]
    public class ByteBufferTests
    {
        [TestMethod]
        public void Reserve_PastCapacity_ThrowsWithoutGrowing()
        {
            var b = new ByteBuffer(4);
            b.Reserve(3);
            Assert.ThrowsException(typeof(AmqpException), () => b.Reserve(2));
            Assert.AreEqual(4, b.Capacity);
            Assert.AreEqual(3, b.WritePos);
        }

        [TestMethod]
        public void Take_PastWritten_IsDecodeError()
        {
            var b = new ByteBuffer(8);
            b.WriteByte(1);
            try
            {
                b.Take(2);
                Assert.IsTrue(false, "Take past the written bytes must throw");
            }
            catch (AmqpException e)
            {
                Assert.AreEqual(ErrorCode.DecodeError, e.Condition);
            }
        }

        [TestMethod]
        public void Compact_MovesUnreadBytesToStart()
        {
            var b = new ByteBuffer(4);
            b.WriteByte(1);
            b.WriteByte(2);
            b.WriteByte(3);
            b.ReadByte();
            b.Compact();
            Assert.AreEqual(0, b.Offset);
            Assert.AreEqual(2, b.Length);
            Assert.AreEqual((byte)2, b.ReadByte());
            Assert.AreEqual((byte)3, b.ReadByte());
        }

        [TestMethod]
        public void BigEndian_UInt64_RoundTripsAndIsNetworkOrder()
        {
            var b = new ByteBuffer(8);
            BigEndian.Write(b, 0x0102030405060708UL, 8);
            Assert.AreEqual((byte)1, b.Buffer[0]);
            Assert.AreEqual((byte)8, b.Buffer[7]);
            Assert.AreEqual(0x0102030405060708UL, BigEndian.Read(b, 8));
        }
            [TestMethod]
        public void Reserve_ExactFit_AdvancesWritePos()
        {
            var b = new ByteBuffer(4);
            Assert.AreEqual(0, b.Reserve(1));
            Assert.AreEqual(1, b.Reserve(3));
            Assert.AreEqual(4, b.WritePos);
            Assert.AreEqual(0, b.Writable);
            Expect.AmqpError(ErrorCode.FrameSizeTooSmall, () => b.Reserve(1));
        }

        [TestMethod]
        public void Reserve_Zero_ReturnsWritePos()
        {
            var b = new ByteBuffer(2);
            b.WriteByte(1);
            Assert.AreEqual(1, b.Reserve(0));
            Assert.AreEqual(1, b.WritePos);
        }

        [TestMethod]
        public void Take_Negative_IsDecodeError()
        {
            var b = new ByteBuffer(4);
            b.WriteByte(1);
            Expect.AmqpError(ErrorCode.DecodeError, () => b.Take(-1));
            Assert.AreEqual(0, b.Offset);
        }

        [TestMethod]
        public void Take_ExactLength_ConsumesAll()
        {
            var b = new ByteBuffer(new byte[] { 9, 1, 2, 3 }, 1, 3);
            Assert.AreEqual(1, b.Take(3));
            Assert.AreEqual(0, b.Length);
            Assert.AreEqual(4, b.Offset);
        }

        [TestMethod]
        public void ReadByteAndPeekByte_Empty_AreDecodeErrors()
        {
            var b = new ByteBuffer(2);
            Expect.AmqpError(ErrorCode.DecodeError, () => b.ReadByte());
            Expect.AmqpError(ErrorCode.DecodeError, () => b.PeekByte());
        }

        [TestMethod]
        public void PeekByte_DoesNotConsume()
        {
            var b = new ByteBuffer(new byte[] { 7, 8 }, 0, 2);
            Assert.AreEqual((byte)7, b.PeekByte());
            Assert.AreEqual((byte)7, b.PeekByte());
            Assert.AreEqual(0, b.Offset);
            Assert.AreEqual((byte)7, b.ReadByte());
            Assert.AreEqual((byte)8, b.PeekByte());
        }

        [TestMethod]
        public void WrappingConstructor_OffsetAndCount_DefineReadableBytes()
        {
            byte[] a = { 1, 2, 3, 4, 5 };
            var b = new ByteBuffer(a, 1, 3);
            Assert.AreEqual(3, b.Length);
            Assert.AreEqual(1, b.Writable);
            Assert.AreEqual(5, b.Capacity);
            Assert.AreEqual((byte)2, b.ReadByte());
            Assert.AreSame(a, b.Buffer);
        }

        [TestMethod]
        public void Wrap_OtherArray_ReplacesBufferAndCursors()
        {
            var b = new ByteBuffer(8);
            b.WriteByte(1);
            byte[] a = { 5, 6, 7 };
            b.Wrap(a, 2, 1);
            Assert.AreSame(a, b.Buffer);
            Assert.AreEqual(2, b.Offset);
            Assert.AreEqual(3, b.WritePos);
            Assert.AreEqual((byte)7, b.ReadByte());
            Expect.AmqpError(ErrorCode.DecodeError, () => b.ReadByte());
        }

        [TestMethod]
        public void Reset_AfterUse_EmptiesBothCursors()
        {
            var b = new ByteBuffer(4);
            b.WriteByte(1);
            b.WriteByte(2);
            b.ReadByte();
            b.Reset();
            Assert.AreEqual(0, b.Offset);
            Assert.AreEqual(0, b.WritePos);
            Assert.AreEqual(4, b.Writable);
        }

        [TestMethod]
        public void WriteBytes_Slice_CopiesOnlyTheSlice()
        {
            var b = new ByteBuffer(4);
            b.WriteBytes(new byte[] { 1, 2, 3, 4, 5 }, 1, 3);
            Expect.Bytes(new byte[] { 2, 3, 4 }, b);
            Expect.AmqpError(ErrorCode.FrameSizeTooSmall, () => b.WriteBytes(new byte[2], 0, 2));
            Assert.AreEqual(3, b.WritePos);
        }

        [TestMethod]
        public void Compact_AllRead_EmptiesBuffer()
        {
            var b = new ByteBuffer(4);
            b.WriteByte(1);
            b.WriteByte(2);
            b.ReadByte();
            b.ReadByte();
            b.Compact();
            Assert.AreEqual(0, b.Offset);
            Assert.AreEqual(0, b.WritePos);
            Assert.AreEqual(4, b.Writable);
        }

        [TestMethod]
        public void Compact_NothingRead_KeepsBytes()
        {
            var b = new ByteBuffer(4);
            b.WriteByte(1);
            b.WriteByte(2);
            b.Compact();
            Assert.AreEqual(0, b.Offset);
            Assert.AreEqual(2, b.WritePos);
            Expect.Bytes(new byte[] { 1, 2 }, b);
        }

        [TestMethod]
        public void BigEndian_UInt16AndUInt32_NetworkOrderRoundTrip()
        {
            var b = new ByteBuffer(6);
            BigEndian.Write(b, 0xA1B2, 2);
            BigEndian.WriteUInt32(b, 0xC1D2E3F4u);
            Expect.Bytes(new byte[] { 0xA1, 0xB2, 0xC1, 0xD2, 0xE3, 0xF4 }, b);
            Assert.AreEqual((ushort)0xA1B2, (ushort)BigEndian.Read(b, 2));
            Assert.AreEqual(0xC1D2E3F4u, (uint)BigEndian.Read(b, 4));
        }

        [TestMethod]
        public void BigEndian_Extremes_RoundTrip()
        {
            var b = new ByteBuffer(28);
            BigEndian.Write(b, ushort.MaxValue, 2);
            BigEndian.WriteUInt32(b, uint.MaxValue);
            BigEndian.Write(b, ulong.MaxValue, 8);
            BigEndian.Write(b, 0x8000000000000001UL, 8);
            BigEndian.WriteUInt32(b, 0x80000001u);
            BigEndian.Write(b, 0x8001, 2);
            Assert.AreEqual(ushort.MaxValue, (ushort)BigEndian.Read(b, 2));
            Assert.AreEqual(uint.MaxValue, (uint)BigEndian.Read(b, 4));
            Assert.AreEqual(ulong.MaxValue, BigEndian.Read(b, 8));
            Assert.AreEqual(0x8000000000000001UL, BigEndian.Read(b, 8));
            Assert.AreEqual(0x80000001u, (uint)BigEndian.Read(b, 4));
            Assert.AreEqual((ushort)0x8001, (ushort)BigEndian.Read(b, 2));
        }

        [TestMethod]
        public void BigEndian_PutAndGet32_AtIndex()
        {
            byte[] a = new byte[6];
            BigEndian.Put32(a, 1, 0x01020304u);
            Expect.Bytes(new byte[] { 0, 1, 2, 3, 4, 0 }, a);
            Assert.AreEqual(0x01020304u, BigEndian.Get32(a, 1));
        }

        [TestMethod]
        public void BigEndian_Truncated_IsDecodeErrorAndConsumesNothing()
        {
            var b = new ByteBuffer(new byte[] { 1, 2, 3 }, 0, 3);
            Expect.AmqpError(ErrorCode.DecodeError, () => BigEndian.Read(b, 4));
            Expect.AmqpError(ErrorCode.DecodeError, () => BigEndian.Read(b, 8));
            Assert.AreEqual(0, b.Offset);
            Assert.AreEqual((ushort)0x0102, (ushort)BigEndian.Read(b, 2));
            Expect.AmqpError(ErrorCode.DecodeError, () => BigEndian.Read(b, 2));
        }

        [TestMethod]
        public void BigEndian_WritePastCapacity_IsFrameSizeTooSmall()
        {
            var b = new ByteBuffer(7);
            Expect.AmqpError(ErrorCode.FrameSizeTooSmall, () => BigEndian.Write(b, 1, 8));
            Assert.AreEqual(0, b.WritePos);
        }
    }
}
