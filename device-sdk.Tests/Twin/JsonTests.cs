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

        [TestMethod]
        public void Parse_LongIntegerBeyond18Digits_IsDouble()
        {
            Assert.IsInstanceOfType(Json.Parse("12345678901234567890"), typeof(double));
            Assert.AreEqual(123456789012345678L, Json.Parse("123456789012345678"));
        }
    }
}
