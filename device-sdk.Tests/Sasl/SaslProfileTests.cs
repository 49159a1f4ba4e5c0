// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
using IotHubAmqp.Device.Sasl;
using nanoFramework.TestFramework;

namespace IotHubAmqp.Device.Tests.Sasl
{
    [TestClass]
    public class SaslProfileTests
    {
        [TestMethod]
        public void Plain_AsciiCredentials_ResponseIsNulUserNulPassword()
        {
            // RFC 4616: [authzid] NUL authcid NUL passwd; no authzid.
            SaslProfile p = SaslProfile.Plain("user", "pass");
            Assert.AreEqual("PLAIN", p.Mechanism);
            Expect.Bytes(Expect.FromHex("00 75 73 65 72 00 70 61 73 73"), p.InitialResponse);
        }

        [TestMethod]
        public void Plain_NonAsciiCredentials_EncodesUtf8()
        {
            // u-umlaut (2 bytes), euro sign (3 bytes), and a surrogate pair (4 bytes).
            SaslProfile p = SaslProfile.Plain("\u00fc", "\u20ac\ud83d\ude00");
            Expect.Bytes(Expect.FromHex("00 c3 bc 00 e2 82 ac f0 9f 98 80"), p.InitialResponse);
        }

        [TestMethod]
        public void Plain_EmptyUser_KeepsBothSeparators()
        {
            SaslProfile p = SaslProfile.Plain("", "x");
            Expect.Bytes(Expect.FromHex("00 00 78"), p.InitialResponse);
        }

        [TestMethod]
        public void Plain_SasTokenPassword_IsCarriedVerbatim()
        {
            const string token = "SharedAccessSignature sr=hub%2Fdevices%2Fd1&sig=a%2Bb%3D&se=1700000000";
            SaslProfile p = SaslProfile.Plain("d1@sas.hub", token);
            Assert.AreEqual(2 + 10 + token.Length, p.InitialResponse.Length);
            Assert.AreEqual((byte)0, p.InitialResponse[11]);
            Assert.AreEqual((byte)'S', p.InitialResponse[12]);
            Assert.AreEqual((byte)'0', p.InitialResponse[p.InitialResponse.Length - 1]);
        }

        [TestMethod]
        public void Anonymous_Always_HasNoResponse()
        {
            SaslProfile p = SaslProfile.Anonymous();
            Assert.AreEqual("ANONYMOUS", p.Mechanism);
            Assert.IsNull(p.InitialResponse);
        }
    }
}
