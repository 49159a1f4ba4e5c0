// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
using System;
using IotHubAmqp.Device.IotHub;
using nanoFramework.TestFramework;
using TestFrameworkShared;

namespace IotHubAmqp.Device.Tests.IotHub
{
    [TestClass]
    public class SasTokenTests
    {
        private const string KeyBase64 = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";
        private const long Expiry = 1700000000;

        // Expected tokens computed independently with python3: hmac.new(base64.b64decode(key),
        // (quote(resource, safe='-._~') + "\n" + se).encode(), hashlib.sha256), base64, quote(sig, safe='-._~').
        private const string DeviceToken =
            "SharedAccessSignature sr=myhub.azure-devices.net%2Fdevices%2Fdev1&sig=i%2BYmMcSSZc4KzBi6ejz3l0iL%2B2sN0CE3q6vSm837h2g%3D&se=1700000000";
        private const string ModuleToken =
            "SharedAccessSignature sr=myhub.azure-devices.net%2Fdevices%2Fdev1%2Fmodules%2Fmod1&sig=kA6xjFLkZvk4Cdh0nD8uWAzassq6PB47f7BepMMtmlY%3D&se=1700000000";
        private const string PolicyToken =
            "SharedAccessSignature sr=myhub.azure-devices.net&sig=iIzEw6hi6GK79RY5jNXO6QeQkSL%2FAx4zTmy44X2G1VY%3D&se=1700000000&skn=iothubowner";
        private const string SpaceToken =
            "SharedAccessSignature sr=myhub.azure-devices.net%2Fdevices%2Fdev%201&sig=0cXYzfhCWD6dkFGdLt21vpRR3bYKVeL%2Fof5GkCuHDQA%3D&se=1700000000";

        private static byte[] Key => Convert.FromBase64String(KeyBase64);

        private static FixedPlatform Platform() => new FixedPlatform(new DateTime(2023, 11, 14, 22, 13, 20));

        [TestMethod]
        public void Create_DeviceResource_MatchesIndependentVector()
        {
            Assert.AreEqual(DeviceToken, SasToken.Create(Platform(), "myhub.azure-devices.net/devices/dev1", Key, null, Expiry));
        }

        [TestMethod]
        public void Create_ModuleResource_MatchesIndependentVector()
        {
            Assert.AreEqual(ModuleToken, SasToken.Create(Platform(), "myhub.azure-devices.net/devices/dev1/modules/mod1", Key, null, Expiry));
        }

        [TestMethod]
        public void Create_PolicyKey_AppendsSknAndMatchesVector()
        {
            Assert.AreEqual(PolicyToken, SasToken.Create(Platform(), "myhub.azure-devices.net", Key, "iothubowner", Expiry));
        }

        [TestMethod]
        public void Create_ResourceWithSpace_SignsEncodedResource()
        {
            Assert.AreEqual(SpaceToken, SasToken.Create(Platform(), "myhub.azure-devices.net/devices/dev 1", Key, null, Expiry));
        }

        [TestMethod]
        public void Create_DeviceKey_HasNoSkn()
        {
            string token = SasToken.Create(Platform(), "myhub.azure-devices.net/devices/dev1", Key, null, Expiry);
            Assert.IsTrue(token.IndexOf("skn=") < 0, token);
        }

        [TestMethod]
        public void Create_SignsOnceWithPlatformHmac()
        {
            FixedPlatform p = Platform();
            SasToken.Create(p, "myhub.azure-devices.net/devices/dev1", Key, null, Expiry);
            Assert.AreEqual(1, p.HmacCalls);
        }

        [TestMethod]
        public void Create_DifferentExpiry_DifferentSignature()
        {
            string a = SasToken.Create(Platform(), "myhub.azure-devices.net/devices/dev1", Key, null, Expiry);
            string b = SasToken.Create(Platform(), "myhub.azure-devices.net/devices/dev1", Key, null, Expiry + 1);
            Assert.AreNotEqual(a.Substring(0, a.IndexOf("&se=")), b.Substring(0, b.IndexOf("&se=")));
        }

        [TestMethod]
        public void UnixSeconds_KnownInstant_IsSecondsSinceEpoch()
        {
            Assert.AreEqual(Expiry, SasToken.UnixSeconds(new DateTime(2023, 11, 14, 22, 13, 20)));
            Assert.AreEqual(0L, SasToken.UnixSeconds(new DateTime(1970, 1, 1)));
        }

        [TestMethod]
        public void ParseExpiry_CreatedToken_ReturnsSe()
        {
            Assert.AreEqual(Expiry, SasToken.ParseExpiry(DeviceToken));
            Assert.AreEqual(Expiry, SasToken.ParseExpiry(PolicyToken));
        }

        [TestMethod]
        public void ParseExpiry_FieldsInAnyOrder_ReturnsSe()
        {
            Assert.AreEqual(42L, SasToken.ParseExpiry("SharedAccessSignature se=42&sr=a&sig=b"));
            Assert.AreEqual(42L, SasToken.ParseExpiry("SharedAccessSignature sr=a&se=42"));
        }

        [TestMethod]
        public void ParseExpiry_TwoSeFields_FirstCounts()
        {
            Assert.AreEqual(5L, SasToken.ParseExpiry("SharedAccessSignature sr=a&se=5&se=6"));
            Assert.AreEqual(5L, SasToken.ParseExpiry("SharedAccessSignature se=5&sr=a&se=6"));
        }

        [TestMethod]
        public void ParseExpiry_OnlyExactFieldName_Matches()
        {
            // "xse" and "sex" are not "se".
            Assert.AreEqual(7L, SasToken.ParseExpiry("SharedAccessSignature xse=1&sex=2&se=7"));
        }

        [TestMethod]
        [DataRow("sr=myhub&sig=c2VjcmV0&se=1700000000")]
        [DataRow("sharedaccesssignature sr=myhub&sig=c2VjcmV0&se=1700000000")]
        [DataRow("SharedAccessSignature sr=myhub&sig=c2VjcmV0")]
        [DataRow("SharedAccessSignature sr=myhub&sig=c2VjcmV0&se=17000x0000")]
        [DataRow("SharedAccessSignature sr=myhub&sig=c2VjcmV0&se=-1700000000")]
        [DataRow("SharedAccessSignature sr=myhub&sig=c2VjcmV0&se=1.5")]
        [DataRow("SharedAccessSignature sr=myhub&sig=c2VjcmV0&se=")]
        [DataRow("SharedAccessSignature sr=myhub&sig=c2VjcmV0&se")]
        [DataRow("SharedAccessSignature sr=myhub&sig=c2VjcmV0&se=99999999999999999999")]
        [DataRow("SharedAccessSignature ")]
        [DataRow("")]
        public void ParseExpiry_Malformed_ThrowsArgumentExceptionWithoutToken(string token)
        {
            ArgumentException e = Throws(() => SasToken.ParseExpiry(token));
            Assert.IsTrue(e.Message.IndexOf("c2VjcmV0") < 0, "the message repeats the signature: " + e.Message);
            Assert.IsTrue(e.Message.IndexOf("myhub") < 0, "the message repeats the resource: " + e.Message);
            Assert.IsTrue(e.Message.IndexOf("1700000000") < 0, "the message repeats the expiry: " + e.Message);
        }

        [TestMethod]
        public void ParseExpiry_Null_ThrowsArgumentException()
        {
            Throws(() => SasToken.ParseExpiry(null));
        }

        private static ArgumentException Throws(Action action)
        {
            try
            {
                action();
            }
            catch (ArgumentException e)
            {
                return e;
            }
            throw new AssertFailedException("expected an ArgumentException, none was thrown");
        }
    }
}
