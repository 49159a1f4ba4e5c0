// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
using IotHubAmqp.Device.Framing;
using IotHubAmqp.Device.Types;
using nanoFramework.TestFramework;

namespace IotHubAmqp.Device.Tests.Framing
{
    [TestClass]
    public class FieldCodecTests
    {
        [TestMethod]
        public void WriteSymbols_Null_WritesNull()
        {
            var b = Wire.NewBuffer();
            FieldCodec.WriteSymbols(b, null);
            Expect.Bytes(Expect.FromHex("40"), b);
        }

        [TestMethod]
        public void WriteSymbols_Empty_WritesEmptySymbolArray()
        {
            var b = Wire.NewBuffer();
            FieldCodec.WriteSymbols(b, new string[0]);
            Expect.Bytes(Expect.FromHex("e0 02 00 a3"), b);
            Assert.AreEqual(0, Decoder.ReadSymbols(Wire.Of("e0 02 00 a3")).Length);
        }

        [TestMethod]
        public void WriteSymbols_LongValue_UsesSym32Elements()
        {
            string longName = new string('a', 256);
            var b = Wire.NewBuffer();
            FieldCodec.WriteSymbols(b, new[] { "b", longName });
            Assert.AreEqual(FormatCode.Array32, b.Buffer[0]);
            Assert.AreEqual(FormatCode.Symbol32, b.Buffer[9]);
            CollectionAssert.AreEqual(new[] { "b", longName }, Decoder.ReadSymbols(b));
            Wire.Consumed(b);
        }

        [TestMethod]
        public void WriteSymbols_NullElement_IsInvalidField()
        {
            Expect.AmqpError(ErrorCode.InvalidField, () => FieldCodec.WriteSymbols(Wire.NewBuffer(), new[] { "a", null }));
        }

        [TestMethod]
        public void Address_StringOrSymbol_ReadsText()
        {
            // The address as the one field of a target list (list8, size, count 1, then the value).
            Assert.AreEqual("q", Address("a1 01 71"));
            Assert.AreEqual("q", Address("a3 01 71"));
            Assert.AreEqual("q", Address("b1 00 00 00 01 71"));
            Assert.AreEqual("q", Address("b3 00 00 00 01 71"));
            Assert.IsNull(Address("40"));
        }

        private static string Address(string hex)
        {
            var t = new Target { Address = "old" };
            byte[] value = Expect.FromHex(hex);
            t.Decode(Wire.Of("c0 " + (value.Length + 1).ToString("X2") + " 01 " + hex));
            return t.Address;
        }
    }
}
