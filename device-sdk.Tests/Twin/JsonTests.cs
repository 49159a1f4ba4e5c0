// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
using System;
using System.Collections;
using IotHubAmqp.Device.Twin;
using nanoFramework.TestFramework;
using TestFrameworkShared;

namespace IotHubAmqp.Device.Tests.Twin
{
    [TestClass]
    public class JsonTests
    {
        [TestMethod]
        public void Parse_Object_ReadsEveryKindOfValue()
        {
            var o = (TwinCollection)Json.Parse("{\"s\":\"a\\\"b\\u0041\\n\",\"i\":-42,\"d\":2.5,\"t\":true,\"f\":false,\"n\":null,\"a\":[1,\"x\"],\"o\":{\"k\":7}}");
            Assert.AreEqual("a\"bA\n", o["s"]);
            Assert.AreEqual(-42L, o["i"]);
            Assert.AreEqual(2.5, o["d"]);
            Assert.AreEqual(true, o["t"]);
            Assert.AreEqual(false, o["f"]);
            Assert.IsNull(o["n"]);
            Assert.IsTrue(o.Contains("n"));
            var a = (ArrayList)o["a"];
            Assert.AreEqual(2, a.Count);
            Assert.AreEqual(1L, a[0]);
            Assert.AreEqual(7L, ((TwinCollection)o["o"])["k"]);
        }

        [TestMethod]
        public void Parse_WhitespaceAroundTokens_Accepted()
        {
            var o = (TwinCollection)Json.Parse(" \r\n{ \"a\" : [ 1 , 2 ] ,\t\"b\" : { } }\n");
            Assert.AreEqual(2, ((ArrayList)o["a"]).Count);
            Assert.AreEqual(0, ((TwinCollection)o["b"]).Count);
        }

        [TestMethod]
        public void Parse_Exponent_IsDouble()
        {
            Assert.AreEqual(1500.0, Json.Parse("1.5e3"));
        }

        [TestMethod]
        public void Parse_Malformed_RefusedWithOffset()
        {
            string[] bad = { "", "{", "{\"a\"}", "{\"a\":}", "{\"a\":1,}", "[1,]", "{a:1}", "\"abc", "\"a\\x\"", "01", "-", "1.", "tru", "nul", "{\"a\":1} x", "\"\\u12\"", "{\"a\":1 \"b\":2}", "\"tab\there\"" };
            for (int i = 0; i < bad.Length; i++)
            {
                try
                {
                    Json.Parse(bad[i]);
                    throw new AssertFailedException("accepted: " + bad[i]);
                }
                catch (ArgumentException e)
                {
                    Assert.IsTrue(e.Message.IndexOf("malformed JSON at offset") >= 0 || e.Message.IndexOf("JSON") >= 0, e.Message);
                }
            }
        }

        [TestMethod]
        public void Parse_TooDeep_Refused()
        {
            string deep = "";
            for (int i = 0; i < Json.MaxDepth + 1; i++) deep += "[";
            for (int i = 0; i < Json.MaxDepth + 1; i++) deep += "]";
            try
            {
                Json.Parse(deep);
                throw new AssertFailedException("accepted " + (Json.MaxDepth + 1) + " levels");
            }
            catch (ArgumentException e)
            {
                Assert.IsTrue(e.Message.IndexOf("nested deeper than") >= 0, e.Message);
            }
        }

        [TestMethod]
        public void Parse_MaxDepth_Accepted()
        {
            string deep = "";
            for (int i = 0; i < Json.MaxDepth; i++) deep += "[";
            for (int i = 0; i < Json.MaxDepth; i++) deep += "]";
            Assert.IsInstanceOfType(Json.Parse(deep), typeof(ArrayList));
        }

        [TestMethod]
        public void Parse_OverSizeLimit_RefusedNamingTheLimit()
        {
            var chars = new char[Json.MaxDocumentChars + 1];
            for (int i = 0; i < chars.Length; i++) chars[i] = ' ';
            chars[0] = '1';
            try
            {
                Json.Parse(new string(chars));
                throw new AssertFailedException("accepted an oversized document");
            }
            catch (ArgumentException e)
            {
                Assert.IsTrue(e.Message.IndexOf(Json.MaxDocumentChars.ToString()) >= 0, e.Message);
            }
        }

        [TestMethod]
        public void ParseObject_NotAnObject_Refused()
        {
            Assert.ThrowsException(typeof(ArgumentException), () => Json.ParseObject("[1]"));
        }

        [TestMethod]
        public void IsValid_GoodAndBad()
        {
            Assert.IsTrue(Json.IsValid("{\"ok\":true}"));
            Assert.IsTrue(Json.IsValid("null"));
            Assert.IsFalse(Json.IsValid("{ok:true}"));
            Assert.IsFalse(Json.IsValid(""));
        }

        [TestMethod]
        public void Writer_EscapesAndNumbers_RoundTrip()
        {
            var o = new TwinCollection();
            o["s"] = "q\"\\\n\t\u0001";
            o["i"] = 5;
            o["l"] = -9000000000L;
            o["b"] = true;
            o["n"] = null;
            var a = new ArrayList();
            a.Add(1);
            a.Add("x");
            o["a"] = a;
            var inner = new TwinCollection();
            inner["k"] = false;
            o["o"] = inner;
            string json = o.ToJson();
            Assert.AreEqual("{\"s\":\"q\\\"\\\\\\n\\t\\u0001\",\"i\":5,\"l\":-9000000000,\"b\":true,\"n\":null,\"a\":[1,\"x\"],\"o\":{\"k\":false}}", json);
            var back = new TwinCollection(json);
            Assert.AreEqual("q\"\\\n\t\u0001", back["s"]);
            Assert.AreEqual(-9000000000L, back["l"]);
        }

        [TestMethod]
        public void Writer_UnsupportedType_Refused()
        {
            var o = new TwinCollection();
            o["x"] = new object();
            Assert.ThrowsException(typeof(ArgumentException), () => o.ToJson());
        }

        [TestMethod]
        public void Writer_NaN_Refused()
        {
            var o = new TwinCollection();
            o["x"] = double.NaN;
            Assert.ThrowsException(typeof(ArgumentException), () => o.ToJson());
        }

        [TestMethod]
        public void Parse_MutatedDocuments_ValueOrArgumentExceptionOnly()
        {
            // Deterministic mutations (truncation, a replaced character) of a twin document: the reader must either
            // return a value or refuse with ArgumentException, never throw anything else or loop.
            const string doc = "{\"desired\":{\"a\":[1,2.5e3,\"x\\u0041\"],\"b\":{\"c\":null,\"d\":true},\"$version\":12},\"reported\":{\"$version\":3}}";
            const string alphabet = "{}[]\",:\\-+.eE0123456789tfnu \u0000a";
            uint seed = 12345;
            int refused = 0;
            for (int i = 0; i < 2000; i++)
            {
                seed = seed * 1103515245 + 12345;
                int at = (int)((seed >> 8) % (uint)doc.Length);
                seed = seed * 1103515245 + 12345;
                char c = alphabet[(int)((seed >> 8) % (uint)alphabet.Length)];
                string mutated = i % 3 == 0 ? doc.Substring(0, at) : doc.Substring(0, at) + c + doc.Substring(at + 1);
                try
                {
                    Json.Parse(mutated);
                }
                catch (ArgumentException)
                {
                    refused++;
                }
            }
            Assert.IsTrue(refused > 600, "mutations refused: " + refused);
        }

        // The document's UTF-8, as it comes off the wire.
        private static byte[] Utf8Of(string text) => TwinWire.Utf8Bytes(text);

        private static string Refusal(byte[] doc)
        {
            try
            {
                Json.Parse(doc);
            }
            catch (ArgumentException e)
            {
                return e.Message;
            }
            throw new AssertFailedException("accepted a document it should refuse");
        }

        [TestMethod]
        public void ParseBytes_EveryKindOfValue_SameAsFromText()
        {
            const string doc = "{\"s\":\"a\\\"b\\u0041\\n\",\"i\":-42,\"d\":2.5,\"e\":1.5e3,\"t\":true,\"f\":false,\"n\":null,\"a\":[1,\"x\",[]],\"o\":{\"k\":7,\"p\":{}}}";
            var o = Json.ParseObject(Utf8Of(doc));
            Assert.AreEqual("a\"bA\n", o["s"]);
            Assert.AreEqual(-42L, o["i"]);
            Assert.AreEqual(2.5, o["d"]);
            Assert.AreEqual(1500.0, o["e"]);
            Assert.AreEqual(true, o["t"]);
            Assert.AreEqual(false, o["f"]);
            Assert.IsNull(o["n"]);
            Assert.IsTrue(o.Contains("n"));
            var a = (ArrayList)o["a"];
            Assert.AreEqual(3, a.Count);
            Assert.AreEqual(1L, a[0]);
            Assert.AreEqual("x", a[1]);
            Assert.AreEqual(7L, ((TwinCollection)o["o"])["k"]);
            Assert.AreEqual(Json.ParseObject(doc).ToJson(), o.ToJson());
        }

        [TestMethod]
        public void ParseBytes_NonAsciiText_DecodedWithAndWithoutEscapes()
        {
            // Raw UTF-8 (2 and 3 bytes), the same characters escaped, and both mixed with simple escapes.
            var o = Json.ParseObject(Utf8Of("{\"caf\\u00e9\":\"\\u00e9\\u20ac\",\"raw\":\"\u00e9\u20ac\",\"mix\":\"\u00e9\\n\u20ac\\t\\u00e9x\",\"\u20ac\":1}"));
            Assert.AreEqual("\u00e9\u20ac", o["caf\u00e9"]);
            Assert.AreEqual("\u00e9\u20ac", o["raw"]);
            Assert.AreEqual("\u00e9\n\u20ac\t\u00e9x", o["mix"]);
            Assert.AreEqual(1L, o["\u20ac"]);
        }

        [TestMethod]
        public void ParseBytes_EscapedSurrogatePair_IsOneCharacterAsItsRawUtf8()
        {
            // U+1F600 escaped as a UTF-16 pair reads as the string its raw 4-byte UTF-8 gives.
            string raw = IotHubAmqp.Device.Types.Utf8.Decode(new byte[] { 0xF0, 0x9F, 0x98, 0x80 }, 0, 4);
            var a = (ArrayList)Json.Parse(Utf8Of("[\"\\ud83d\\ude00\",\"\\uD83D\\uDE00!\"]"));
            Assert.AreEqual(raw, a[0]);
            Assert.AreEqual(raw + "!", a[1]);
            Assert.AreEqual(raw, Json.Parse(new byte[] { 0x22, 0xF0, 0x9F, 0x98, 0x80, 0x22 }));
            // A lone half has no UTF-8 form: it reads as U+FFFD, as a nanoFramework string holds it.
            Assert.AreEqual("\ufffdx", Json.Parse(Utf8Of("\"\\ud83dx\"")));
        }

        [TestMethod]
        public void ParseBytes_InvalidUtf8InAString_RefusedNamingTheStringsOffset()
        {
            // A truncated sequence, a stray continuation byte, an overlong form: fast path and after an escape.
            byte[][] bad =
            {
                new byte[] { 0x7B, 0x22, 0x61, 0x22, 0x3A, 0x22, 0x78, 0xC3, 0x22, 0x7D },
                new byte[] { 0x7B, 0x22, 0x61, 0x22, 0x3A, 0x22, 0x80, 0x22, 0x7D },
                new byte[] { 0x7B, 0x22, 0x61, 0x22, 0x3A, 0x22, 0x5C, 0x6E, 0xC0, 0xAF, 0x22, 0x7D },
            };
            for (int i = 0; i < bad.Length; i++)
            {
                string m = Refusal(bad[i]);
                Assert.IsTrue(m.IndexOf("malformed JSON at offset 5: invalid text in the string") == 0, m);
            }
            Assert.IsTrue(Refusal(new byte[] { 0x22, 0x5C, 0x22, 0xFF, 0x22 }).IndexOf("at offset 0:") > 0);
        }

        [TestMethod]
        public void ParseBytes_NonAsciiOutsideAString_RefusedNamingTheByte()
        {
            string m = Refusal(new byte[] { 0x5B, 0x31, 0x2C, 0xC3, 0xA9, 0x5D });
            Assert.AreEqual("malformed JSON at offset 3: unexpected byte 0xC3", m);
        }

        [TestMethod]
        public void ParseBytes_SizeLimitCountsBytes()
        {
            // Exactly the limit is read; one byte more is refused naming the limit.
            var doc = new byte[Json.MaxDocumentChars];
            for (int i = 0; i < doc.Length; i++) doc[i] = 0x20;
            doc[0] = 0x31;
            Assert.AreEqual(1L, Json.Parse(doc));
            string m = Refusal(new byte[Json.MaxDocumentChars + 1]);
            Assert.IsTrue(m.IndexOf((Json.MaxDocumentChars + 1) + " bytes; at most " + Json.MaxDocumentChars + " bytes") >= 0, m);
            // Text under the limit in characters but over it in UTF-8 bytes ("\u00e9" is 2 bytes) is refused too.
            var chars = new char[Json.MaxDocumentChars / 2 + 2];
            for (int i = 0; i < chars.Length; i++) chars[i] = '\u00e9';
            chars[0] = '"';
            chars[chars.Length - 1] = '"';
            try
            {
                Json.Parse(new string(chars));
                throw new AssertFailedException("accepted a document over the limit in bytes");
            }
            catch (ArgumentException e)
            {
                Assert.IsTrue(e.Message.IndexOf(" bytes; at most " + Json.MaxDocumentChars) >= 0, e.Message);
            }
        }

        [TestMethod]
        public void Writer_LongStrings_EscapedAndRoundTrip()
        {
            // Past Utf8.InPlaceChars the writer reads a string as one char array: the same JSON as character by character.
            string unit = "a\"b\\\u00e9\n\u20ac\u0001";
            string s = "";
            for (int i = 0; i < 20; i++) s += unit;
            string json = "";
            for (int i = 0; i < 20; i++) json += "a\\\"b\\\\\u00e9\\n\u20ac\\u0001";
            var o = new TwinCollection();
            o[s] = s;
            Assert.AreEqual("{\"" + json + "\":\"" + json + "\"}", o.ToJson());
            var back = new TwinCollection(o.ToJson());
            Assert.AreEqual(s, back[s]);
        }

        [TestMethod]
        public void Parse_LongIntegerBeyond18Digits_IsDouble()
        {
            Assert.IsInstanceOfType(Json.Parse("12345678901234567890"), typeof(double));
            Assert.AreEqual(123456789012345678L, Json.Parse("123456789012345678"));
        }
    }
}
