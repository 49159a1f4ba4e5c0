// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
using System;
using System.Collections;
using IotHubAmqp.Device.Buffers;
using IotHubAmqp.Device.Types;
using nanoFramework.TestFramework;

namespace IotHubAmqp.Device.Tests.Types
{
    /// <summary>AMQP arrays (AMQP 1.0 1.6.24): one element constructor shared by all elements.</summary>
    [TestClass]
    public class ArrayCodecTests
    {
        private static ByteBuffer Write(AmqpArray a)
        {
            var b = new ByteBuffer(4096);
            Encoder.WriteArray(b, a);
            return b;
        }

        private static AmqpArray Read(string hex) => (AmqpArray)CodecHelper.Decode(hex);

        [TestMethod]
        public void Write_Ints_ExactArray8Bytes()
        {
            // array8: size 10 (count byte + constructor + 2 x 4), count 2, int constructor 71.
            Expect.Bytes(Expect.FromHex("e0 0a 02 71 00 00 00 01 ff ff ff fe"), Write(new AmqpArray(new object[] { 1, -2 })));
        }

        [TestMethod]
        public void Write_Symbols_ExactBytes()
        {
            Expect.Bytes(Expect.FromHex("e0 0d 02 b3 00 00 00 01 61 00 00 00 02 62 63"),
                Write(new AmqpArray(new object[] { new Symbol("a"), new Symbol("bc") })));
        }

        [TestMethod]
        public void Write_EachFixedWidthType_ExactBytes()
        {
            object[][] items =
            {
                new object[] { true, false },
                new object[] { (byte)1, (byte)255 },
                new object[] { (ushort)1 },
                new object[] { 0u, 256u },
                new object[] { 0ul },
                new object[] { (sbyte)-1 },
                new object[] { (short)-2 },
                new object[] { long.MinValue },
                new object[] { 1.5f },
                new object[] { -0.0d },
                new object[] { '\u20ac' },
                new object[] { new DateTime(1970, 1, 1, 0, 0, 1) },
                new object[] { new Guid("f81d4fae-7dec-11d0-a765-00a0c91e6bf6") },
                new object[] { new AmqpDecimal(Expect.FromHex("01 02 03 04")) },
                new object[] { new AmqpDecimal(new byte[8]) },
                new object[] { new AmqpDecimal(new byte[16]) },
            };
            string[] hex =
            {
                "e0 04 02 56 01 00",
                "e0 04 02 50 01 ff",
                "e0 04 01 60 00 01",
                "e0 0a 02 70 00 00 00 00 00 00 01 00",
                "e0 0a 01 80 00 00 00 00 00 00 00 00",
                "e0 03 01 51 ff",
                "e0 04 01 61 ff fe",
                "e0 0a 01 81 80 00 00 00 00 00 00 00",
                "e0 06 01 72 3f c0 00 00",
                "e0 0a 01 82 80 00 00 00 00 00 00 00",
                "e0 06 01 73 00 00 20 ac",
                "e0 0a 01 83 00 00 00 00 00 00 03 e8",
                "e0 12 01 98 f8 1d 4f ae 7d ec 11 d0 a7 65 00 a0 c9 1e 6b f6",
                "e0 06 01 74 01 02 03 04",
                "e0 0a 01 84 00 00 00 00 00 00 00 00",
                "e0 12 01 94 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00",
            };
            for (int i = 0; i < items.Length; i++)
            {
                Expect.Bytes(Expect.FromHex(hex[i]), Write(new AmqpArray(items[i])));
            }
        }

        [TestMethod]
        public void Write_VariableWidthTypes_Use32BitElementForm()
        {
            Expect.Bytes(Expect.FromHex("e0 0b 02 b1 00 00 00 01 61 00 00 00 00"), Write(new AmqpArray(new object[] { "a", "" })));
            Expect.Bytes(Expect.FromHex("e0 08 01 b0 00 00 00 02 01 02"), Write(new AmqpArray(new object[] { new byte[] { 1, 2 } })));
            // Lists: list32 elements (size, count, body); an empty list is size 4 count 0.
            Expect.Bytes(Expect.FromHex("e0 13 02 d0 00 00 00 05 00 00 00 01 43 00 00 00 04 00 00 00 00"),
                Write(new AmqpArray(new object[] { new object[] { 0u }, new object[0] })));
            var m = new AmqpMap();
            m["k"] = true;
            Expect.Bytes(Expect.FromHex("e0 0e 01 d1 00 00 00 08 00 00 00 02 a1 01 6b 41"), Write(new AmqpArray(new object[] { m })));
        }

        [TestMethod]
        public void Write_NestedArrays_InnerUseArray32Form()
        {
            var inner1 = new AmqpArray(new object[] { 1 });
            var inner2 = new AmqpArray(new object[] { 2, 3 });
            // inner elements: size(4) count(4) ctor(1) values.
            Expect.Bytes(Expect.FromHex("e0 20 02 f0 00 00 00 09 00 00 00 01 71 00 00 00 01 00 00 00 0d 00 00 00 02 71 00 00 00 02 00 00 00 03"),
                Write(new AmqpArray(new object[] { inner1, inner2 })));
        }

        [TestMethod]
        public void Write_DescribedElements_DescriptorBeforeElementConstructor()
        {
            var a = new AmqpArray(new object[] { new byte[] { 1 }, new byte[0] });
            a.Descriptor = Descriptor.Data;
            // 00 53 75 is the shared descriptor, then vbin32 elements.
            Expect.Bytes(Expect.FromHex("e0 0e 02 00 53 75 b0 00 00 00 01 01 00 00 00 00"), Write(a));
        }

        [TestMethod]
        public void Write_EmptyWithElementCode_HeaderOnly()
        {
            Expect.Bytes(Expect.FromHex("e0 02 00 a3"), Write(new AmqpArray(new object[0], FormatCode.Symbol8)));
            Expect.Bytes(Expect.FromHex("e0 02 00 71"), Write(new AmqpArray(null, FormatCode.Int)));
        }

        [TestMethod]
        public void Write_LargeArray_UsesArray32()
        {
            object[] items = new object[100];
            for (int i = 0; i < items.Length; i++) items[i] = i;
            ByteBuffer b = Write(new AmqpArray(items));
            // size = 4 (count) + 1 + 400 = 405 = 0x195.
            byte[] h = Expect.FromHex("f0 00 00 01 95 00 00 00 64 71 00 00 00 00");
            for (int i = 0; i < h.Length; i++) Assert.AreEqual(h[i], b.Buffer[i], "header byte " + i);
            Assert.AreEqual(9 + 1 + 400, b.Length);
        }

        [TestMethod]
        public void Write_256Booleans_UsesArray32ForCount()
        {
            object[] items = new object[256];
            for (int i = 0; i < items.Length; i++) items[i] = i % 2 == 0;
            ByteBuffer b = Write(new AmqpArray(items));
            Assert.AreEqual(FormatCode.Array32, b.Buffer[0]);
            var r = (AmqpArray)Decoder.ReadObject(b);
            Assert.AreEqual(256, r.Items.Length);
            Assert.AreEqual(false, r.Items[255]);
        }

        [TestMethod]
        public void Write_EmptyWithoutElementCode_IsInvalidField()
        {
            Expect.AmqpError(ErrorCode.InvalidField, () => Write(new AmqpArray(new object[0])));
        }

        [TestMethod]
        public void Write_MixedTypes_IsInvalidField()
        {
            Expect.AmqpError(ErrorCode.InvalidField, () => Write(new AmqpArray(new object[] { 1, 1u })));
            Expect.AmqpError(ErrorCode.InvalidField, () => Write(new AmqpArray(new object[] { "a", new Symbol("a") })));
        }

        [TestMethod]
        public void Write_NullElement_IsInvalidField()
        {
            // An array has one constructor for all elements; null cannot share an int's.
            Expect.AmqpError(ErrorCode.InvalidField, () => Write(new AmqpArray(new object[] { null })));
            Expect.AmqpError(ErrorCode.InvalidField, () => Write(new AmqpArray(new object[] { null, 1 })));
            Expect.AmqpError(ErrorCode.InvalidField, () => Write(new AmqpArray(new object[] { 1, null })));
        }

        [TestMethod]
        public void Write_ElementCodeDisagreesWithItems_IsInvalidField()
        {
            Expect.AmqpError(ErrorCode.InvalidField, () => Write(new AmqpArray(new object[] { 1 }, FormatCode.String32)));
            Expect.AmqpError(ErrorCode.InvalidField, () => Write(new AmqpArray(new object[] { "a" }, FormatCode.Int)));
        }

        [TestMethod]
        public void Write_UnsupportedElementType_IsNotImplemented()
        {
            Expect.AmqpError(ErrorCode.NotImplemented, () => Write(new AmqpArray(new object[] { new object() })));
        }

        [TestMethod]
        public void WriteArray_Null_WritesNull()
        {
            var b = new ByteBuffer(4);
            Encoder.WriteArray(b, null);
            Expect.Bytes(Expect.FromHex("40"), b);
        }

        [TestMethod]
        public void RoundTrip_EachElementType_EqualItems()
        {
            var m1 = new AmqpMap();
            m1[new Symbol("a")] = 1;
            var m2 = new AmqpMap();
            object[][] items =
            {
                new object[] { new Symbol("x"), new Symbol(""), new Symbol(CodecHelper.Ascii(300)) },
                new object[] { "s", "", CodecHelper.Ascii(256) },
                new object[] { new byte[0], CodecHelper.Pattern(255), CodecHelper.Pattern(256) },
                new object[] { int.MinValue, 0, int.MaxValue },
                new object[] { long.MinValue, 0L, long.MaxValue },
                new object[] { uint.MaxValue, 0u },
                new object[] { ulong.MaxValue, 0ul },
                new object[] { Guid.Empty, new Guid("f81d4fae-7dec-11d0-a765-00a0c91e6bf6") },
                new object[] { true, false, true },
                new object[] { (byte)0, (byte)255 },
                new object[] { (sbyte)-128, (sbyte)127 },
                new object[] { (short)-1, short.MaxValue },
                new object[] { (ushort)65535 },
                new object[] { 1.25f, float.NegativeInfinity },
                new object[] { double.MaxValue, -0.5d },
                new object[] { 'a', '\uffff' },
                new object[] { new DateTime(2001, 2, 3, 4, 5, 6, 7), new DateTime(1960, 1, 1) },
                new object[] { new AmqpDecimal(new byte[16]) },
                new object[] { new object[] { 1u, "a" }, new object[0], new object[] { CodecHelper.Ascii(300) } },
                new object[] { m1, m2 },
                new object[] { new AmqpArray(new object[] { 1 }), new AmqpArray(new object[] { new Symbol("a") }) },
            };
            for (int i = 0; i < items.Length; i++)
            {
                var a = new AmqpArray(items[i]);
                var r = (AmqpArray)CodecHelper.RoundTrip(a);
                Assert.AreEqual(a, r, "array " + i);
                Assert.AreEqual(items[i].Length, r.Items.Length);
                Assert.AreEqual(items[i][0].GetType(), r.Items[0].GetType(), "element type of array " + i);
            }
        }

        [TestMethod]
        public void RoundTrip_DescribedElements_KeepDescriptor()
        {
            var a = new AmqpArray(new object[] { "x", "y" });
            a.Descriptor = new Symbol("com.example:name");
            var r = (AmqpArray)CodecHelper.RoundTrip(a);
            Assert.AreEqual(new Symbol("com.example:name"), r.Descriptor);
            Assert.AreEqual(a, r);
            var n = new AmqpArray(new object[] { 1u });
            n.Descriptor = 0x75ul;
            r = (AmqpArray)CodecHelper.RoundTrip(n);
            Assert.AreEqual(0x75ul, r.Descriptor);
            Assert.AreEqual(n, r);
        }

        [TestMethod]
        public void RoundTrip_EmptyArray_KeepsElementCode()
        {
            var r = (AmqpArray)CodecHelper.RoundTrip(new AmqpArray(new object[0], FormatCode.Symbol32));
            Assert.AreEqual(0, r.Items.Length);
            Assert.AreEqual(FormatCode.Symbol32, r.ElementCode);
        }

        [TestMethod]
        public void Read_CompactElementConstructors_Values()
        {
            // Peers may use any constructor of the element type: sym8, str8, vbin8, smallint, smalllong, smalluint.
            AssertItems(Read("e0 07 02 a3 01 61 02 62 63"), new Symbol("a"), new Symbol("bc"));
            AssertItems(Read("e0 05 02 a1 00 01 7a"), "", "z");
            AssertItems(Read("e0 04 02 54 ff 01"), -1, 1);
            AssertItems(Read("e0 04 02 55 80 7f"), -128L, 127L);
            AssertItems(Read("e0 04 02 52 00 ff"), 0u, 255u);
            AssertItems(Read("e0 03 01 53 05"), 5ul);
            var bin = Read("e0 05 01 a0 02 01 02");
            Expect.Bytes(Expect.FromHex("01 02"), (byte[])bin.Items[0]);
        }

        [TestMethod]
        public void Read_ZeroWidthElementConstructors_RepeatValue()
        {
            AssertItems(Read("e0 02 03 40"), null, null, null);
            AssertItems(Read("e0 02 02 41"), true, true);
            AssertItems(Read("e0 02 02 42"), false, false);
            AssertItems(Read("e0 02 02 43"), 0u, 0u);
            AssertItems(Read("e0 02 01 44"), 0ul);
            var lists = Read("e0 02 02 45");
            Assert.AreEqual(2, lists.Items.Length);
            Assert.AreEqual(0, ((object[])lists.Items[1]).Length);
            AssertItems(Read("f0 00 00 00 05 00 00 00 03 41"), true, true, true);
        }

        [TestMethod]
        public void Read_ListAndMapElements_NoConstructorPerElement()
        {
            // Two list8 elements: [0u] then [null, true].
            var a = Read("e0 09 02 c0 02 01 43 03 02 40 41");
            Assert.AreEqual(2, a.Items.Length);
            Assert.IsTrue(ValueEquality.AreEqual(new object[] { 0u }, a.Items[0]));
            Assert.IsTrue(ValueEquality.AreEqual(new object[] { null, true }, a.Items[1]));
            // Two map8 elements: {0u: true} then {}.
            var maps = Read("e0 08 02 c1 03 02 43 41 01 00");
            Assert.AreEqual(true, ((AmqpMap)maps.Items[0])[0u]);
            Assert.AreEqual(0, ((AmqpMap)maps.Items[1]).Count);
            // Two list32 elements.
            var l32 = Read("e0 14 02 d0 00 00 00 05 00 00 00 01 43 00 00 00 05 00 00 00 01 44");
            Assert.AreEqual(0ul, ((object[])l32.Items[1])[0]);
        }

        [TestMethod]
        public void Read_NestedArray8Elements_Values()
        {
            // Two array8 elements: [1, 2] as smallint and [] of int.
            var a = Read("e0 0a 02 e0 04 02 54 01 02 02 00 71");
            Assert.AreEqual(new AmqpArray(new object[] { 1, 2 }), a.Items[0]);
            Assert.AreEqual(0, ((AmqpArray)a.Items[1]).Items.Length);
        }

        [TestMethod]
        public void Read_DescribedElementConstructor_Values()
        {
            var a = Read("e0 08 02 00 53 75 a0 01 07 00");
            Assert.AreEqual(0x75ul, a.Descriptor);
            Assert.AreEqual(2, a.Items.Length);
            Assert.AreEqual(0, ((byte[])a.Items[1]).Length);
        }

        [TestMethod]
        public void Reencode_DecodedCompactArrays_RoundTrip()
        {
            // Arrays decoded from a peer carry the peer's element constructor; writing them again must work.
            string[] hex =
            {
                "e0 07 02 a3 01 61 02 62 63",
                "e0 05 02 a1 00 01 7a",
                "e0 05 01 a0 02 01 02",
                "e0 04 02 54 ff 01",
                "e0 04 02 55 80 7f",
                "e0 04 02 52 00 ff",
                "e0 03 01 53 05",
                "e0 02 02 41",
                "e0 02 02 42",
                "e0 02 02 43",
                "e0 02 01 44",
                "e0 02 02 45",
                "e0 02 03 40",
                "e0 09 02 c0 02 01 43 03 02 40 41",
                "e0 08 02 c1 03 02 43 41 01 00",
                "e0 0a 02 e0 04 02 54 01 02 02 00 71",
                "e0 08 02 00 53 75 a0 01 07 00",
            };
            for (int i = 0; i < hex.Length; i++)
            {
                AmqpArray first = Read(hex[i]);
                var again = (AmqpArray)CodecHelper.RoundTrip(first);
                Assert.AreEqual(first, again, "array " + hex[i]);
            }
        }

        [TestMethod]
        [DataRow("f0 00 00 00 05 80 00 00 00 40")]
        [DataRow("f0 00 00 00 05 ff ff ff ff 41")]
        [DataRow("f0 00 00 00 05 7f ff ff ff 40")]
        [DataRow("f0 00 00 00 05 7f ff ff ff 45")]
        [DataRow("f0 00 00 00 05 00 10 00 00 43")]
        [DataRow("f0 00 00 00 05 7f ff ff ff 71")]
        [DataRow("f0 00 00 00 08 7f ff ff ff 00 53 01 40")]
        [DataRow("e0 03 05 71 00")]
        [DataRow("e0 03 02 a1 00")]
        public void Read_HugeCount_IsDecodeErrorWithoutAllocating(string hex)
        {
            Expect.AmqpError(ErrorCode.DecodeError, () => Decoder.ReadObject(CodecHelper.Hex(hex)));
        }

        [TestMethod]
        public void Read_ZeroWidthCountIndependentOfPosition_SameResult()
        {
            // The bound on zero-width elements must not depend on where the array sits in the buffer.
            byte[] a = new byte[1000];
            byte[] arr = Expect.FromHex("f0 00 00 00 05 00 00 02 58 40");
            Array.Copy(arr, 0, a, 900, arr.Length);
            var atEnd = (AmqpArray)Decoder.ReadObject(new ByteBuffer(a, 900, arr.Length));
            Assert.AreEqual(600, atEnd.Items.Length);
            Array.Copy(arr, 0, a, 0, arr.Length);
            var atStart = (AmqpArray)Decoder.ReadObject(new ByteBuffer(a, 0, arr.Length));
            Assert.AreEqual(600, atStart.Items.Length);
        }

        [TestMethod]
        [DataRow("e0")]
        [DataRow("e0 01")]
        [DataRow("e0 00")]
        [DataRow("e0 01 00")]
        [DataRow("e0 02 01 71")]
        [DataRow("e0 05 01 71 00 00 00")]
        [DataRow("e0 06 01 71 00 00 00")]
        [DataRow("f0 00 00 00 03 00 00 00")]
        [DataRow("e0 03 01 56 02")]
        [DataRow("e0 03 01 00 53")]
        [DataRow("e0 04 01 00 53 01")]
        [DataRow("e0 05 01 00 53 01 00")]
        [DataRow("e0 02 01 01")]
        [DataRow("e0 02 01 3f")]
        [DataRow("e0 04 01 a1 05 61")]
        [DataRow("e0 05 01 c0 05 01 40")]
        [DataRow("e0 06 02 71 00 00 00 01")]
        [DataRow("e0 07 01 71 00 00 00 01 00")]
        [DataRow("e0 01 00 40")]
        [DataRow("f0 00 00 00 04 00 00 00 00 40")]
        [DataRow("e0 02 01 00 53")]
        [DataRow("e0 08 01 00 00 53 01 53 02 40")]
        public void Read_Malformed_IsDecodeError(string hex)
        {
            Expect.AmqpError(ErrorCode.DecodeError, () => Decoder.ReadObject(CodecHelper.Hex(hex)));
        }

        private static void AssertItems(AmqpArray a, params object[] expected)
        {
            Assert.AreEqual(expected.Length, a.Items.Length, "count");
            for (int i = 0; i < expected.Length; i++)
            {
                Assert.AreEqual(expected[i], a.Items[i], "item " + i);
                if (expected[i] != null) Assert.AreEqual(expected[i].GetType(), a.Items[i].GetType(), "type of item " + i);
            }
        }
    }
}
