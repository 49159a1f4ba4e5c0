// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
using System;
using System.Collections;
using IotHubAmqp.Device.Buffers;
using IotHubAmqp.Device.Types;
using nanoFramework.TestFramework;

namespace IotHubAmqp.Device.Tests.Types
{
    /// <summary>Decoding of every constructor (AMQP 1.0 1.6), round trips, and malformed input.</summary>
    [TestClass]
    public class DecoderTests
    {
        private static ByteBuffer H(string hex) => CodecHelper.Hex(hex);

        // ---- typed readers ----

        [TestMethod]
        [DataRow("41", true)]
        [DataRow("42", false)]
        [DataRow("56 01", true)]
        [DataRow("56 00", false)]
        [DataRow("40", false)]
        public void ReadBoolean_EachForm_Value(string hex, bool expected)
        {
            var b = H(hex);
            Assert.AreEqual(expected, Decoder.ReadBoolean(b));
            Assert.AreEqual(0, b.Length);
        }

        [TestMethod]
        [DataRow("56 02")]
        [DataRow("56 ff")]
        [DataRow("56")]
        [DataRow("43")]
        public void ReadBoolean_InvalidOrTruncated_IsDecodeError(string hex)
        {
            Expect.AmqpError(ErrorCode.DecodeError, () => Decoder.ReadBoolean(H(hex)));
        }

        [TestMethod]
        [DataRow("56 02")]
        [DataRow("56 80")]
        public void ReadObject_InvalidBooleanByte_IsDecodeError(string hex)
        {
            Expect.AmqpError(ErrorCode.DecodeError, () => Decoder.ReadObject(H(hex)));
        }

        [TestMethod]
        [DataRow("43", 0u)]
        [DataRow("52 07", 7u)]
        [DataRow("52 ff", 255u)]
        [DataRow("70 00 00 01 00", 256u)]
        [DataRow("70 00 00 00 01", 1u)]
        [DataRow("70 ff ff ff ff", uint.MaxValue)]
        [DataRow("40", 0u)]
        public void ReadUInt_EachForm_Value(string hex, uint expected)
        {
            var b = H(hex);
            Assert.AreEqual(expected, Decoder.ReadUInt(b));
            Assert.AreEqual(0, b.Length);
        }

        [TestMethod]
        [DataRow("44", 0ul)]
        [DataRow("53 ff", 255ul)]
        [DataRow("80 00 00 00 00 00 00 01 00", 256ul)]
        [DataRow("80 ff ff ff ff ff ff ff ff", ulong.MaxValue)]
        [DataRow("40", 0ul)]
        public void ReadULong_EachForm_Value(string hex, ulong expected)
        {
            var b = H(hex);
            Assert.AreEqual(expected, Decoder.ReadULong(b));
            Assert.AreEqual(0, b.Length);
        }

        [TestMethod]
        public void ReadUByteAndUShort_ValueOrNull_Value()
        {
            Assert.AreEqual((byte)0xfe, Decoder.ReadUByte(H("50 fe")));
            Assert.AreEqual((byte)0, Decoder.ReadUByte(H("40")));
            Assert.AreEqual((ushort)0xfffe, Decoder.ReadUShort(H("60 ff fe")));
            Assert.AreEqual((ushort)0, Decoder.ReadUShort(H("40")));
        }

        [TestMethod]
        [DataRow("52 01")]
        [DataRow("a1 00")]
        [DataRow("45")]
        [DataRow("53 01")]
        public void TypedReaders_WrongConstructor_IsDecodeError(string hex)
        {
            // Each typed reader accepts only its own type's constructors (and null).
            if (hex != "53 01") Expect.AmqpError(ErrorCode.DecodeError, () => Decoder.ReadULong(H(hex)));
            if (hex != "52 01") Expect.AmqpError(ErrorCode.DecodeError, () => Decoder.ReadUInt(H(hex)));
            Expect.AmqpError(ErrorCode.DecodeError, () => Decoder.ReadUByte(H(hex)));
            Expect.AmqpError(ErrorCode.DecodeError, () => Decoder.ReadUShort(H(hex)));
            Expect.AmqpError(ErrorCode.DecodeError, () => Decoder.ReadBoolean(H(hex)));
            Expect.AmqpError(ErrorCode.DecodeError, () => Decoder.ReadTimestamp(H(hex)));
            Expect.AmqpError(ErrorCode.DecodeError, () => Decoder.ReadSymbol(H(hex)));
            Expect.AmqpError(ErrorCode.DecodeError, () => Decoder.ReadBinary(H(hex)));
            Expect.AmqpError(ErrorCode.DecodeError, () => Decoder.ReadMap(H(hex)));
            if (hex != "a1 00") Expect.AmqpError(ErrorCode.DecodeError, () => Decoder.ReadString(H(hex)));
            if (hex != "45") Expect.AmqpError(ErrorCode.DecodeError, () => Decoder.ReadListHeader(H(hex), out int _));
        }

        [TestMethod]
        public void ReadString_Str8AndStr32_Value()
        {
            Assert.AreEqual("abc", Decoder.ReadString(H("a1 03 61 62 63")));
            Assert.AreEqual("abc", Decoder.ReadString(H("b1 00 00 00 03 61 62 63")));
            Assert.AreEqual("", Decoder.ReadString(H("a1 00")));
            Assert.IsNull(Decoder.ReadString(H("40")));
            Expect.AmqpError(ErrorCode.DecodeError, () => Decoder.ReadString(H("a3 01 61")));
        }

        [TestMethod]
        public void ReadSymbol_Sym8AndSym32_Value()
        {
            Assert.AreEqual("abc", Decoder.ReadSymbol(H("a3 03 61 62 63")));
            Assert.AreEqual("abc", Decoder.ReadSymbol(H("b3 00 00 00 03 61 62 63")));
            Assert.IsNull(Decoder.ReadSymbol(H("40")));
        }

        [TestMethod]
        public void ReadBinary_Vbin8AndVbin32_Value()
        {
            Expect.Bytes(Expect.FromHex("01 02"), Decoder.ReadBinary(H("a0 02 01 02")));
            Expect.Bytes(Expect.FromHex("01 02"), Decoder.ReadBinary(H("b0 00 00 00 02 01 02")));
            Assert.AreEqual(0, Decoder.ReadBinary(H("a0 00")).Length);
            Assert.IsNull(Decoder.ReadBinary(H("40")));
        }

        [TestMethod]
        public void ReadTimestamp_VectorAndNull_Value()
        {
            Assert.AreEqual(new DateTime(2009, 2, 13, 23, 31, 30).Ticks, Decoder.ReadTimestamp(H("83 00 00 01 1f 71 fb 04 50")).Ticks);
            Assert.AreEqual(new DateTime(1970, 1, 1).Ticks, Decoder.ReadTimestamp(H("83 00 00 00 00 00 00 00 00")).Ticks);
            Assert.AreEqual(new DateTime(1969, 12, 31, 23, 59, 59).Ticks, Decoder.ReadTimestamp(H("83 ff ff ff ff ff ff fc 18")).Ticks);
            Assert.AreEqual(DateTime.MinValue.Ticks, Decoder.ReadTimestamp(H("40")).Ticks);
        }

        [TestMethod]
        [DataRow("83 7f ff ff ff ff ff ff ff")]
        [DataRow("83 80 00 00 00 00 00 00 00")]
        [DataRow("83 00 00 e6 77 d2 1f dc 00")]
        [DataRow("83 ff ff c7 7c ed d3 27 ff")]
        [DataRow("83 00 10 00 00 00 00 00 00")]
        [DataRow("83 ff f0 00 00 00 00 00 00")]
        public void ReadTimestamp_OutOfDateTimeRange_IsDecodeError(string hex)
        {
            // The wire carries any 64-bit millisecond count; values DateTime cannot hold must not wrap around.
            Expect.AmqpError(ErrorCode.DecodeError, () => Decoder.ReadTimestamp(H(hex)));
            Expect.AmqpError(ErrorCode.DecodeError, () => Decoder.ReadObject(H(hex)));
        }

        [TestMethod]
        public void ReadTimestamp_DateTimeRangeEdges_ValueThenErrorOneMillisecondBeyond()
        {
            // DateTime's range is platform-specific (nanoFramework 1601-3000, desktop 0001-9999): derive the edges.
            long minMs = (DateTime.MinValue.Ticks - Encoder.EpochTicks) / TimeSpan.TicksPerMillisecond;
            long maxMs = (DateTime.MaxValue.Ticks - Encoder.EpochTicks) / TimeSpan.TicksPerMillisecond;
            Assert.AreEqual(DateTime.MinValue.Ticks, Decoder.ReadTimestamp(TimestampBytes(minMs)).Ticks);
            Assert.AreEqual(Encoder.EpochTicks + maxMs * TimeSpan.TicksPerMillisecond, Decoder.ReadTimestamp(TimestampBytes(maxMs)).Ticks);
            Expect.AmqpError(ErrorCode.DecodeError, () => Decoder.ReadTimestamp(TimestampBytes(minMs - 1)));
            Expect.AmqpError(ErrorCode.DecodeError, () => Decoder.ReadTimestamp(TimestampBytes(maxMs + 1)));
        }

        private static ByteBuffer TimestampBytes(long ms)
        {
            var b = new ByteBuffer(9);
            b.WriteByte(FormatCode.TimeStamp);
            BigEndian.Write(b, (ulong)ms, 8);
            return b;
        }

        // ---- ReadObject: spec vectors to CLR values ----

        [TestMethod]
        public void ReadObject_ZeroWidthValues_ShareOneBoxEach()
        {
            // list8 of true, true, false, false, uint0, uint0, ulong0, ulong0, then two booleans in their 0x56 form.
            var list = (object[])CodecHelper.Decode("c0 0d 0a 41 41 42 42 43 43 44 44 56 01 56 01");
            Assert.AreEqual(true, list[0]);
            Assert.AreSame(list[0], list[1], "true");
            Assert.AreEqual(false, list[2]);
            Assert.AreSame(list[2], list[3], "false");
            Assert.AreEqual(0u, list[4]);
            Assert.AreSame(list[4], list[5], "uint0");
            Assert.AreEqual(0ul, list[6]);
            Assert.AreSame(list[6], list[7], "ulong0");
            Assert.AreSame(list[0], list[8], "boolean 1");
            Assert.AreSame(list[8], list[9], "boolean 1 again");
        }

        [TestMethod]
        public void ReadObject_PrimitiveVectors_TypedValues()
        {
            string[] hex =
            {
                "40", "41", "42", "56 01", "50 ff", "60 01 02", "43", "52 07", "70 00 00 01 00", "44", "53 02",
                "80 00 00 00 00 00 00 01 00", "51 ff", "61 80 00", "54 ff", "71 ff ff ff 7f", "55 ff", "81 80 00 00 00 00 00 00 00",
                "72 3f c0 00 00", "82 3f f8 00 00 00 00 00 00", "73 00 00 20 ac", "a1 03 61 62 63", "a3 01 78",
            };
            object[] expected =
            {
                null, true, false, true, (byte)255, (ushort)0x0102, 0u, 7u, 256u, 0ul, 2ul,
                256ul, (sbyte)-1, short.MinValue, -1, -129, -1L, long.MinValue,
                1.5f, 1.5d, new EncodedValue(Expect.FromHex("73 00 00 20 ac")), "abc", new Symbol("x"),
            };
            for (int i = 0; i < hex.Length; i++)
            {
                object v = CodecHelper.Decode(hex[i]);
                Assert.AreEqual(expected[i], v, "decoding " + hex[i]);
                if (v != null) Assert.AreEqual(expected[i].GetType(), v.GetType(), "CLR type of " + hex[i]);
            }
        }

        [TestMethod]
        public void ReadObject_Uuid_Rfc4122ByteOrder()
        {
            object v = CodecHelper.Decode("98 f8 1d 4f ae 7d ec 11 d0 a7 65 00 a0 c9 1e 6b f6");
            Assert.AreEqual(new Guid("f81d4fae-7dec-11d0-a765-00a0c91e6bf6"), v);
        }

        [TestMethod]
        public void ReadObject_DecimalsAndChars_KeptAsTheirBytes()
        {
            // The device carries these types without modelling them (see EncodedValueTests).
            string[] hex = { "74 01 02 03 04", "84 01 02 03 04 05 06 07 08", "94 00112233445566778899aabbccddeeff", "73 00 00 20 ac", "73 00 01 f6 00" };
            for (int i = 0; i < hex.Length; i++) Assert.AreEqual(new EncodedValue(Expect.FromHex(hex[i])), CodecHelper.Decode(hex[i]), hex[i]);
        }

        [TestMethod]
        [DataRow("01")]
        [DataRow("0f")]
        [DataRow("3f")]
        public void ReadObject_ReservedFormatCode_IsDecodeError(string hex)
        {
            Expect.AmqpError(ErrorCode.DecodeError, () => Decoder.ReadObject(H(hex)));
            Expect.AmqpError(ErrorCode.DecodeError, () => Decoder.Skip(H(hex)));
        }

        [TestMethod]
        [DataRow("57")]
        [DataRow("a2 00")]
        [DataRow("c2 01 00")]
        [DataRow("e1 01 00")]
        public void ReadObject_UnassignedFormatCode_IsDecodeError(string hex)
        {
            Expect.AmqpError(ErrorCode.DecodeError, () => Decoder.ReadObject(H(hex)));
        }

        [TestMethod]
        public void ReadObject_Empty_IsDecodeError()
        {
            Expect.AmqpError(ErrorCode.DecodeError, () => Decoder.ReadObject(H("")));
            Expect.AmqpError(ErrorCode.DecodeError, () => Decoder.Skip(H("")));
            Expect.AmqpError(ErrorCode.DecodeError, () => Decoder.TryReadNull(H("")));
        }

        [TestMethod]
        public void TryReadNull_NullOrValue_ConsumesOnlyNull()
        {
            var b = H("40 41");
            Assert.IsTrue(Decoder.TryReadNull(b));
            Assert.AreEqual(1, b.Offset);
            Assert.IsFalse(Decoder.TryReadNull(b));
            Assert.AreEqual(1, b.Offset);
        }

        [TestMethod]
        public void ReadObject_List8Vector_ObjectArray()
        {
            object v = CodecHelper.Decode("c0 06 02 52 01 a1 01 61");
            Assert.IsTrue(ValueEquality.AreEqual(new object[] { 1u, "a" }, v));
        }

        [TestMethod]
        public void ReadObject_List0AndList32_ObjectArray()
        {
            Assert.AreEqual(0, ((object[])CodecHelper.Decode("45")).Length);
            object v = CodecHelper.Decode("d0 00 00 00 06 00 00 00 02 43 40");
            Assert.IsTrue(ValueEquality.AreEqual(new object[] { 0u, null }, v));
            Assert.AreEqual(0, ((object[])CodecHelper.Decode("c0 01 00")).Length);
            Assert.AreEqual(0, ((object[])CodecHelper.Decode("d0 00 00 00 04 00 00 00 00")).Length);
        }

        [TestMethod]
        public void ReadObject_Map8Vector_AmqpMap()
        {
            var m = (AmqpMap)CodecHelper.Decode("c1 0a 04 a3 01 62 52 01 a3 01 61 40");
            Assert.AreEqual(2, m.Count);
            Assert.AreEqual(new Symbol("b"), m.KeyAt(0));
            Assert.AreEqual(1u, m[new Symbol("b")]);
            Assert.IsTrue(m.ContainsKey(new Symbol("a")));
            Assert.IsNull(m[new Symbol("a")]);
        }

        [TestMethod]
        public void ReadObject_Map32_AmqpMap()
        {
            var m = (AmqpMap)CodecHelper.Decode("d1 00 00 00 07 00 00 00 02 43 a1 00");
            Assert.AreEqual("", m[0u]);
        }

        [TestMethod]
        [DataRow("c1 02 01 40")]
        [DataRow("c1 04 03 40 40 40")]
        [DataRow("d1 00 00 00 05 00 00 00 01 40")]
        public void ReadObject_MapOddCount_IsDecodeError(string hex)
        {
            Expect.AmqpError(ErrorCode.DecodeError, () => Decoder.ReadObject(H(hex)));
            Expect.AmqpError(ErrorCode.DecodeError, () => Decoder.ReadMap(H(hex)));
        }

        [TestMethod]
        [DataRow("c1 09 04 a1 01 6b 41 a1 01 6b 42")]
        [DataRow("c1 05 04 43 41 43 42")]
        [DataRow("c1 0b 04 a0 02 01 02 41 a0 02 01 02 42")]
        public void ReadObject_MapDuplicateKey_IsDecodeError(string hex)
        {
            Expect.AmqpError(ErrorCode.DecodeError, () => Decoder.ReadObject(H(hex)));
        }

        [TestMethod]
        public void ReadObject_MapKeysOfDifferentTypes_AreDistinct()
        {
            // uint 0 and ulong 0, string "a" and symbol "a" are different AMQP values.
            var m = (AmqpMap)CodecHelper.Decode("c1 0d 08 43 41 44 42 a1 01 61 41 a3 01 61 42");
            Assert.AreEqual(4, m.Count);
            Assert.AreEqual(true, m[0u]);
            Assert.AreEqual(false, m[0ul]);
            Assert.AreEqual(true, m["a"]);
            Assert.AreEqual(false, m[new Symbol("a")]);
        }

        [TestMethod]
        public void ReadMap_NullAndMap_Value()
        {
            Assert.IsNull(Decoder.ReadMap(H("40")));
            Assert.AreEqual(0, Decoder.ReadMap(H("c1 01 00")).Count);
        }

        // ---- round trips ----

        [TestMethod]
        public void RoundTrip_EveryPrimitiveWithBoundaries_EqualValueAndType()
        {
            object[] values =
            {
                null, true, false,
                (byte)0, (byte)255, (ushort)0, ushort.MaxValue,
                0u, 1u, 255u, 256u, uint.MaxValue,
                0ul, 255ul, 256ul, ulong.MaxValue,
                (sbyte)0, sbyte.MinValue, sbyte.MaxValue, (short)0, short.MinValue, short.MaxValue,
                0, -128, 127, -129, 128, int.MinValue, int.MaxValue,
                0L, -128L, 127L, -129L, 128L, long.MinValue, long.MaxValue,
                0f, float.MinValue, float.MaxValue, float.Epsilon, float.PositiveInfinity, float.NegativeInfinity,
                0d, double.MinValue, double.MaxValue, double.Epsilon, double.PositiveInfinity, double.NegativeInfinity,
                new DateTime(1970, 1, 1), new DateTime(1969, 7, 20, 20, 17, 40, 1), new DateTime(2038, 1, 19, 3, 14, 8, 999),
                DateTime.MinValue, new DateTime(DateTime.MaxValue.Ticks - DateTime.MaxValue.Ticks % TimeSpan.TicksPerMillisecond),
                Guid.Empty, new Guid("f81d4fae-7dec-11d0-a765-00a0c91e6bf6"), new Guid("ffffffff-ffff-ffff-ffff-ffffffffffff"),
                "", "abc", "\u00e9\u20ac\ud83d\ude00", CodecHelper.Ascii(255), CodecHelper.Ascii(256),
                new Symbol(""), new Symbol("x-opt-lock-token"), new Symbol(CodecHelper.Ascii(255)), new Symbol(CodecHelper.Ascii(256)),
                new EncodedValue(Expect.FromHex("74 ff ff ff ff")), new EncodedValue(Expect.FromHex("73 00 00 ff ff")),
                new EncodedValue(Expect.FromHex("84 00 00 00 00 00 00 00 00")), new EncodedValue(Expect.FromHex("e0 02 00 71")),
            };
            for (int i = 0; i < values.Length; i++)
            {
                object v = CodecHelper.RoundTrip(values[i]);
                Assert.AreEqual(values[i], v, "value " + i);
                if (v != null) Assert.AreEqual(values[i].GetType(), v.GetType(), "type of value " + i);
            }
        }

        [TestMethod]
        [DataRow(0)]
        [DataRow(1)]
        [DataRow(255)]
        [DataRow(256)]
        [DataRow(1000)]
        public void RoundTrip_Binary_SameBytes(int n)
        {
            byte[] data = CodecHelper.Pattern(n);
            var v = (byte[])CodecHelper.RoundTrip(data);
            Expect.Bytes(data, v);
        }

        [TestMethod]
        public void RoundTrip_FloatingSpecials_KeepBits()
        {
            long[] bits = { 0x7ff8000000000000L, 0x7ff0000000000001L, unchecked((long)0xfff8000000000000UL), unchecked((long)0x8000000000000000UL), 1L };
            for (int i = 0; i < bits.Length; i++)
            {
                var v = (double)CodecHelper.RoundTrip(BitConverter.Int64BitsToDouble(bits[i]));
                Assert.AreEqual(bits[i], BitConverter.DoubleToInt64Bits(v), "double bits " + i);
            }
            uint[] fbits = { 0x7fc00000u, 0xffc00000u, 0x80000000u, 0x00000001u, 0x7f800000u };
            for (int i = 0; i < fbits.Length; i++)
            {
                float f = Decoder.FloatFromBits(fbits[i]);
                var v = (float)CodecHelper.RoundTrip(f);
                Assert.AreEqual(fbits[i], Encoder.FloatBits(v), "float bits " + i);
            }
        }

        [TestMethod]
        public void RoundTrip_NestedComposites_StructurallyEqual()
        {
            var inner = new AmqpMap();
            inner[new Symbol("k")] = new object[] { 1, "two", null, new byte[] { 3 } };
            inner[5L] = new EncodedValue(Expect.FromHex("e0 06 02 a3 01 61 01 62"));
            var list = new ArrayList { 1u, inner, new object[0], new EncodedValue(Expect.FromHex("00 53 77 a1 01 76")), new AmqpMap() };
            object v = CodecHelper.RoundTrip(list);
            var r = (object[])v;
            Assert.AreEqual(5, r.Length);
            Assert.AreEqual(1u, r[0]);
            Assert.AreEqual(inner, r[1]);
            Assert.AreEqual(0, ((object[])r[2]).Length);
            Assert.AreEqual(new EncodedValue(Expect.FromHex("00 53 77 a1 01 76")), r[3]);
            Assert.AreEqual(new AmqpMap(), r[4]);
        }

        [TestMethod]
        public void RoundTrip_ListWithLargeBody_UsesList32AndDecodes()
        {
            object[] list = { CodecHelper.Ascii(300), 7u };
            ByteBuffer b = CodecHelper.Encode(list);
            Assert.AreEqual(FormatCode.List32, b.Buffer[0]);
            object v = Decoder.ReadObject(b);
            Assert.IsTrue(ValueEquality.AreEqual(list, v));
        }

        [TestMethod]
        public void RoundTrip_MapWith200Entries_UsesMap32AndDecodes()
        {
            var m = new AmqpMap();
            for (uint i = 0; i < 200; i++) m[i] = (int)i - 100;
            ByteBuffer b = CodecHelper.Encode(m);
            Assert.AreEqual(FormatCode.Map32, b.Buffer[0]);
            var r = (AmqpMap)Decoder.ReadObject(b);
            Assert.AreEqual(m, r);
            Assert.AreEqual(150u, r.KeyAt(150));
        }

        // ---- malformed input ----

        [TestMethod]
        [DataRow("50")]
        [DataRow("52")]
        [DataRow("53")]
        [DataRow("54")]
        [DataRow("55")]
        [DataRow("56")]
        [DataRow("60 00")]
        [DataRow("61 00")]
        [DataRow("70 00 00 00")]
        [DataRow("71 00 00")]
        [DataRow("72 00")]
        [DataRow("73 00 00 00")]
        [DataRow("74 00 00 00")]
        [DataRow("80 00 00 00 00 00 00 00")]
        [DataRow("81 00")]
        [DataRow("82 00 00 00 00 00 00 00")]
        [DataRow("83 00 00 00 00 00 00 00")]
        [DataRow("84 00 00 00 00 00 00 00")]
        [DataRow("94 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00")]
        [DataRow("98 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00")]
        [DataRow("a0")]
        [DataRow("a0 02 00")]
        [DataRow("b0 00 00 00")]
        [DataRow("b0 00 00 00 02 00")]
        [DataRow("a1 05 61 62")]
        [DataRow("b1 00 00 00 05 61")]
        [DataRow("a3 01")]
        [DataRow("b3 00 00 01 00 61")]
        [DataRow("c0")]
        [DataRow("c0 03 02 40")]
        [DataRow("d0 00 00 00 08 00 00 00 01 40")]
        [DataRow("d0 00 00 00")]
        [DataRow("c1 01")]
        [DataRow("c1 03 02 40")]
        [DataRow("d1 00 00 00 07 00 00 00 02 40 40")]
        [DataRow("e0 04 02 52 01")]
        [DataRow("e0 02 01")]
        [DataRow("f0 00 00 00 07 00 00 00 02 52 01")]
        [DataRow("00")]
        [DataRow("00 53")]
        [DataRow("00 53 10")]
        public void ReadObject_Truncated_IsDecodeError(string hex)
        {
            Expect.AmqpError(ErrorCode.DecodeError, () => Decoder.ReadObject(H(hex)));
            Expect.AmqpError(ErrorCode.DecodeError, () => Decoder.Skip(H(hex)));
        }

        [TestMethod]
        [DataRow("b0 7f ff ff ff 00")]
        [DataRow("b0 ff ff ff ff 00")]
        [DataRow("b0 80 00 00 00 00")]
        [DataRow("b1 7f ff ff ff 61")]
        [DataRow("b3 7f ff ff ff 61")]
        [DataRow("d0 7f ff ff ff 00 00 00 01 40")]
        [DataRow("d0 ff ff ff ff 00 00 00 01 40")]
        [DataRow("d1 7f ff ff ff 00 00 00 02 40 40")]
        [DataRow("f0 7f ff ff ff 00 00 00 01 40")]
        [DataRow("c0 ff 01 40")]
        [DataRow("c1 ff 02 40 40")]
        [DataRow("e0 ff 01 40")]
        public void ReadObject_SizeLargerThanBuffer_IsDecodeErrorWithoutAllocating(string hex)
        {
            // A forged size must be checked before anything is allocated for it.
            Expect.AmqpError(ErrorCode.DecodeError, () => Decoder.ReadObject(H(hex)));
            Expect.AmqpError(ErrorCode.DecodeError, () => Decoder.Skip(H(hex)));
        }

        [TestMethod]
        [DataRow("d0 00 00 00 05 7f ff ff ff 40")]
        [DataRow("d0 00 00 00 05 80 00 00 00 40")]
        [DataRow("d0 00 00 00 05 ff ff ff ff 40")]
        [DataRow("c0 02 05 40")]
        [DataRow("d1 00 00 00 06 7f ff ff fe 40 40")]
        [DataRow("d1 00 00 00 04 80 00 00 00")]
        [DataRow("d1 00 00 00 04 ff ff ff fe")]
        [DataRow("c1 03 04 40 40")]
        public void ReadObject_CountLargerThanBody_IsDecodeError(string hex)
        {
            Expect.AmqpError(ErrorCode.DecodeError, () => Decoder.ReadObject(H(hex)));
        }

        [TestMethod]
        [DataRow("c0 04 01 40 40 40")]
        [DataRow("c0 03 01 41 41")]
        [DataRow("c0 02 01 a1 01 61")]
        [DataRow("c1 04 02 40 40 40")]
        [DataRow("d0 00 00 00 06 00 00 00 01 40 40")]
        public void ReadObject_SizeDisagreesWithElements_IsDecodeError(string hex)
        {
            Expect.AmqpError(ErrorCode.DecodeError, () => Decoder.ReadObject(H(hex)));
        }

        [TestMethod]
        [DataRow("c0 00 00")]
        [DataRow("d0 00 00 00 03 00 00 00")]
        [DataRow("c1 00")]
        [DataRow("d1 00 00 00 00")]
        public void ReadObject_SizeSmallerThanCount_IsDecodeError(string hex)
        {
            Expect.AmqpError(ErrorCode.DecodeError, () => Decoder.ReadObject(H(hex)));
        }

        [TestMethod]
        public void ReadObject_DeepNesting_IsDecodeErrorNotStackOverflow()
        {
            // A thousand levels of described values, list8 and array8 headers, far past MaxNesting: a forged frame
            // must be refused before it exhausts the stack (small enough for a device heap).
            Expect.AmqpError(ErrorCode.DecodeError, () => Decoder.ReadObject(H(CodecHelper.Repeat("005301", 1000) + "40")));
            Expect.AmqpError(ErrorCode.DecodeError, () => Decoder.ReadObject(H(CodecHelper.Repeat("00", 3000) + "40")));
            Expect.AmqpError(ErrorCode.DecodeError, () => Decoder.ReadObject(H(CodecHelper.Repeat("c0ff01", 1000) + "40")));
            Expect.AmqpError(ErrorCode.DecodeError, () => Decoder.ReadObject(H(CodecHelper.Repeat("c1ff02a10161", 1000) + "40")));
            Expect.AmqpError(ErrorCode.DecodeError, () => Decoder.Skip(H(CodecHelper.Repeat("00", 3000) + "40")));
        }

        [TestMethod]
        public void ReadObject_NestingAtLimit_DecodesOneDeeperFails()
        {
            // MaxNesting levels of lists decode; one more is refused.
            object v = null;
            for (int i = 0; i < Decoder.MaxNesting; i++) v = new object[] { v };
            object r = CodecHelper.RoundTrip(v);
            Assert.IsTrue(ValueEquality.AreEqual(v, r));
            ByteBuffer deeper = CodecHelper.Encode(new object[] { v });
            Expect.AmqpError(ErrorCode.DecodeError, () => Decoder.ReadObject(deeper));
        }

        [TestMethod]
        public void ReadObject_DescribedDescriptor_IsDecodeError()
        {
            Expect.AmqpError(ErrorCode.DecodeError, () => Decoder.ReadObject(H("00 00 53 01 53 02 40")));
        }

        // ---- Skip ----

        [TestMethod]
        [DataRow("40")]
        [DataRow("41")]
        [DataRow("56 01")]
        [DataRow("50 01")]
        [DataRow("60 01 02")]
        [DataRow("43")]
        [DataRow("52 07")]
        [DataRow("70 00 00 01 00")]
        [DataRow("44")]
        [DataRow("53 01")]
        [DataRow("80 00 00 00 00 00 00 01 00")]
        [DataRow("51 ff")]
        [DataRow("61 ff ff")]
        [DataRow("54 ff")]
        [DataRow("71 ff ff ff ff")]
        [DataRow("55 ff")]
        [DataRow("81 ff ff ff ff ff ff ff ff")]
        [DataRow("72 3f c0 00 00")]
        [DataRow("82 3f f8 00 00 00 00 00 00")]
        [DataRow("74 00 00 00 00")]
        [DataRow("84 00 00 00 00 00 00 00 00")]
        [DataRow("94 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00")]
        [DataRow("73 00 00 00 41")]
        [DataRow("83 00 00 01 1f 71 fb 04 50")]
        [DataRow("98 f8 1d 4f ae 7d ec 11 d0 a7 65 00 a0 c9 1e 6b f6")]
        [DataRow("a0 02 41 41")]
        [DataRow("b0 00 00 00 02 41 41")]
        [DataRow("a1 03 61 62 63")]
        [DataRow("b1 00 00 00 00")]
        [DataRow("a3 01 61")]
        [DataRow("b3 00 00 00 01 61")]
        [DataRow("45")]
        [DataRow("c0 06 02 52 01 a1 01 61")]
        [DataRow("d0 00 00 00 06 00 00 00 02 43 40")]
        [DataRow("c1 05 02 a1 01 6b 41")]
        [DataRow("d1 00 00 00 06 00 00 00 02 41 41")]
        [DataRow("e0 0a 02 71 00 00 00 01 00 00 00 02")]
        [DataRow("f0 00 00 00 06 00 00 00 01 52 01")]
        [DataRow("00 53 10 c0 04 01 a1 01 63")]
        [DataRow("00 a3 01 78 00 53 01 45")]
        [DataRow("00 80 00 00 01 37 00 00 00 01 41")]
        public void Skip_EachType_StopsAtNextValue(string hex)
        {
            // A sentinel true (41) follows the value: after Skip it must be next.
            var b = H(hex + " 41");
            Decoder.Skip(b);
            Assert.AreEqual(1, b.Length, "bytes left after skipping " + hex);
            Assert.IsTrue(Decoder.ReadBoolean(b));
        }

        [TestMethod]
        public void Skip_LargeValues_StopsAtNextValue()
        {
            var b = new ByteBuffer(2048);
            Encoder.WriteString(b, CodecHelper.Ascii(300));
            Encoder.WriteBinary(b, new byte[256]);
            Encoder.WriteList(b, new object[] { CodecHelper.Ascii(300) });
            Encoder.WriteBoolean(b, true);
            Decoder.Skip(b);
            Decoder.Skip(b);
            Decoder.Skip(b);
            Assert.AreEqual(1, b.Length);
            Assert.IsTrue(Decoder.ReadBoolean(b));
        }

        // ---- ReadListHeader ----

        [TestMethod]
        [DataRow("45", 0, 1)]
        [DataRow("c0 01 00", 0, 3)]
        [DataRow("c0 06 02 52 01 a1 01 61", 2, 8)]
        [DataRow("d0 00 00 00 06 00 00 00 02 43 40", 2, 11)]
        public void ReadListHeader_EachForm_CountAndEnd(string hex, int count, int end)
        {
            var b = H(hex + " 41 41");
            Assert.AreEqual(count, Decoder.ReadListHeader(b, out int e));
            Assert.AreEqual(end, e);
        }

        [TestMethod]
        public void ReadListHeader_AtOffset_EndIsAbsolute()
        {
            byte[] a = Expect.FromHex("ff ff c0 03 02 43 43 41");
            var b = new ByteBuffer(a, 2, a.Length - 2);
            Assert.AreEqual(2, Decoder.ReadListHeader(b, out int end));
            Assert.AreEqual(7, end);
            Assert.AreEqual(0u, Decoder.ReadUInt(b));
            Assert.AreEqual(0u, Decoder.ReadUInt(b));
            Assert.AreEqual(end, b.Offset);
        }

        [TestMethod]
        public void ReadListHeader_SkipsUnknownTrailingFields_ByEnd()
        {
            // A reader that knows one field jumps to end, landing on the next value.
            var b = H("c0 07 03 52 01 a1 01 61 40 41");
            Decoder.ReadListHeader(b, out int end);
            Assert.AreEqual(1u, Decoder.ReadUInt(b));
            b.Offset = end;
            Assert.IsTrue(Decoder.ReadBoolean(b));
        }

        [TestMethod]
        [DataRow("c0")]
        [DataRow("c0 05 01 40")]
        [DataRow("c0 00")]
        [DataRow("c0 01 02")]
        [DataRow("d0 00 00 00 03 00 00 00")]
        [DataRow("d0 00 00 00 04 00 00 00 01")]
        [DataRow("d0 ff ff ff ff 00 00 00 00")]
        [DataRow("d0 00 00 00 05 80 00 00 00 40")]
        [DataRow("40")]
        public void ReadListHeader_Malformed_IsDecodeError(string hex)
        {
            Expect.AmqpError(ErrorCode.DecodeError, () => Decoder.ReadListHeader(H(hex), out int _));
        }

        // ---- ReadSymbols ----

        [TestMethod]
        public void ReadSymbols_SingleSymbol_OneElement()
        {
            string[] s = Decoder.ReadSymbols(H("a3 05 41 4d 51 50 53"));
            Assert.AreEqual(1, s.Length);
            Assert.AreEqual("AMQPS", s[0]);
            s = Decoder.ReadSymbols(H("b3 00 00 00 01 78"));
            Assert.AreEqual("x", s[0]);
        }

        [TestMethod]
        public void ReadSymbols_ArrayOfSymbols_AllElements()
        {
            string[] s = Decoder.ReadSymbols(H("e0 0d 02 b3 00 00 00 01 61 00 00 00 02 62 63"));
            Assert.AreEqual(2, s.Length);
            Assert.AreEqual("a", s[0]);
            Assert.AreEqual("bc", s[1]);
            s = Decoder.ReadSymbols(H("e0 07 02 a3 01 61 02 62 63"));
            Assert.AreEqual(2, s.Length);
            Assert.AreEqual("bc", s[1]);
            Assert.AreEqual(0, Decoder.ReadSymbols(H("e0 02 00 a3")).Length);
        }

        [TestMethod]
        public void ReadSymbols_Null_ReturnsNull()
        {
            var b = H("40 41");
            Assert.IsNull(Decoder.ReadSymbols(b));
            Assert.AreEqual(1, b.Offset);
        }

        [TestMethod]
        [DataRow("a1 01 61")]
        [DataRow("e0 06 01 71 00 00 00 01")]
        [DataRow("c0 03 01 a3 00")]
        [DataRow("52 01")]
        public void ReadSymbols_NotSymbols_IsDecodeError(string hex)
        {
            Expect.AmqpError(ErrorCode.DecodeError, () => Decoder.ReadSymbols(H(hex)));
        }
    }
}
