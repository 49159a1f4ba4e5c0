namespace IotHubAmqp.LocalHub.Tests;

/// <summary>DPS X.509 attestation, then the same certificate at the hub: Azure's Node clients end to end.</summary>
public partial class NodeClientTests
{
    [Fact]
    public async Task Node_x509_device_provisioned_by_dps_connects_to_the_hub_with_the_same_certificate()
    {
        RequireNodeModules();
        var folder = Directory.CreateTempSubdirectory("dps-x509-hub-").FullName;
        try
        {
            var self = DeviceCertificate(folder, "node-dps-ind", null);
            var ca = DeviceCertificate(folder, "ca-dps-fleet", null);
            var member = DeviceCertificate(folder, "node-dps-grp", ca.Cert);
            using var hub = Hubs.Start(o =>
            {
                o.Dps = new DpsOptions { IdScope = "0ne000X5092", RetryAfterSeconds = 0 };
                o.Dps.Enrollments.AddX509(self.Cert);
                o.Dps.Enrollments.AddX509Group("fleet", ca.Cert);
            });
            foreach (var (id, device) in new[] { ("node-dps-ind", self), ("node-dps-grp", member) })
            {
                var registered = await RunX509(hub, id, device.CertFile, device.KeyFile);
                Assert.True(registered.Exit == 0, registered.Out + registered.Err);
                Assert.Equal(device.Cert.Thumbprint, hub.Registry.X509Of(id)?.PrimaryThumbprint);

                var connected = await RunAsync(hub, "device-x509.js", new()
                {
                    ["DEVICE_CONNECTION_STRING"] = hub.X509ConnectionString(id),
                    ["CERT_PATH"] = device.CertFile,
                    ["KEY_PATH"] = device.KeyFile,
                });
                Assert.True(connected.Exit == 0, connected.Out + connected.Err);
                Assert.Single(await hub.WaitForTelemetryAsync(id, 1, ScriptTimeout));
            }
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
