// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
using System;
using System.Collections;
using IotHubAmqp.Device.Buffers;
using IotHubAmqp.Device.Types;
using nanoFramework.TestFramework;

namespace IotHubAmqp.Device.Tests.Types
{
    /// <summary>Byte-exact vectors for every writer (AMQP 1.0 1.6): the most compact constructor must be chosen.</summary>
    [TestClass]
    public class EncoderTests
    {
        private static ByteBuffer NewBuffer() => new ByteBuffer(1024);

        [TestMethod]
        public void WriteNull_Always_Writes40()
        {
            var b = NewBuffer();
            Encoder.WriteNull(b);
            Expect.Bytes(Expect.FromHex("40"), b);
        }

        [TestMethod]
        [DataRow(true, "41")]
        [DataRow(false, "42")]
        public void WriteBoolean_Value_UsesZeroWidthForm(bool value, string hex)
        {
            var b = NewBuffer();
            Encoder.WriteBoolean(b, value);
            Expect.Bytes(Expect.FromHex(hex), b);
        }

        [TestMethod]
        [DataRow((byte)0, "50 00")]
        [DataRow((byte)0x7f, "50 7f")]
        [DataRow((byte)0xff, "50 ff")]
        public void WriteUByte_Value_ExactBytes(byte value, string hex)
        {
            var b = NewBuffer();
            Encoder.WriteUByte(b, value);
            Expect.Bytes(Expect.FromHex(hex), b);
        }

        [TestMethod]
        [DataRow((ushort)0, "60 00 00")]
        [DataRow((ushort)0x0102, "60 01 02")]
        [DataRow((ushort)0xffff, "60 ff ff")]
        public void WriteUShort_Value_ExactBytes(ushort value, string hex)
        {
            var b = NewBuffer();
            Encoder.WriteUShort(b, value);
            Expect.Bytes(Expect.FromHex(hex), b);
        }

        [TestMethod]
        [DataRow(0u, "43")]
        [DataRow(1u, "52 01")]
        [DataRow(7u, "52 07")]
        [DataRow(255u, "52 ff")]
        [DataRow(256u, "70 00 00 01 00")]
        [DataRow(0x01020304u, "70 01 02 03 04")]
        [DataRow(uint.MaxValue, "70 ff ff ff ff")]
        public void WriteUInt_Value_UsesUInt0SmallUIntOrUInt(uint value, string hex)
        {
            var b = NewBuffer();
            Encoder.WriteUInt(b, value);
            Expect.Bytes(Expect.FromHex(hex), b);
        }

        [TestMethod]
        [DataRow(0ul, "44")]
        [DataRow(1ul, "53 01")]
        [DataRow(255ul, "53 ff")]
        [DataRow(256ul, "80 00 00 00 00 00 00 01 00")]
        [DataRow(0x0102030405060708ul, "80 01 02 03 04 05 06 07 08")]
        [DataRow(ulong.MaxValue, "80 ff ff ff ff ff ff ff ff")]
        public void WriteULong_Value_UsesULong0SmallULongOrULong(ulong value, string hex)
        {
            var b = NewBuffer();
            Encoder.WriteULong(b, value);
            Expect.Bytes(Expect.FromHex(hex), b);
        }

        [TestMethod]
        [DataRow((sbyte)0, "51 00")]
        [DataRow((sbyte)-1, "51 ff")]
        [DataRow(sbyte.MinValue, "51 80")]
        [DataRow(sbyte.MaxValue, "51 7f")]
        public void WriteByte_Value_ExactBytes(sbyte value, string hex)
        {
            var b = NewBuffer();
            Encoder.WriteObject(b, value);
            Expect.Bytes(Expect.FromHex(hex), b);
        }

        [TestMethod]
        [DataRow((short)0, "61 00 00")]
        [DataRow((short)-1, "61 ff ff")]
        [DataRow(short.MinValue, "61 80 00")]
        [DataRow(short.MaxValue, "61 7f ff")]
        public void WriteShort_Value_ExactBytes(short value, string hex)
        {
            var b = NewBuffer();
            Encoder.WriteObject(b, value);
            Expect.Bytes(Expect.FromHex(hex), b);
        }

        [TestMethod]
        [DataRow(0, "54 00")]
        [DataRow(-1, "54 ff")]
        [DataRow(127, "54 7f")]
        [DataRow(-128, "54 80")]
        [DataRow(128, "71 00 00 00 80")]
        [DataRow(-129, "71 ff ff ff 7f")]
        [DataRow(int.MaxValue, "71 7f ff ff ff")]
        [DataRow(int.MinValue, "71 80 00 00 00")]
        public void WriteInt_Value_UsesSmallIntOrInt(int value, string hex)
        {
            var b = NewBuffer();
            Encoder.WriteObject(b, value);
            Expect.Bytes(Expect.FromHex(hex), b);
        }

        [TestMethod]
        [DataRow(0L, "55 00")]
        [DataRow(-1L, "55 ff")]
        [DataRow(127L, "55 7f")]
        [DataRow(-128L, "55 80")]
        [DataRow(128L, "81 00 00 00 00 00 00 00 80")]
        [DataRow(-129L, "81 ff ff ff ff ff ff ff 7f")]
        [DataRow(long.MaxValue, "81 7f ff ff ff ff ff ff ff")]
        [DataRow(long.MinValue, "81 80 00 00 00 00 00 00 00")]
        public void WriteLong_Value_UsesSmallLongOrLong(long value, string hex)
        {
            var b = NewBuffer();
            Encoder.WriteObject(b, value);
            Expect.Bytes(Expect.FromHex(hex), b);
        }

        [TestMethod]
        [DataRow(0f, "72 00 00 00 00")]
        [DataRow(1.5f, "72 3f c0 00 00")]
        [DataRow(-2f, "72 c0 00 00 00")]
        [DataRow(float.PositiveInfinity, "72 7f 80 00 00")]
        [DataRow(float.NegativeInfinity, "72 ff 80 00 00")]
        [DataRow(float.MaxValue, "72 7f 7f ff ff")]
        public void WriteFloat_Value_IsIeee754BigEndian(float value, string hex)
        {
            var b = NewBuffer();
            Encoder.WriteObject(b, value);
            Expect.Bytes(Expect.FromHex(hex), b);
        }

        [TestMethod]
        [DataRow(0d, "82 00 00 00 00 00 00 00 00")]
        [DataRow(1.5d, "82 3f f8 00 00 00 00 00 00")]
        [DataRow(double.PositiveInfinity, "82 7f f0 00 00 00 00 00 00")]
        [DataRow(double.NegativeInfinity, "82 ff f0 00 00 00 00 00 00")]
        [DataRow(double.MinValue, "82 ff ef ff ff ff ff ff ff")]
        public void WriteDouble_Value_IsIeee754BigEndian(double value, string hex)
        {
            var b = NewBuffer();
            Encoder.WriteObject(b, value);
            Expect.Bytes(Expect.FromHex(hex), b);
        }

        [TestMethod]
        public void WriteDouble_NegativeZero_KeepsSignBit()
        {
            var b = NewBuffer();
            Encoder.WriteObject(b, -0.0d);
            Expect.Bytes(Expect.FromHex("82 80 00 00 00 00 00 00 00"), b);
        }

        [TestMethod]
        public void WriteFloat_NegativeZero_KeepsSignBit()
        {
            var b = NewBuffer();
            Encoder.WriteObject(b, -0.0f);
            Expect.Bytes(Expect.FromHex("72 80 00 00 00"), b);
        }

        [TestMethod]
        public void WriteDouble_NaN_WritesNaNBits()
        {
            var b = NewBuffer();
            Encoder.WriteObject(b, BitConverter.Int64BitsToDouble(0x7ff8000000000001L));
            Expect.Bytes(Expect.FromHex("82 7f f8 00 00 00 00 00 01"), b);
        }

        [TestMethod]
        public void WriteTimestamp_Epoch_IsZero()
        {
            var b = NewBuffer();
            Encoder.WriteTimestamp(b, new DateTime(1970, 1, 1, 0, 0, 0));
            Expect.Bytes(Expect.FromHex("83 00 00 00 00 00 00 00 00"), b);
        }

        [TestMethod]
        public void WriteTimestamp_KnownInstant_IsMillisecondsSinceEpoch()
        {
            // 2009-02-13T23:31:30Z is 1234567890000 ms = 0x0000011f71fb0450.
            var b = NewBuffer();
            Encoder.WriteTimestamp(b, new DateTime(2009, 2, 13, 23, 31, 30));
            Expect.Bytes(Expect.FromHex("83 00 00 01 1f 71 fb 04 50"), b);
        }

        [TestMethod]
        public void WriteTimestamp_BeforeEpoch_IsNegative()
        {
            var b = NewBuffer();
            Encoder.WriteTimestamp(b, new DateTime(1969, 12, 31, 23, 59, 59));
            Expect.Bytes(Expect.FromHex("83 ff ff ff ff ff ff fc 18"), b);
        }

        [TestMethod]
        public void WriteTimestamp_MinAndMaxDate_WholeMillisecondsFromEpoch()
        {
            // DateTime's range is platform-specific (nanoFramework: 1601-3000), so the vector is derived from it;
            // on desktop .NET the two are 83 ff ff c7 7c ed d3 28 00 and 83 00 00 e6 77 d2 1f db ff.
            DateTime[] dates = { DateTime.MinValue, DateTime.MaxValue };
            for (int i = 0; i < dates.Length; i++)
            {
                var b = NewBuffer();
                Encoder.WriteTimestamp(b, dates[i]);
                Assert.AreEqual(FormatCode.TimeStamp, b.ReadByte());
                long ms = (long)BigEndian.Read(b, 8);
                Assert.AreEqual((dates[i].Ticks - Encoder.EpochTicks) / TimeSpan.TicksPerMillisecond, ms, "date " + i);
            }
        }

        [TestMethod]
        public void WriteTimestamp_SubMillisecond_FloorsTowardsPast()
        {
            // 0.5 ms before the epoch is in millisecond -1, 0.5 ms after it in millisecond 0.
            var b = NewBuffer();
            Encoder.WriteTimestamp(b, new DateTime(Encoder.EpochTicks - 5000));
            Encoder.WriteTimestamp(b, new DateTime(Encoder.EpochTicks + 5000));
            Expect.Bytes(Expect.FromHex("83 ff ff ff ff ff ff ff ff 83 00 00 00 00 00 00 00 00"), b);
        }

        [TestMethod]
        public void WriteUuid_Rfc4122Example_IsNetworkByteOrder()
        {
            // RFC 4122 4.1.2: the string form is the big-endian byte sequence.
            var b = NewBuffer();
            Encoder.WriteObject(b, new Guid("f81d4fae-7dec-11d0-a765-00a0c91e6bf6"));
            Expect.Bytes(Expect.FromHex("98 f8 1d 4f ae 7d ec 11 d0 a7 65 00 a0 c9 1e 6b f6"), b);
        }

        [TestMethod]
        public void WriteUuid_Empty_IsSixteenZeros()
        {
            var b = NewBuffer();
            Encoder.WriteObject(b, Guid.Empty);
            Expect.Bytes(Expect.FromHex("98 00000000 00000000 00000000 00000000"), b);
        }

        [TestMethod]
        [DataRow(0, "a0 00")]
        [DataRow(1, "a0 01")]
        [DataRow(255, "a0 ff")]
        [DataRow(256, "b0 00 00 01 00")]
        [DataRow(70000, "b0 00 01 11 70")]
        public void WriteBinaryHeader_Length_UsesVbin8OrVbin32(int count, string hex)
        {
            var b = NewBuffer();
            Encoder.WriteBinaryHeader(b, count);
            Expect.Bytes(Expect.FromHex(hex), b);
        }

        [TestMethod]
        [DataRow(0, "a0 00")]
        [DataRow(255, "a0 ff")]
        [DataRow(256, "b0 00 00 01 00")]
        public void WriteBinary_Length_HeaderThenBytes(int n, string header)
        {
            byte[] data = CodecHelper.Pattern(n);
            var b = NewBuffer();
            Encoder.WriteBinary(b, data);
            byte[] h = Expect.FromHex(header);
            Assert.AreEqual(h.Length + n, b.Length);
            for (int i = 0; i < h.Length; i++) Assert.AreEqual(h[i], b.Buffer[i]);
            for (int i = 0; i < n; i++) Assert.AreEqual(data[i], b.Buffer[h.Length + i]);
        }

        [TestMethod]
        public void WriteBinary_Null_WritesNull()
        {
            var b = NewBuffer();
            Encoder.WriteBinary(b, null);
            Expect.Bytes(Expect.FromHex("40"), b);
        }

        [TestMethod]
        [DataRow("abc", "a1 03 61 62 63")]
        [DataRow("", "a1 00")]
        [DataRow("\u00e9", "a1 02 c3 a9")]
        public void WriteString_Short_UsesStr8(string value, string hex)
        {
            var b = NewBuffer();
            Encoder.WriteString(b, value);
            Expect.Bytes(Expect.FromHex(hex), b);
        }

        [TestMethod]
        [DataRow(255, "a1 ff")]
        [DataRow(256, "b1 00 00 01 00")]
        [DataRow(300, "b1 00 00 01 2c")]
        public void WriteString_Length_SwitchesToStr32After255Bytes(int n, string header)
        {
            string s = CodecHelper.Ascii(n);
            var b = NewBuffer();
            Encoder.WriteString(b, s);
            AssertHeaderThenAscii(b, header, s);
        }

        [TestMethod]
        public void WriteString_128TwoByteChars_Is256BytesAndUsesStr32()
        {
            // The 8/32 choice is made on UTF-8 bytes, not on characters.
            char[] c = new char[128];
            for (int i = 0; i < c.Length; i++) c[i] = '\u00e9';
            var b = NewBuffer();
            Encoder.WriteString(b, new string(c));
            Assert.AreEqual(5 + 256, b.Length);
            Assert.AreEqual(FormatCode.String32, b.Buffer[0]);
            Assert.AreEqual((byte)0xc3, b.Buffer[5]);
            Assert.AreEqual((byte)0xa9, b.Buffer[5 + 255]);
        }

        [TestMethod]
        public void WriteString_Null_WritesNull()
        {
            var b = NewBuffer();
            Encoder.WriteString(b, null);
            Expect.Bytes(Expect.FromHex("40"), b);
        }

        [TestMethod]
        [DataRow("abc", "a3 03 61 62 63")]
        [DataRow("", "a3 00")]
        [DataRow("amqp:open:list", "a3 0e 61 6d 71 70 3a 6f 70 65 6e 3a 6c 69 73 74")]
        public void WriteSymbol_Short_UsesSym8(string value, string hex)
        {
            var b = NewBuffer();
            Encoder.WriteSymbol(b, value);
            Expect.Bytes(Expect.FromHex(hex), b);
            b = NewBuffer();
            Encoder.WriteObject(b, new Symbol(value));
            Expect.Bytes(Expect.FromHex(hex), b);
        }

        [TestMethod]
        [DataRow(255, "a3 ff")]
        [DataRow(256, "b3 00 00 01 00")]
        public void WriteSymbol_Length_SwitchesToSym32After255Bytes(int n, string header)
        {
            string s = CodecHelper.Ascii(n);
            var b = NewBuffer();
            Encoder.WriteObject(b, new Symbol(s));
            AssertHeaderThenAscii(b, header, s);
        }

        [TestMethod]
        public void WriteSymbol_Null_WritesNull()
        {
            var b = NewBuffer();
            Encoder.WriteObject(b, (Symbol)null);
            Encoder.WriteSymbol(b, (string)null);
            Expect.Bytes(Expect.FromHex("40 40"), b);
        }

        [TestMethod]
        public void WriteList_Empty_UsesList0()
        {
            var b = NewBuffer();
            Encoder.WriteList(b, new object[0]);
            Encoder.WriteList(b, new ArrayList());
            Expect.Bytes(Expect.FromHex("45 45"), b);
        }

        [TestMethod]
        public void WriteList_UIntAndString_ExactList8Bytes()
        {
            var b = NewBuffer();
            Encoder.WriteList(b, new object[] { 1u, "a" });
            // list8: size 6 (count byte + 2 + 3), count 2, smalluint 1, str8 "a".
            Expect.Bytes(Expect.FromHex("c0 06 02 52 01 a1 01 61"), b);
        }

        [TestMethod]
        public void WriteList_NullElements_AreWrittenAsNull()
        {
            var b = NewBuffer();
            Encoder.WriteList(b, new object[] { null, true, null });
            Expect.Bytes(Expect.FromHex("c0 04 03 40 41 40"), b);
        }

        [TestMethod]
        public void WriteList_Null_WritesNull()
        {
            var b = NewBuffer();
            Encoder.WriteList(b, null);
            Expect.Bytes(Expect.FromHex("40"), b);
        }

        [TestMethod]
        [DataRow(252, "c0 ff 01 a0 fc")]
        [DataRow(253, "d0 00 00 01 03 00 00 00 01 a0 fd")]
        public void WriteList_BodyAround255Bytes_SwitchesToList32(int binaryLength, string header)
        {
            // One vbin8 of n bytes: the body is n + 2 bytes and list8's size also counts the count byte, so a
            // 254-byte body (size 255) is the largest list8; a 255-byte body takes list32 (size 255 + 4 = 0x103).
            var b = NewBuffer();
            Encoder.WriteList(b, new object[] { CodecHelper.Pattern(binaryLength) });
            byte[] h = Expect.FromHex(header);
            for (int i = 0; i < h.Length; i++) Assert.AreEqual(h[i], b.Buffer[i], "header byte " + i);
            Assert.AreEqual(h.Length + binaryLength, b.Length);
        }

        [TestMethod]
        public void WriteList_300Nulls_UsesList32WithCount()
        {
            object[] items = new object[300];
            var b = NewBuffer();
            Encoder.WriteList(b, items);
            // size = 4 (count) + 300, count = 300.
            byte[] h = Expect.FromHex("d0 00 00 01 30 00 00 01 2c");
            for (int i = 0; i < h.Length; i++) Assert.AreEqual(h[i], b.Buffer[i], "header byte " + i);
            Assert.AreEqual(9 + 300, b.Length);
            Assert.AreEqual(FormatCode.Null, b.Buffer[9 + 299]);
        }

        [TestMethod]
        public void WriteList_NestedList_ExactBytes()
        {
            var b = NewBuffer();
            Encoder.WriteList(b, new object[] { new object[] { 0u }, new object[0] });
            Expect.Bytes(Expect.FromHex("c0 06 02 c0 02 01 43 45"), b);
        }

        [TestMethod]
        public void BeginEndComposite_SmallBody_CompactsToList8()
        {
            var b = NewBuffer();
            b.WriteByte(0xee); // something before the list, to check the patch is relative to start
            int start = Encoder.BeginComposite(b, FormatCode.List32);
            Encoder.WriteUInt(b, 0);
            Encoder.WriteNull(b);
            Encoder.EndComposite(b, start, 2, FormatCode.List8);
            Expect.Bytes(Expect.FromHex("ee c0 03 02 43 40"), b);
        }

        [TestMethod]
        public void BeginEndComposite_LargeBody_StaysList32()
        {
            var b = NewBuffer();
            int start = Encoder.BeginComposite(b, FormatCode.List32);
            Encoder.WriteString(b, CodecHelper.Ascii(300));
            Encoder.EndComposite(b, start, 1, FormatCode.List8);
            // body = 5 + 300 = 305 bytes; size = 309 = 0x135.
            Assert.AreEqual(9 + 305, b.Length);
            byte[] h = Expect.FromHex("d0 00 00 01 35 00 00 00 01 b1 00 00 01 2c");
            for (int i = 0; i < h.Length; i++) Assert.AreEqual(h[i], b.Buffer[i], "header byte " + i);
        }

        [TestMethod]
        public void WriteMap_OneEntry_ExactMap8Bytes()
        {
            var m = new AmqpMap();
            m["k"] = true;
            var b = NewBuffer();
            Encoder.WriteMap(b, m);
            Expect.Bytes(Expect.FromHex("c1 05 02 a1 01 6b 41"), b);
        }

        [TestMethod]
        public void WriteMap_SymbolKeys_KeepInsertionOrder()
        {
            var m = new AmqpMap();
            m[new Symbol("b")] = 1u;
            m[new Symbol("a")] = null;
            var b = NewBuffer();
            Encoder.WriteMap(b, m);
            Expect.Bytes(Expect.FromHex("c1 0a 04 a3 01 62 52 01 a3 01 61 40"), b);
        }

        [TestMethod]
        public void WriteMap_Empty_IsMap8WithZeroCount()
        {
            var b = NewBuffer();
            Encoder.WriteMap(b, new AmqpMap());
            Expect.Bytes(Expect.FromHex("c1 01 00"), b);
        }

        [TestMethod]
        public void WriteMap_LargeValue_UsesMap32()
        {
            var m = new AmqpMap();
            m["k"] = CodecHelper.Ascii(260);
            var b = NewBuffer();
            Encoder.WriteMap(b, m);
            // body = 3 + 5 + 260 = 268; size = 272 = 0x110; count 2.
            byte[] h = Expect.FromHex("d1 00 00 01 10 00 00 00 02 a1 01 6b b1 00 00 01 04");
            for (int i = 0; i < h.Length; i++) Assert.AreEqual(h[i], b.Buffer[i], "header byte " + i);
            Assert.AreEqual(9 + 268, b.Length);
        }

        [TestMethod]
        public void WriteMap_Null_WritesNull()
        {
            var b = NewBuffer();
            Encoder.WriteMap(b, null);
            Expect.Bytes(Expect.FromHex("40"), b);
        }

        [TestMethod]
        public void WriteDescriptor_OpenCode_Writes00SmallULong()
        {
            var b = NewBuffer();
            Encoder.WriteDescriptor(b, Descriptor.Open);
            Expect.Bytes(Expect.FromHex("00 53 10"), b);
        }

        [TestMethod]
        public void WriteDescriptor_WideCode_UsesULong()
        {
            // A vendor descriptor: domain 0x0000_0137 (Microsoft), id 0x0000_0001.
            var b = NewBuffer();
            Encoder.WriteDescriptor(b, 0x0000013700000001ul);
            Expect.Bytes(Expect.FromHex("00 80 00 00 01 37 00 00 00 01"), b);
        }

        [TestMethod]
        public void WriteObject_EachClrType_MatchesTypedWriter()
        {
            object[] values =
            {
                null, "s", new Symbol("y"), true, false, (byte)9, (ushort)9, 9u, 9ul, (sbyte)-9, (short)-9, -9, -9L,
                1.5f, 1.5d, new DateTime(2020, 1, 2, 3, 4, 5, 6), new Guid("f81d4fae-7dec-11d0-a765-00a0c91e6bf6"),
                new byte[] { 1, 2 }, new EncodedValue(new byte[] { 0x74, 0, 0, 0, 0 }),
            };
            string[] hex =
            {
                "40", "a1 01 73", "a3 01 79", "41", "42", "50 09", "60 00 09", "52 09", "53 09", "51 f7", "61 ff f7", "54 f7", "55 f7",
                "72 3f c0 00 00", "82 3f f8 00 00 00 00 00 00", "83 00 00 01 6f 64 35 cc 8e",
                "98 f8 1d 4f ae 7d ec 11 d0 a7 65 00 a0 c9 1e 6b f6", "a0 02 01 02", "74 00 00 00 00",
            };
            for (int i = 0; i < values.Length; i++)
            {
                var b = NewBuffer();
                Encoder.WriteObject(b, values[i]);
                Expect.Bytes(Expect.FromHex(hex[i]), b);
            }
        }

        [TestMethod]
        public void WriteObject_CompositeTypes_Dispatch()
        {
            var b = NewBuffer();
            var m = new AmqpMap();
            Encoder.WriteObject(b, m);
            Encoder.WriteObject(b, new ArrayList());
            Encoder.WriteObject(b, new EncodedValue(Expect.FromHex("e0 06 01 71 00 00 00 01")));
            Encoder.WriteObject(b, new EncodedValue(Expect.FromHex("00 53 01 40")));
            Expect.Bytes(Expect.FromHex("c1 01 00 45 e0 06 01 71 00 00 00 01 00 53 01 40"), b);
        }

        [TestMethod]
        public void WriteObject_UnsupportedType_IsNotImplemented()
        {
            Expect.AmqpError(ErrorCode.NotImplemented, () => Encoder.WriteObject(NewBuffer(), new object()));
            Expect.AmqpError(ErrorCode.NotImplemented, () => Encoder.WriteObject(NewBuffer(), TimeSpan.Zero));
        }

        [TestMethod]
        public void Write_PastCapacity_IsFrameSizeTooSmall()
        {
            Expect.AmqpError(ErrorCode.FrameSizeTooSmall, () => Encoder.WriteUInt(new ByteBuffer(4), uint.MaxValue));
            Expect.AmqpError(ErrorCode.FrameSizeTooSmall, () => Encoder.WriteString(new ByteBuffer(4), "abcd"));
            Expect.AmqpError(ErrorCode.FrameSizeTooSmall, () => Encoder.WriteList(new ByteBuffer(8), new object[] { 1u }));
            Expect.AmqpError(ErrorCode.FrameSizeTooSmall, () => Encoder.WriteBinary(new ByteBuffer(300), new byte[300]));
        }

        [TestMethod]
        public void Write_ExactCapacity_Fits()
        {
            var b = new ByteBuffer(5);
            Encoder.WriteString(b, "abc");
            Assert.AreEqual(5, b.Length);
            Assert.AreEqual(0, b.Writable);
        }

        private static void AssertHeaderThenAscii(ByteBuffer b, string header, string s)
        {
            byte[] h = Expect.FromHex(header);
            Assert.AreEqual(h.Length + s.Length, b.Length);
            for (int i = 0; i < h.Length; i++) Assert.AreEqual(h[i], b.Buffer[i], "header byte " + i);
            for (int i = 0; i < s.Length; i++) Assert.AreEqual((byte)s[i], b.Buffer[h.Length + i], "text byte " + i);
        }
    }
}
