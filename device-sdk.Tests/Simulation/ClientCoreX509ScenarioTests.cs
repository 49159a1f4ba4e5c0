// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
using IotHubAmqp.Device.IotHub;
using nanoFramework.TestFramework;

namespace IotHubAmqp.Device.Tests.Simulation
{
    /// <summary>
    /// An X.509 identity (<c>x509=true</c>) against the simulated hub: the certificate in the TLS handshake is the
    /// credential, so the client opens AMQP with no SASL, attaches no $cbs link, sends no token and never renews
    /// (iothub-amqp-wire-2.md 4).
    /// </summary>
    [TestClass]
    public class ClientCoreX509ScenarioTests
    {
        private static SimClientRig X509Rig()
        {
            var rig = new SimClientRig();
            rig.ConnectionString = "HostName=" + rig.Hub.HostName + ";DeviceId=" + rig.Hub.DeviceId + ";x509=true";
            rig.Hub.ClientCertificateVerified = true;
            rig.Options.TokenLifetimeSeconds = 60;
            return rig;
        }

        [TestMethod]
        public void X509_ConnectsWithoutSaslOrCbs_AndNeverRenews()
        {
            var rig = X509Rig();
            ClientRequest open = rig.Open(5000);
            rig.RunUntil(3 * 3600 * 1000L);
            Assert.IsTrue(open.IsCompleted && open.Error == null, rig.StatusText());
            Assert.AreEqual(ClientStatus.Connected, rig.Core.Status);
            Assert.AreEqual(0, rig.Hub.PutTokensSeen, "no put-token");
            Assert.AreEqual(0, rig.Core.TokenRenewals, "nothing to renew");
            Assert.AreEqual(0, rig.Core.Reconnects, "60 s token lifetime is irrelevant: no reconnect in 3 h");
            Assert.AreEqual(1, rig.Hub.ConnectionsAccepted);
            string trace = rig.Hub.TraceText();
            Assert.IsFalse(trace.IndexOf("cbs-") >= 0, "no $cbs link\n" + trace);
            Assert.IsFalse(trace.IndexOf("sasl header") >= 0, "no SASL layer\n" + trace);
            Assert.IsTrue(trace.IndexOf("amqp header without sasl") >= 0, trace);
            Assert.IsTrue(trace.IndexOf("attach telemetry") >= 0, trace);
            Assert.IsTrue(trace.IndexOf("attach c2d") >= 0, trace);
        }

        [TestMethod]
        public void X509_HubWithoutVerifiedCertificate_RefusesLinks_OpenFailsUnauthorized()
        {
            var rig = X509Rig();
            rig.Hub.ClientCertificateVerified = false; // e.g. the factory had no client certificate
            ClientRequest open = rig.Open(5000);
            rig.RunUntil(6000);
            Assert.IsTrue(open.IsCompleted, "Open ends within its deadline");
            Assert.IsTrue(open.Error is AmqpException, open.Error == null ? "no error" : open.Error.Message);
            Assert.AreEqual(ErrorCode.UnauthorizedAccess, ((AmqpException)open.Error).Condition);
            Assert.AreEqual(0, rig.Hub.PutTokensSeen, "still no token: the device has none");
        }
    }
}
