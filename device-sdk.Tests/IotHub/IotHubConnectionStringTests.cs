// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
using System;
using IotHubAmqp.Device.IotHub;
using nanoFramework.TestFramework;
using TestFrameworkShared;

namespace IotHubAmqp.Device.Tests.IotHub
{
    [TestClass]
    public class IotHubConnectionStringTests
    {
        private const string Key = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";
        private const string Token = "SharedAccessSignature sr=myhub.azure-devices.net%2Fdevices%2Fdev1&sig=U0lHU0VDUkVU&se=1700000000";
        private const string Basic = "HostName=myhub.azure-devices.net;DeviceId=dev1;SharedAccessKey=" + Key;

        private static void AssertKey(IotHubConnectionString cs)
        {
            Assert.IsTrue(cs.HasKey);
            CollectionAssert.AreEqual(Convert.FromBase64String(Key), cs.Key);
        }

        [TestMethod]
        public void Parse_HostDeviceKey_ReadsEveryField()
        {
            IotHubConnectionString cs = IotHubConnectionString.Parse(Basic);
            Assert.AreEqual("myhub.azure-devices.net", cs.HostName);
            Assert.AreEqual("dev1", cs.DeviceId);
            Assert.IsNull(cs.ModuleId);
            Assert.IsNull(cs.GatewayHostName);
            Assert.IsNull(cs.SharedAccessKeyName);
            Assert.IsNull(cs.SharedAccessSignature);
            AssertKey(cs);
        }

        [TestMethod]
        public void Parse_KeyWithPadding_KeepsEqualsSignsInValue()
        {
            // Only the first '=' separates name and value; base64 padding belongs to the value.
            IotHubConnectionString cs = IotHubConnectionString.Parse("SharedAccessKey=" + Key + ";DeviceId=dev1;HostName=h");
            Assert.AreEqual(32, cs.Key.Length);
            AssertKey(cs);
        }

        [TestMethod]
        public void Parse_ModuleId_Read()
        {
            IotHubConnectionString cs = IotHubConnectionString.Parse(Basic + ";ModuleId=mod1");
            Assert.AreEqual("mod1", cs.ModuleId);
            Assert.AreEqual("dev1", cs.DeviceId);
            AssertKey(cs);
        }

        [TestMethod]
        [DataRow("edge.local")]
        [DataRow("edge.local:8883")]
        [DataRow("10.0.0.2:5671")]
        public void Parse_GatewayHostName_ReadAsIs(string gateway)
        {
            IotHubConnectionString cs = IotHubConnectionString.Parse(Basic + ";GatewayHostName=" + gateway);
            Assert.AreEqual(gateway, cs.GatewayHostName);
            Assert.AreEqual("myhub.azure-devices.net", cs.HostName);
        }

        [TestMethod]
        public void Parse_SharedAccessKeyName_Read()
        {
            IotHubConnectionString cs = IotHubConnectionString.Parse(Basic + ";SharedAccessKeyName=iothubowner");
            Assert.AreEqual("iothubowner", cs.SharedAccessKeyName);
            AssertKey(cs);
        }

        [TestMethod]
        public void Parse_SharedAccessSignature_KeptWithoutKey()
        {
            IotHubConnectionString cs = IotHubConnectionString.Parse("HostName=myhub.azure-devices.net;DeviceId=dev1;SharedAccessSignature=" + Token);
            Assert.AreEqual(Token, cs.SharedAccessSignature);
            Assert.IsFalse(cs.HasKey);
            Assert.IsNull(cs.Key);
        }

        [TestMethod]
        public void Parse_WhitespaceAndEmptyParts_Tolerated()
        {
            IotHubConnectionString cs = IotHubConnectionString.Parse("  HostName = myhub.azure-devices.net ;; DeviceId=dev1\t; SharedAccessKey = " + Key + " ; ModuleId =mod1;  ");
            Assert.AreEqual("myhub.azure-devices.net", cs.HostName);
            Assert.AreEqual("dev1", cs.DeviceId);
            Assert.AreEqual("mod1", cs.ModuleId);
            AssertKey(cs);
        }

        [TestMethod]
        public void Parse_Null_ThrowsArgumentNullException()
        {
            Assert.ThrowsException(typeof(ArgumentNullException), () => IotHubConnectionString.Parse(null));
        }

        // The "part 3" rows: a key pasted without its "SharedAccessKey=" name must not come back in the error as a
        // field name (a 44-character key ends in '=', so it parses as an empty field named after the key).
        [TestMethod]
        [DataRow("DeviceId=dev1;SharedAccessKey=" + Key, "HostName", Key)]
        [DataRow("", "HostName", Key)]
        [DataRow("HostName=h;SharedAccessKey=" + Key, "DeviceId", Key)]
        [DataRow("HostName=h;DeviceId=d", "SharedAccessKey", Key)]
        [DataRow("HostName=h;DeviceId=d;SharedAccessKeyName=owner", "SharedAccessKey", Key)]
        [DataRow("HostName=h;DeviceId=d;SharedAccessKey=" + Key + ";SharedAccessSignature=" + Token, "SharedAccessSignature", Key)]
        [DataRow("HostName=h;DeviceId=d;SharedAccessKey=" + Key + ";SharedAccessSignature=" + Token, "SharedAccessKey", "U0lHU0VDUkVU")]
        [DataRow("HostName=h;DeviceId=d;SharedAccessKey=" + Key + ";Foo=bar", "part 4", Key)]
        [DataRow("HostName=h;DeviceId=d;sharedaccesskey=" + Key, "part 3", Key)]
        [DataRow("HostName=h;DeviceId=;SharedAccessKey=" + Key, "DeviceId", Key)]
        [DataRow("HostName=  ;DeviceId=d;SharedAccessKey=" + Key, "HostName", Key)]
        [DataRow("HostName=h;DeviceId=d;SharedAccessKey=", "SharedAccessKey", Key)]
        [DataRow("HostName=h;DeviceId=d;DeviceId=e;SharedAccessKey=" + Key, "DeviceId", Key)]
        [DataRow("HostName=h;DeviceId=d;SharedAccessKey=" + Key + ";SharedAccessKey=" + Key, "SharedAccessKey", Key)]
        [DataRow("HostName=h;DeviceId=d;SharedAccessKey=" + Key + ";junk", "part 4", Key)]
        [DataRow("HostName=h;DeviceId=d;SharedAccessKey=" + Key + ";=x", "part 4", Key)]
        [DataRow("HostName=h;DeviceId=d;" + Key, "part 3", "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8")]
        [DataRow("HostName=h;DeviceId=d;AAECAwQFBgcICQoLDA0O=DxAREhMUFRYXGBkaGxwdHh8=", "part 3", "AAECAwQFBgcICQoLDA0O")]
        [DataRow("HostName=h;DeviceId=d;SharedAccessKey=AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8", "SharedAccessKey", "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8")]
        [DataRow("HostName=h;DeviceId=d;SharedAccessKey=AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh*=", "SharedAccessKey", "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh")]
        [DataRow("HostName=h;DeviceId=d;SharedAccessKey=AAECAwQF BgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=", "SharedAccessKey", "BgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8")]
        [DataRow("HostName=h;DeviceId=d;SharedAccessKey=AAECAwQF=gcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=", "SharedAccessKey", "gcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8")]
        [DataRow("HostName=h;DeviceId=d;SharedAccessKey=AB=C", "SharedAccessKey", "AB=C")]
        [DataRow("HostName=h;DeviceId=d;SharedAccessKey=====", "SharedAccessKey", "====")]
        [DataRow("HostName=h;DeviceId=d;SharedAccessSignature=SharedAccessSignature sr=h&sig=U0lHU0VDUkVU", "SAS token", "U0lHU0VDUkVU")]
        [DataRow("HostName=h;DeviceId=d;SharedAccessSignature=sr=h&sig=U0lHU0VDUkVU&se=1700000000", "SAS token", "U0lHU0VDUkVU")]
        [DataRow("HostName=h;DeviceId=d;SharedAccessSignature=SharedAccessSignature sr=h&sig=U0lHU0VDUkVU&se=soon", "SAS token", "U0lHU0VDUkVU")]
        public void Parse_Malformed_ThrowsNamingFieldNeverKey(string connectionString, string field, string secret)
        {
            ArgumentException e = Throws(() => IotHubConnectionString.Parse(connectionString));
            Assert.IsTrue(e.Message.IndexOf(field) >= 0, "the message does not name " + field + ": " + e.Message);
            Assert.IsTrue(e.Message.IndexOf(secret) < 0, "the message repeats the secret: " + e.Message);
            Assert.IsTrue(e.Message.IndexOf("U0lHU0VDUkVU") < 0, "the message repeats the signature: " + e.Message);
        }

        [TestMethod]
        public void ToString_WithKey_HidesKey()
        {
            string s = IotHubConnectionString.Parse(Basic + ";ModuleId=mod1;GatewayHostName=edge").ToString();
            Assert.IsTrue(s.IndexOf(Key) < 0, s);
            Assert.IsTrue(s.IndexOf("AAECAwQF") < 0, s);
            Assert.AreEqual("HostName=myhub.azure-devices.net;DeviceId=dev1;ModuleId=mod1;GatewayHostName=edge;SharedAccessKey=***", s);
        }

        [TestMethod]
        public void ToString_WithSignature_HidesToken()
        {
            string s = IotHubConnectionString.Parse("HostName=myhub.azure-devices.net;DeviceId=dev1;SharedAccessSignature=" + Token).ToString();
            Assert.IsTrue(s.IndexOf("U0lHU0VDUkVU") < 0, s);
            Assert.IsTrue(s.IndexOf("1700000000") < 0, s);
            Assert.AreEqual("HostName=myhub.azure-devices.net;DeviceId=dev1;SharedAccessSignature=***", s);
        }

        [TestMethod]
        public void FromParts_Valid_SetsEveryPart()
        {
            IotHubConnectionString cs = IotHubConnectionString.FromParts("myhub.azure-devices.net", "dev1", Key, "mod1", "edge:8883");
            Assert.AreEqual("myhub.azure-devices.net", cs.HostName);
            Assert.AreEqual("dev1", cs.DeviceId);
            Assert.AreEqual("mod1", cs.ModuleId);
            Assert.AreEqual("edge:8883", cs.GatewayHostName);
            Assert.IsNull(cs.SharedAccessSignature);
            AssertKey(cs);
        }

        [TestMethod]
        public void FromParts_OptionalOmitted_AreNull()
        {
            IotHubConnectionString cs = IotHubConnectionString.FromParts("myhub.azure-devices.net", "dev1", Key);
            Assert.IsNull(cs.ModuleId);
            Assert.IsNull(cs.GatewayHostName);
            AssertKey(cs);
        }

        [TestMethod]
        [DataRow("", "dev1", Key, "HostName")]
        [DataRow("h", "", Key, "DeviceId")]
        [DataRow("h", "dev1", "", "SharedAccessKey")]
        [DataRow("h", "dev1", "not base64!", "SharedAccessKey")]
        [DataRow("h", "dev1", "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8", "SharedAccessKey")]
        public void FromParts_Invalid_ThrowsNamingPart(string host, string device, string key, string field)
        {
            ArgumentException e = Throws(() => IotHubConnectionString.FromParts(host, device, key));
            Assert.IsTrue(e.Message.IndexOf(field) >= 0, "the message does not name " + field + ": " + e.Message);
            if (key != null && key.Length > 0) Assert.IsTrue(e.Message.IndexOf(key) < 0, "the message repeats the key: " + e.Message);
        }

        // Null parts are not [DataRow]s: nanoFramework's metadata processor cannot write a null row argument.
        [TestMethod]
        public void FromParts_NullHost_ThrowsNamingHostName() => FromParts_Invalid_ThrowsNamingPart(null, "dev1", Key, "HostName");

        [TestMethod]
        public void FromParts_NullDevice_ThrowsNamingDeviceId() => FromParts_Invalid_ThrowsNamingPart("h", null, Key, "DeviceId");

        [TestMethod]
        public void FromParts_NullKey_ThrowsNamingSharedAccessKey() => FromParts_Invalid_ThrowsNamingPart("h", "dev1", null, "SharedAccessKey");

        [TestMethod]
        public void Parse_X509True_NoKeyNeeded()
        {
            IotHubConnectionString cs = IotHubConnectionString.Parse("HostName=myhub.azure-devices.net;DeviceId=dev1;x509=true;GatewayHostName=127.0.0.1:5671");
            Assert.IsTrue(cs.UsesX509);
            Assert.IsFalse(cs.HasKey);
            Assert.IsNull(cs.SharedAccessSignature);
            Assert.AreEqual("dev1", cs.DeviceId);
            Assert.AreEqual("127.0.0.1:5671", cs.GatewayHostName);
            Assert.AreEqual("HostName=myhub.azure-devices.net;DeviceId=dev1;GatewayHostName=127.0.0.1:5671;x509=true", cs.ToString());
        }

        [TestMethod]
        public void Parse_X509Module_ReadsModule()
        {
            IotHubConnectionString cs = IotHubConnectionString.Parse("HostName=h;DeviceId=dev1;ModuleId=m1;x509=true");
            Assert.IsTrue(cs.UsesX509);
            Assert.AreEqual("m1", cs.ModuleId);
        }

        [TestMethod]
        public void Parse_KeyString_IsNotX509()
        {
            Assert.IsFalse(IotHubConnectionString.Parse(Basic).UsesX509);
        }

        [TestMethod]
        [DataRow("HostName=h;DeviceId=d;x509=false", "x509")]
        [DataRow("HostName=h;DeviceId=d;x509=yes", "x509")]
        [DataRow("HostName=h;DeviceId=d;x509=true;x509=true", "x509")]
        [DataRow("HostName=h;DeviceId=d;x509=true;SharedAccessKey=" + Key, "x509=true and a SharedAccessKey")]
        [DataRow("HostName=h;DeviceId=d;SharedAccessSignature=" + Token + ";x509=true", "x509=true and a SharedAccessKey or SharedAccessSignature")]
        [DataRow("HostName=h;x509=true", "DeviceId")]
        [DataRow("DeviceId=d;x509=true", "HostName")]
        [DataRow("HostName=h;DeviceId=d", "x509=true")]
        public void Parse_X509Malformed_ThrowsNamingWhatIsWrong(string connectionString, string expected)
        {
            ArgumentException e = Throws(() => IotHubConnectionString.Parse(connectionString));
            Assert.IsTrue(e.Message.IndexOf(expected) >= 0, "the message does not say " + expected + ": " + e.Message);
            Assert.IsTrue(e.Message.IndexOf(Key) < 0 && e.Message.IndexOf("U0lHU0VDUkVU") < 0, "the message repeats a secret: " + e.Message);
        }

        [TestMethod]
        public void ForX509_SetsParts()
        {
            IotHubConnectionString cs = IotHubConnectionString.ForX509("myhub.azure-devices.net", "dev1", "m1", "127.0.0.1:5671");
            Assert.IsTrue(cs.UsesX509);
            Assert.IsFalse(cs.HasKey);
            Assert.AreEqual("m1", cs.ModuleId);
            Assert.AreEqual("127.0.0.1:5671", cs.GatewayHostName);
        }

        [TestMethod]
        public void ForX509_EmptyDevice_ThrowsNamingDeviceId()
        {
            ArgumentException e = Throws(() => IotHubConnectionString.ForX509("h", ""));
            Assert.IsTrue(e.Message.IndexOf("DeviceId") >= 0, e.Message);
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
