// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
using IotHubAmqp.Device.Buffers;
using IotHubAmqp.Device.Framing;
using IotHubAmqp.Device.Messaging;
using IotHubAmqp.Device.Types;
using nanoFramework.TestFramework;

namespace IotHubAmqp.Device.Tests.Types
{
    /// <summary>
    /// Values the device only carries (decimals, chars, arrays, described values; lists and maps as map keys) decode
    /// to <see cref="EncodedValue"/>: their exact bytes, bounds-checked, written back unchanged.
    /// </summary>
    [TestClass]
    public class EncodedValueTests
    {
        [TestMethod]
        [DataRow("74 01 02 03 04")]
        [DataRow("84 01 02 03 04 05 06 07 08")]
        [DataRow("94 00 11 22 33 44 55 66 77 88 99 aa bb cc dd ee ff")]
        [DataRow("73 00 00 20 ac")]
        [DataRow("73 00 01 f6 00")]
        [DataRow("e0 0a 02 71 00 00 00 01 ff ff ff fe")]
        [DataRow("e0 0d 02 b3 00 00 00 01 61 00 00 00 02 62 63")]
        [DataRow("e0 07 02 a3 01 61 02 62 63")]
        [DataRow("e0 04 02 54 ff 01")]
        [DataRow("e0 02 03 40")]
        [DataRow("e0 02 00 a3")]
        [DataRow("f0 00 00 00 05 00 00 00 03 41")]
        [DataRow("e0 09 02 c0 02 01 43 03 02 40 41")]
        [DataRow("e0 08 02 c1 03 02 43 41 01 00")]
        [DataRow("e0 0a 02 e0 04 02 54 01 02 02 00 71")]
        [DataRow("e0 08 02 00 53 75 a0 01 07 00")]
        [DataRow("e0 12 01 94 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00")]
        [DataRow("00 53 10 c0 04 01 a1 01 63")]
        [DataRow("00 a3 03 78 3a 79 52 05")]
        [DataRow("00 53 75 00 53 76 45")]
        [DataRow("00 80 00 00 01 37 00 00 00 01 41")]
        public void Decode_CarriedTypes_ExactBytesWrittenBackUnchanged(string hex)
        {
            byte[] bytes = Expect.FromHex(hex);
            var v = (EncodedValue)CodecHelper.Decode(hex);
            Expect.Bytes(bytes, v.Bytes);
            Expect.Bytes(bytes, CodecHelper.Encode(v));
            Assert.AreEqual(new EncodedValue(bytes), v);
        }

        [TestMethod]
        public void Decode_InList_ElementKeepsItsBytes()
        {
            // A list holding a decimal32 and an int array between two uints.
            var list = (object[])CodecHelper.Decode("c0 12 04 52 01 74 01 02 03 04 e0 06 01 71 00 00 00 05 52 02");
            Assert.AreEqual(4, list.Length);
            Assert.AreEqual(1u, list[0]);
            Expect.Bytes(Expect.FromHex("74 01 02 03 04"), ((EncodedValue)list[1]).Bytes);
            Expect.Bytes(Expect.FromHex("e0 06 01 71 00 00 00 05"), ((EncodedValue)list[2]).Bytes);
            Assert.AreEqual(2u, list[3]);
        }

        [TestMethod]
        public void MessageAnnotations_DecimalAndIntArray_SurviveDecodeAndEncodeByteExact()
        {
            // message-annotations {x-d: decimal32, x-a: int[] {1, -2}}, then one data section.
            byte[] wire = Expect.FromHex(
                "00 53 72 c1 1c 04 a3 03 78 2d 64 74 01 02 03 04 a3 03 78 2d 61 e0 0a 02 71 00 00 00 01 ff ff ff fe" +
                " 00 53 75 a0 02 68 69");
            Message m = MessageCodec.Decode(new ByteBuffer(wire, 0, wire.Length));
            Assert.AreEqual(new EncodedValue(Expect.FromHex("74 01 02 03 04")), m.MessageAnnotations[new Symbol("x-d")]);
            Assert.IsInstanceOfType(m.MessageAnnotations[new Symbol("x-a")], typeof(EncodedValue));
            var b = new ByteBuffer(256);
            MessageCodec.Encode(m, b);
            Expect.Bytes(wire, b);
        }

        [TestMethod]
        public void Map_ListAndMapKeys_KeptAsBytesAndComparedByThem()
        {
            // {[0u]: true, {}: false}: composite keys hash and compare as their encodings.
            var m = (AmqpMap)CodecHelper.Decode("c1 0a 04 c0 02 01 43 41 c1 01 00 42");
            Assert.AreEqual(true, m[new EncodedValue(Expect.FromHex("c0 02 01 43"))]);
            Assert.AreEqual(false, m[new EncodedValue(Expect.FromHex("c1 01 00"))]);
            Expect.Bytes(Expect.FromHex("c1 0a 04 c0 02 01 43 41 c1 01 00 42"), CodecHelper.Encode(m));
            Expect.AmqpError(ErrorCode.DecodeError, () => Decoder.ReadObject(CodecHelper.Hex("c1 0b 04 c0 02 01 43 41 c0 02 01 43 42")));
        }

        [TestMethod]
        [DataRow("f0 00 00 00 05 80 00 00 00 40")]
        [DataRow("f0 00 00 00 05 ff ff ff ff 41")]
        [DataRow("f0 00 00 00 05 7f ff ff ff 45")]
        [DataRow("f0 00 00 00 05 7f ff ff ff 71")]
        [DataRow("e0 03 05 71 00")]
        public void Decode_ArrayWithHugeCount_KeptAsItsBytesWithoutAllocatingPerCount(string hex)
        {
            // The device never expands an array: a forged count costs nothing but the array's own bytes.
            Expect.Bytes(Expect.FromHex(hex), ((EncodedValue)CodecHelper.Decode(hex)).Bytes);
        }

        [TestMethod]
        [DataRow("e0")]
        [DataRow("e0 01")]
        [DataRow("e0 00")]
        [DataRow("e0 06 01 71 00 00 00")]
        [DataRow("f0 00 00 00 03 00 00 00")]
        [DataRow("e0 ff 01 40")]
        [DataRow("f0 7f ff ff ff 00 00 00 01 40")]
        [DataRow("74 00 00 00")]
        [DataRow("94 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00")]
        [DataRow("73 00 00")]
        [DataRow("00")]
        [DataRow("00 53")]
        [DataRow("00 53 10")]
        [DataRow("00 00 53 01 53 02 40")]
        public void Decode_TruncatedOrOversized_IsDecodeError(string hex)
        {
            Expect.AmqpError(ErrorCode.DecodeError, () => Decoder.ReadObject(CodecHelper.Hex(hex)));
        }

        [TestMethod]
        public void Decode_DescribedDeeperThanMaxNesting_IsDecodeError()
        {
            // Described values nest without recursion, but their depth is bounded as for lists and maps.
            string atLimit = CodecHelper.Repeat("005301", Decoder.MaxNesting) + "40";
            Assert.IsInstanceOfType(CodecHelper.Decode(atLimit), typeof(EncodedValue));
            Expect.AmqpError(ErrorCode.DecodeError, () => Decoder.ReadObject(CodecHelper.Hex("005301" + atLimit)));
            Expect.AmqpError(ErrorCode.DecodeError, () => Decoder.Skip(CodecHelper.Hex("005301" + atLimit)));
        }

        [TestMethod]
        public void Constructor_NotExactlyOneValue_IsDecodeError()
        {
            Expect.AmqpError(ErrorCode.DecodeError, () => new EncodedValue(null));
            Expect.AmqpError(ErrorCode.DecodeError, () => new EncodedValue(new byte[0]));
            Expect.AmqpError(ErrorCode.DecodeError, () => new EncodedValue(Expect.FromHex("e0 05 01 71")));
            Expect.AmqpError(ErrorCode.DecodeError, () => new EncodedValue(Expect.FromHex("41 41")));
            Expect.AmqpError(ErrorCode.DecodeError, () => new EncodedValue(Expect.FromHex("01")));
        }

        [TestMethod]
        public void Equals_SameBytes_EqualOtherwiseNot()
        {
            var a = new EncodedValue(Expect.FromHex("74 01 02 03 04"));
            Assert.IsTrue(a.Equals(new EncodedValue(Expect.FromHex("74 01 02 03 04"))));
            Assert.AreEqual(a.GetHashCode(), new EncodedValue(Expect.FromHex("74 01 02 03 04")).GetHashCode());
            Assert.IsFalse(a.Equals(new EncodedValue(Expect.FromHex("74 01 02 03 05"))));
            Assert.IsFalse(a.Equals(Expect.FromHex("74 01 02 03 04")));
            Assert.IsFalse(a.Equals(null));
        }

        [TestMethod]
        public void ReadSymbols_ArrayWrittenByFieldCodec_SameNames()
        {
            var b = new ByteBuffer(64);
            FieldCodec.WriteSymbols(b, new[] { "com.microsoft:a", "b" });
            string[] s = Decoder.ReadSymbols(b);
            Assert.AreEqual(2, s.Length);
            Assert.AreEqual("com.microsoft:a", s[0]);
            Assert.AreEqual("b", s[1]);
            Assert.AreEqual(0, b.Length);
        }

        [TestMethod]
        [DataRow("e0 0d 02 b3 00 00 00 01 61 00 00 00 02 62")]
        [DataRow("e0 07 02 a3 01 61 03 62 63")]
        [DataRow("e0 08 02 a3 01 61 02 62 63 40")]
        [DataRow("e0 05 02 00 a3 01 61")]
        [DataRow("e0 03 02 a3 01")]
        public void ReadSymbols_MalformedArray_IsDecodeError(string hex)
        {
            Expect.AmqpError(ErrorCode.DecodeError, () => Decoder.ReadSymbols(CodecHelper.Hex(hex)));
        }
    }
}
