// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
using IotHubAmqp.Device.InteropTests.TestSupport;
using IotHubAmqp.Device.IotHub;
using IotHubAmqp.Device.Platform.Desktop;
using IotHubAmqp.Device.Provisioning;
using IotHubAmqp.LocalHub;
using IotHubAmqp.LocalHub.Tests;

namespace IotHubAmqp.Device.InteropTests.Provisioning
{
    /// <summary>
    /// X.509 from start to end with the SDK's own desktop factory: DPS registration with the device certificate,
    /// then the same certificate as the device's identity at the assigned hub (no key anywhere).
    /// </summary>
    public class ProvisioningX509HubTests
    {
        [Fact]
        public async Task X509_RegistersWithDps_ThenConnectsToTheAssignedHubWithTheSameCertificate()
        {
            using var device = DeviceCertificates.SelfSigned("sdk-x509-e2e");
            using var f = new HubFixture(o =>
            {
                o.Dps = new DpsOptions { IdScope = "0ne000X5093", RetryAfterSeconds = 0 };
                o.Dps.Enrollments.AddX509(device);
            });
            var (certPath, keyPath) = DeviceCertificates.WritePem(device, DeviceCertificates.TempDirectory());
            var transports = DesktopTransportFactory.FromPemFiles(f.Hub.CaCertificatePath, certPath, keyPath);

            var dps = new ProvisioningDeviceClient(f.Hub.Dps.Endpoint, f.Hub.Dps.IdScope, ProvisioningAttestation.X509("sdk-x509-e2e"), transports,
                DeviceConnector.Platform, new ProvisioningOptions { TimeoutMs = 10000 });
            DeviceRegistrationResult r = dps.Register();
            Assert.Equal("sdk-x509-e2e", r.DeviceId);

            var identity = IotHubConnectionString.ForX509(r.AssignedHub, r.DeviceId, null, "127.0.0.1:" + f.Hub.Port);
            var client = new DeviceClient(identity, transports, DeviceConnector.Platform, new DeviceClientOptions { ConnectTimeoutMs = 8000 });
            try
            {
                client.Open();
                Assert.True(client.SendTelemetry("{\"provisioned\":true}", "application/json").IsAccepted);
                Assert.Single(await f.Hub.WaitForTelemetryAsync("sdk-x509-e2e", 1, TimeSpan.FromSeconds(10)));
            }
            finally
            {
                client.Close();
            }
            Assert.Contains(f.Hub.GetEvents(), e => e.Kind == HubEventKind.Authenticated && e.DeviceId == "sdk-x509-e2e" && e.Reason.StartsWith("X.509 thumbprint"));
        }
    }
}
