// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
using System;
using IotHubAmqp.Device.Platform;
using IotHubAmqp.Device.Provisioning;
using nanoFramework.TestFramework;
using TestFrameworkShared;

namespace IotHubAmqp.Device.Tests.Provisioning
{
    // Bad input is refused when the client is made, naming what is wrong (and never echoing a key).
    [TestClass]
    public class ProvisioningDeviceClientTests
    {
        private const string Key = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";

        private sealed class NoNetwork : ITransportFactory
        {
            public ITransport Connect(string host, int port, bool useTls, int timeoutMilliseconds) => throw new InvalidOperationException("no network in this test");
        }

        private static string MessageOf(Action a)
        {
            try
            {
                a();
            }
            catch (ArgumentException e)
            {
                return e.Message;
            }
            throw new AssertFailedException("no ArgumentException");
        }

        private static ProvisioningDeviceClient New(string endpoint, string scope) =>
            new ProvisioningDeviceClient(endpoint, scope, ProvisioningAttestation.SymmetricKey("r1", Key), new NoNetwork(), new FixedPlatform(new DateTime(2026, 1, 1, 0, 0, 0)));

        [TestMethod]
        public void IdScope_WithAPathCharacter_IsRefused()
        {
            Assert.IsTrue(MessageOf(() => New("dps.example", "0ne/1")).IndexOf("id scope") >= 0);
            Assert.IsTrue(MessageOf(() => New("dps.example", "")).IndexOf("id scope") >= 0);
        }

        [TestMethod]
        public void Endpoint_WithABadPort_IsRefused()
        {
            Assert.IsTrue(MessageOf(() => New("dps.example:http", "0ne1")).IndexOf("port") >= 0);
            Assert.IsTrue(MessageOf(() => New("dps.example:70000", "0ne1")).IndexOf("1-65535") >= 0);
        }

        [TestMethod]
        public void RegistrationId_AndKey_AreChecked()
        {
            Assert.IsTrue(MessageOf(() => ProvisioningAttestation.SymmetricKey("r 1", Key)).IndexOf("index 1") >= 0);
            Assert.IsTrue(MessageOf(() => ProvisioningAttestation.SymmetricKey("", Key)).IndexOf("empty") >= 0);
            string m = MessageOf(() => ProvisioningAttestation.SymmetricKey("r1", "not*base64"));
            Assert.IsTrue(m.IndexOf("base64") >= 0);
            Assert.IsTrue(m.IndexOf("not*base64") < 0, "the key is not echoed");
        }

        [TestMethod]
        public void Register_WithoutNetwork_FailsNamingTheConnect()
        {
            var dps = New("dps.example", "0ne1");
            try
            {
                dps.Register();
                throw new AssertFailedException("registered without a network");
            }
            catch (ProvisioningException e)
            {
                Assert.AreEqual(ProvisioningError.ConnectionFailed, e.Reason);
                Assert.IsTrue(e.Message.IndexOf("no network in this test") >= 0);
            }
        }

        [TestMethod]
        public void Register_WithAPayloadThatIsNotJson_IsRefusedBeforeConnecting()
        {
            Assert.IsTrue(MessageOf(() => New("dps.example", "0ne1").Register("{oops")).IndexOf("payload") >= 0);
        }
    }
}
