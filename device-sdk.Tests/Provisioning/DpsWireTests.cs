// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
using System;
using IotHubAmqp.Device.Buffers;
using IotHubAmqp.Device.Framing;
using IotHubAmqp.Device.Messaging;
using IotHubAmqp.Device.Provisioning;
using IotHubAmqp.Device.Types;
using nanoFramework.TestFramework;

namespace IotHubAmqp.Device.Tests.Provisioning
{
    // Byte-exact vectors for what the device sends to DPS (iothub-amqp-wire-2.md 7.2-7.3), built by hand from AMQP 1.0
    // part 1 (encodings) and part 3 (sections), and the key derivation and token computed independently (HMAC-SHA256).
    [TestClass]
    public class DpsWireTests
    {
        private const string GroupKey = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="; // bytes 0..31
        private const string DerivedKey = "zISK7nhtBNk0sbJNRSxNr3mhOa+KbHCUh26exQf3xjI=";  // base64(HMAC(GroupKey, "sensor-042"))

        private static byte[] Encode(Message m)
        {
            var b = new ByteBuffer(512);
            MessageCodec.Encode(m, b);
            var bytes = new byte[b.Length];
            Array.Copy(b.Buffer, b.Offset, bytes, 0, b.Length);
            return bytes;
        }

        [TestMethod]
        public void DeriveDeviceKey_GroupKeyAndRegistrationId_MatchesHmacVector()
        {
            var platform = new FixedPlatform(new DateTime(2026, 1, 1, 0, 0, 0));
            Assert.AreEqual(DerivedKey, ProvisioningAttestation.DeriveDeviceKey(platform, GroupKey, "sensor-042"));
            Assert.AreEqual(1, platform.HmacCalls);
        }

        [TestMethod]
        public void SymmetricKeyGroup_UsesTheDerivedKeyNotTheGroupKey()
        {
            var platform = new FixedPlatform(new DateTime(2026, 1, 1, 0, 0, 0));
            ProvisioningAttestation a = ProvisioningAttestation.SymmetricKeyGroup("sensor-042", GroupKey, platform);
            Assert.AreEqual(DerivedKey, a.KeyBase64);
            Assert.IsFalse(a.IsX509);
        }

        [TestMethod]
        public void Token_EncodesResourceSignsWithKeyNamesRegistration()
        {
            var platform = new FixedPlatform(new DateTime(2026, 1, 1, 0, 0, 0));
            string token = DpsWire.Token(platform, "0ne00ABCDEF", "sensor-042", Convert.FromBase64String(DerivedKey), 1767229200);
            Assert.AreEqual("SharedAccessSignature sr=0ne00ABCDEF%2Fregistrations%2Fsensor-042&sig=iz8KB5QIAZPqmvy%2FvBqc0MmT093kTBr7oas%2B3pi%2FQjk%3D&se=1767229200&skn=registration", token);
        }

        [TestMethod]
        public void Resource_IsScopeRegistrationsId()
        {
            Assert.AreEqual("0ne00ABCDEF/registrations/sensor-042", DpsWire.Resource("0ne00ABCDEF", "sensor-042"));
        }

        [TestMethod]
        public void RegisterRequest_Encoded_CorrelationOperationForceAndJsonBody()
        {
            string expected =
                // properties (0x73): list8, 6 fields, correlation-id str8 "sensor-042:1"
                "005373" + "C014" + "06" + "4040404040" + "A10C" + "73656E736F722D3034323A31" +
                // application-properties (0x74): map8, 4 items: str8 keys, str8 "iotdps-register", boolean false (0x42)
                "005374" + "C144" + "04" + "A115" + "696F746470732D6F7065726174696F6E2D74797065" + "A10F" + "696F746470732D7265676973746572"
                + "A118" + "696F746470732D666F726365526567697374726174696F6E" + "42" +
                // data (0x75): vbin8 {"registrationId":"sensor-042","payload":{"model":"t1"}}
                "005375" + "A038" + "7B22726567697374726174696F6E4964223A2273656E736F722D303432222C227061796C6F6164223A7B226D6F64656C223A227431227D7D";
            Expect.Bytes(Expect.FromHex(expected), Encode(DpsWire.RegisterRequest("sensor-042", "{\"model\":\"t1\"}", false, "sensor-042:1")));
        }

        [TestMethod]
        public void StatusRequest_CarriesOperationIdAndEmptyAmqpValue()
        {
            string expected =
                "005373" + "C00A" + "06" + "4040404040" + "A102" + "723A" +
                // map8, 4 items: operation type -> "iotdps-get-operationstatus", operation id -> "op-1"
                "005374" + "C14F" + "04" + "A115" + "696F746470732D6F7065726174696F6E2D74797065" + "A11A" + "696F746470732D6765742D6F7065726174696F6E737461747573"
                + "A113" + "696F746470732D6F7065726174696F6E2D6964" + "A1046F702D31" +
                // amqp-value (0x77): str8 ""
                "005377" + "A100";
            Expect.Bytes(Expect.FromHex(expected), Encode(DpsWire.StatusRequest("op-1", "r:")));
        }

        [TestMethod]
        public void CheckPayload_RefusesTextThatIsNotOneJsonValue()
        {
            DpsWire.CheckPayload(null);
            DpsWire.CheckPayload("{\"a\":[1,2,{\"b\":null}]}");
            Assert.ThrowsException(typeof(ArgumentException), () => DpsWire.CheckPayload("{\"a\":1"));
            Assert.ThrowsException(typeof(ArgumentException), () => DpsWire.CheckPayload("{} {}"));
        }

        [TestMethod]
        public void RetryAfter_ReadsIntStringAndBothSpellings()
        {
            var m = new AmqpMap();
            Assert.AreEqual(-1, DpsWire.RetryAfterSeconds(m));
            m["retry-after"] = "3";
            Assert.AreEqual(3, DpsWire.RetryAfterSeconds(m));
            var p = new AmqpMap();
            p["Retry-After"] = 7;
            Assert.AreEqual(7, DpsWire.RetryAfterSeconds(p));
            var bad = new AmqpMap();
            bad["retry-after"] = "soon";
            Assert.AreEqual(-1, DpsWire.RetryAfterSeconds(bad));
        }

        [TestMethod]
        public void Rejection_Throttled_NamesItAndKeepsRetryAfter()
        {
            var e = new Error(DpsWire.ThrottledCondition, "{\"errorCode\":429001,\"trackingId\":\"t\",\"message\":\"Operations are being throttled\"}");
            e.Info = new AmqpMap();
            e.Info[new Symbol("retry-after")] = "5";
            ProvisioningException x = DpsWire.Rejection(e, "sensor-042");
            Assert.AreEqual(ProvisioningError.Throttled, x.Reason);
            Assert.AreEqual(429001, x.ErrorCode);
            Assert.AreEqual(5, x.RetryAfterSeconds);
            Assert.IsTrue(x.Message.IndexOf("throttled") >= 0);
            Assert.IsTrue(DpsWire.IsRetryable(x, e));
        }

        [TestMethod]
        public void Rejection_Unauthorized_IsNotRetried()
        {
            var e = new Error(ErrorCode.UnauthorizedAccess, "{\"errorCode\":401002,\"message\":\"unauthorized\"}");
            ProvisioningException x = DpsWire.Rejection(e, "sensor-042");
            Assert.AreEqual(ProvisioningError.Failed, x.Reason);
            Assert.AreEqual(401002, x.ErrorCode);
            Assert.IsFalse(DpsWire.IsRetryable(x, e));
        }
    }
}
