// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
using IotHubAmqp.Device.IotHub;
using nanoFramework.TestFramework;

namespace IotHubAmqp.Device.Tests.IotHub
{
    [TestClass]
    public class UrlEncodingTests
    {
        private const string Unreserved = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~";

        [TestMethod]
        public void Encode_Unreserved_KeptAsIs()
        {
            // RFC 3986 2.3: ALPHA / DIGIT / "-" / "." / "_" / "~" are never encoded.
            Assert.AreEqual(Unreserved, UrlEncoding.Encode(Unreserved));
        }

        [TestMethod]
        public void Encode_Null_ReturnsNull()
        {
            Assert.IsNull(UrlEncoding.Encode(null));
        }

        [TestMethod]
        public void Encode_Empty_ReturnsEmpty()
        {
            Assert.AreEqual("", UrlEncoding.Encode(""));
        }

        [TestMethod]
        [DataRow("/", "%2F")]
        [DataRow(":", "%3A")]
        [DataRow(" ", "%20")]
        [DataRow("@", "%40")]
        [DataRow("%", "%25")]
        [DataRow("+", "%2B")]
        [DataRow("=", "%3D")]
        [DataRow("&", "%26")]
        [DataRow("?", "%3F")]
        [DataRow("#", "%23")]
        [DataRow("\n", "%0A")]
        [DataRow("\u007f", "%7F")]
        public void Encode_ReservedCharacter_PercentEncodedUppercase(string input, string expected)
        {
            Assert.AreEqual(expected, UrlEncoding.Encode(input));
        }

        [TestMethod]
        public void Encode_AudiencePath_EncodesSlashesOnly()
        {
            Assert.AreEqual("myhub.azure-devices.net%2Fdevices%2Fdev1", UrlEncoding.Encode("myhub.azure-devices.net/devices/dev1"));
        }

        [TestMethod]
        [DataRow("\u00e9", "%C3%A9")]
        [DataRow("\u20ac", "%E2%82%AC")]
        [DataRow("a\u00ffb", "a%C3%BFb")]
        [DataRow("\ud83d\ude00", "%F0%9F%98%80")]
        public void Encode_NonAscii_EncodesUtf8BytesUppercaseHex(string input, string expected)
        {
            Assert.AreEqual(expected, UrlEncoding.Encode(input));
        }

        [TestMethod]
        [DataRow("dev 1/mod:2@hub+x=y%z")]
        [DataRow("caf\u00e9 \u20ac \ud83d\ude00")]
        [DataRow(Unreserved)]
        [DataRow("")]
        public void Decode_OfEncode_RoundTrips(string s)
        {
            Assert.AreEqual(s, UrlEncoding.Decode(UrlEncoding.Encode(s)));
        }

        [TestMethod]
        public void Decode_LowercaseHex_Decoded()
        {
            Assert.AreEqual("a/b\u00e9", UrlEncoding.Decode("a%2fb%c3%a9"));
        }

        [TestMethod]
        public void Decode_Plus_IsSpace()
        {
            Assert.AreEqual("a b  c", UrlEncoding.Decode("a+b++c"));
        }

        [TestMethod]
        public void Decode_EncodedPlus_IsPlus()
        {
            Assert.AreEqual("a+b", UrlEncoding.Decode("a%2Bb"));
        }

        [TestMethod]
        public void Decode_Null_ReturnsNull()
        {
            Assert.IsNull(UrlEncoding.Decode(null));
        }

        [TestMethod]
        [DataRow("%zz", "%zz")]
        [DataRow("100%", "100%")]
        [DataRow("a%4", "a%4")]
        [DataRow("%4g%41", "%4gA")]
        [DataRow("%%41", "%A")]
        [DataRow("%", "%")]
        public void Decode_InvalidEscape_KeptAsIs(string input, string expected)
        {
            Assert.AreEqual(expected, UrlEncoding.Decode(input));
        }

        [TestMethod]
        public void Decode_RawNonAsciiBesideEscape_Kept()
        {
            Assert.AreEqual("\u00e9 /", UrlEncoding.Decode("\u00e9+%2F"));
        }

        [TestMethod]
        public void Decode_RawSurrogatePairBesideEscape_Kept()
        {
            // A character outside the BMP is two UTF-16 units; they must be converted together.
            Assert.AreEqual("\ud83d\ude00 /", UrlEncoding.Decode("\ud83d\ude00+%2F"));
        }
    }
}
