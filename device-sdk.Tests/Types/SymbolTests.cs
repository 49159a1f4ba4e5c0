// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
using IotHubAmqp.Device.Buffers;
using IotHubAmqp.Device.Types;
using nanoFramework.TestFramework;

namespace IotHubAmqp.Device.Tests.Types
{
    [TestClass]
    public class SymbolTests
    {
        [TestMethod]
        public void Equals_SameText_EqualWithSameHash()
        {
            var a = new Symbol("amqp:accepted:list");
            var b = new Symbol("amqp:accepted:list");
            Assert.IsTrue(a.Equals(b));
            Assert.AreEqual(a.GetHashCode(), b.GetHashCode());
            Assert.IsFalse(a.Equals(new Symbol("amqp:rejected:list")));
        }

        [TestMethod]
        public void Equals_String_NotEqual()
        {
            // A symbol and a string with the same characters are different AMQP values.
            Assert.IsFalse(new Symbol("a").Equals("a"));
            Assert.IsFalse(new Symbol("a").Equals(null));
        }

        [TestMethod]
        public void NullValue_EqualsOtherNullSymbol()
        {
            Assert.IsTrue(new Symbol(null).Equals(new Symbol(null)));
            Assert.AreEqual(0, new Symbol(null).GetHashCode());
            Assert.IsNull(new Symbol(null).Value);
        }

        [TestMethod]
        public void ToString_ReturnsValue()
        {
            Assert.AreEqual("x-opt-lock-token", new Symbol("x-opt-lock-token").ToString());
        }

        [TestMethod]
        public void Encode_SymbolVsString_DifferentConstructors()
        {
            var b = new ByteBuffer(16);
            Encoder.WriteObject(b, new Symbol("a"));
            Encoder.WriteObject(b, "a");
            Expect.Bytes(Expect.FromHex("a3 01 61 a1 01 61"), b);
            Assert.AreEqual(new Symbol("a"), Decoder.ReadObject(b));
            Assert.AreEqual("a", Decoder.ReadObject(b));
        }

        [TestMethod]
        public void Encode_NullValuedSymbol_WritesNull()
        {
            var b = new ByteBuffer(4);
            Encoder.WriteObject(b, new Symbol(null));
            Expect.Bytes(Expect.FromHex("40"), b);
        }

        [TestMethod]
        [DataRow(0)]
        [DataRow(1)]
        [DataRow(255)]
        [DataRow(256)]
        [DataRow(1000)]
        public void RoundTrip_Length_SameSymbol(int n)
        {
            var s = new Symbol(CodecHelper.Ascii(n));
            object r = CodecHelper.RoundTrip(s);
            Assert.AreEqual(s, r);
            Assert.AreEqual(n, ((Symbol)r).Value.Length);
        }
    }
}
