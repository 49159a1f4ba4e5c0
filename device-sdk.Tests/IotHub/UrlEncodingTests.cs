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
        [DataRow("dev 1/mod:2@hub+x=y%z", "dev%201%2Fmod%3A2%40hub%2Bx%3Dy%25z")]
        [DataRow("", "")]
        public void Encode_Reserved_EachByteEscaped(string input, string expected)
        {
            Assert.AreEqual(expected, UrlEncoding.Encode(input));
        }
    }
}
