// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
using IotHubAmqp.Device.Buffers;
using IotHubAmqp.Device.Types;
using nanoFramework.TestFramework;

namespace IotHubAmqp.Device.Tests.Types
{
    /// <summary>Strict UTF-8 (RFC 3629) both ways, as AMQP strings require (AMQP 1.0 1.6.20).</summary>
    [TestClass]
    public class Utf8Tests
    {
        [TestMethod]
        [DataRow("A", "41")]
        [DataRow("\u007f", "7f")]
        [DataRow("\u0080", "c2 80")]
        [DataRow("\u00e9", "c3 a9")]
        [DataRow("\u07ff", "df bf")]
        [DataRow("\u0800", "e0 a0 80")]
        [DataRow("\u20ac", "e2 82 ac")]
        [DataRow("\ud7ff", "ed 9f bf")]
        [DataRow("\ue000", "ee 80 80")]
        [DataRow("\uffff", "ef bf bf")]
        [DataRow("\ud800\udc00", "f0 90 80 80")]
        [DataRow("\ud83d\ude00", "f0 9f 98 80")]
        [DataRow("\udbff\udfff", "f4 8f bf bf")]
        [DataRow("a\u00e9\u20ac\ud83d\ude00z", "61 c3 a9 e2 82 ac f0 9f 98 80 7a")]
        [DataRow("", "")]
        public void Encode_Characters_ExactBytes(string s, string hex)
        {
            byte[] expected = Expect.FromHex(hex);
            Assert.AreEqual(expected.Length, Utf8.GetByteCount(s));
            byte[] dest = new byte[expected.Length + 2];
            dest[0] = 0xee;
            dest[dest.Length - 1] = 0xee;
            Assert.AreEqual(expected.Length, Utf8.Encode(s, dest, 1));
            for (int i = 0; i < expected.Length; i++) Assert.AreEqual(expected[i], dest[i + 1], "byte " + i);
            Assert.AreEqual((byte)0xee, dest[0], "wrote before the start");
            Assert.AreEqual((byte)0xee, dest[dest.Length - 1], "wrote past the end");
        }

        [TestMethod]
        [DataRow("A", "41")]
        [DataRow("\u0080", "c2 80")]
        [DataRow("\u00e9", "c3 a9")]
        [DataRow("\u07ff", "df bf")]
        [DataRow("\u0800", "e0 a0 80")]
        [DataRow("\u20ac", "e2 82 ac")]
        [DataRow("\ud7ff", "ed 9f bf")]
        [DataRow("\ue000", "ee 80 80")]
        [DataRow("\uffff", "ef bf bf")]
        [DataRow("\ud800\udc00", "f0 90 80 80")]
        [DataRow("\ud83d\ude00", "f0 9f 98 80")]
        [DataRow("\udbff\udfff", "f4 8f bf bf")]
        [DataRow("a\u00e9\u20ac\ud83d\ude00z", "61 c3 a9 e2 82 ac f0 9f 98 80 7a")]
        [DataRow("", "")]
        public void Decode_Bytes_ExactCharacters(string expected, string hex)
        {
            byte[] src = Expect.FromHex("ff " + hex + " ff");
            Assert.AreEqual(expected, Utf8.Decode(src, 1, src.Length - 2));
        }

        [TestMethod]
        [DataRow("80")]
        [DataRow("bf")]
        [DataRow("41 80")]
        [DataRow("c3")]
        [DataRow("41 c3")]
        [DataRow("e2 82")]
        [DataRow("e2")]
        [DataRow("f0 9f 98")]
        [DataRow("f0 9f")]
        [DataRow("f0")]
        [DataRow("c3 41")]
        [DataRow("e2 28 a1")]
        [DataRow("e2 82 41")]
        [DataRow("f0 9f 98 41")]
        [DataRow("c0 af")]
        [DataRow("c0 80")]
        [DataRow("c1 bf")]
        [DataRow("e0 80 af")]
        [DataRow("e0 9f bf")]
        [DataRow("f0 80 80 af")]
        [DataRow("f0 8f bf bf")]
        [DataRow("ed a0 80")]
        [DataRow("ed bf bf")]
        [DataRow("ed a0 bd ed b8 80")]
        [DataRow("f4 90 80 80")]
        [DataRow("f5 80 80 80")]
        [DataRow("f7 bf bf bf")]
        [DataRow("f8 88 80 80 80")]
        [DataRow("fc 84 80 80 80 80")]
        [DataRow("fe")]
        [DataRow("ff")]
        public void Decode_InvalidSequence_IsDecodeError(string hex)
        {
            byte[] src = Expect.FromHex(hex);
            Expect.AmqpError(ErrorCode.DecodeError, () => Utf8.Decode(src, 0, src.Length));
        }

        [TestMethod]
        public void Decode_SequenceCrossingCountBoundary_IsDecodeError()
        {
            // The bytes after count belong to the next value: a sequence must not borrow them.
            byte[] src = Expect.FromHex("41 e2 82 ac");
            Expect.AmqpError(ErrorCode.DecodeError, () => Utf8.Decode(src, 0, 3));
            Assert.AreEqual("A", Utf8.Decode(src, 0, 1));
        }

        [TestMethod]
        [DataRow("a1 01 80")]
        [DataRow("a1 02 c0 af")]
        [DataRow("a1 03 ed a0 80")]
        [DataRow("b1 00 00 00 04 f4 90 80 80")]
        [DataRow("a3 01 ff")]
        public void ReadString_InvalidUtf8_IsDecodeError(string hex)
        {
            Expect.AmqpError(ErrorCode.DecodeError, () => Decoder.ReadObject(CodecHelper.Hex(hex)));
            if (hex.StartsWith("a3")) Expect.AmqpError(ErrorCode.DecodeError, () => Decoder.ReadSymbol(CodecHelper.Hex(hex)));
            else Expect.AmqpError(ErrorCode.DecodeError, () => Decoder.ReadString(CodecHelper.Hex(hex)));
        }

        [TestMethod]
        [DataRow(0)]
        [DataRow(1)]
        [DataRow(2)]
        [DataRow(3)]
        public void Encode_UnpairedSurrogate_InvalidFieldOnDesktop_ReplacementOnNano(int which)
        {
            string[] bad =
            {
                new string(new[] { '\ud800' }),
                new string(new[] { '\udc00' }),
                new string(new[] { 'a', '\ud83d', 'b' }),
                new string(new[] { '\ude00', '\ud83d' }),
            };
            string s = bad[which];
            if (!StringSemantics.HoldsLoneSurrogates)
            {
                // nanoCLR: the string already holds U+FFFD where the lone half was; it encodes as valid UTF-8.
                AssertRoundTrips(s);
                return;
            }

            // Desktop .NET: the string holds the lone half, which has no UTF-8 form.
            Expect.AmqpError(ErrorCode.InvalidField, () => Utf8.GetByteCount(s));
            var b = new ByteBuffer(32);
            Expect.AmqpError(ErrorCode.InvalidField, () => Encoder.WriteString(b, s));
            Expect.AmqpError(ErrorCode.InvalidField, () => Encoder.WriteSymbol(b, s));
            Assert.AreEqual(0, b.WritePos, "nothing may be written for an invalid string");
        }

        [TestMethod]
        public void Encode_UnpairedSurrogate_DirectEncodeInvalidFieldOnDesktop()
        {
            // Encode is normally called after GetByteCount, but must not write garbage or overrun on its own.
            // Pins desktop .NET; on nanoCLR a string cannot hold a lone surrogate (see the test above).
            if (!StringSemantics.HoldsLoneSurrogates) return;
            byte[] dest = new byte[8];
            Expect.AmqpError(ErrorCode.InvalidField, () => Utf8.Encode(new string(new[] { 'a', '\ud800' }), dest, 0));
            Expect.AmqpError(ErrorCode.InvalidField, () => Utf8.Encode(new string(new[] { '\udc00' }), dest, 0));
        }

        [TestMethod]
        public void Encode_Nul_OneZeroByteOnDesktop_EndsStringOnNano()
        {
            string s = new string(new[] { 'a', '\u0000', 'b' });
            byte[] dest = new byte[8];
            if (StringSemantics.HoldsNul)
            {
                Assert.AreEqual(3, Utf8.Encode(s, dest, 0));
                Assert.AreEqual((byte)0, dest[1], "U+0000 is the byte 00");
            }
            else
            {
                // nanoCLR: the string is "a"; its bytes are all there is to send.
                Assert.AreEqual(1, Utf8.Encode(s, dest, 0));
            }
        }

        [TestMethod]
        public void Decode_Nul_CharacterOnDesktop_DecodeErrorOnNano()
        {
            byte[] src = { 0x61, 0x00, 0x62 };
            if (StringSemantics.HoldsNul)
            {
                string s = Utf8.Decode(src, 0, 3);
                Assert.AreEqual(3, s.Length);
                Assert.AreEqual((int)'\u0000', (int)s[1]);
            }
            else
            {
                // nanoCLR would cut the string at U+0000: the SDK reports it instead of losing the rest.
                Expect.AmqpError(ErrorCode.DecodeError, () => Utf8.Decode(src, 0, 3));
            }
        }

        private static void AssertRoundTrips(string s)
        {
            byte[] bytes = new byte[Utf8.GetByteCount(s)];
            Assert.AreEqual(bytes.Length, Utf8.Encode(s, bytes, 0));
            Assert.AreEqual(s, Utf8.Decode(bytes, 0, bytes.Length));
        }

        [TestMethod]
        public void RoundTrip_EveryBmpScalarAndPlaneEdges_SameString()
        {
            // Every BMP scalar value (surrogates excluded), 1024 code points at a time to stay small on a device.
            char[] c = new char[1024];
            int total = 0;
            for (int start = 0; start < 0x10000; start += c.Length)
            {
                int n = 0;
                for (int cp = start; cp < start + c.Length; cp++)
                {
                    if (cp < 0xD800 || cp > 0xDFFF) c[n++] = (char)cp;
                }
                if (n == 0) continue;
                string s = new string(c, 0, n);
                int count = Utf8.GetByteCount(s);
                total += count;
                byte[] dest = new byte[count];
                Assert.AreEqual(count, Utf8.Encode(s, dest, 0));
                Assert.AreEqual(s, Utf8.Decode(dest, 0, count), "block at U+" + start.ToString("X4"));
            }
            // 128 one-byte, 1920 two-byte and 61440 three-byte (63488 minus the above) characters.
            Assert.AreEqual(128 + 1920 * 2 + 61440 * 3, total);
            string edges = "\ud800\udc00\udbff\udfff\ud83d\ude00";
            byte[] e = new byte[12];
            Assert.AreEqual(12, Utf8.Encode(edges, e, 0));
            Assert.AreEqual(edges, Utf8.Decode(e, 0, 12));
        }
    }
}
