// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
using IotHubAmqp.Device.InteropTests.TestSupport;
using IotHubAmqp.Device.IotHub;
using IotHubAmqp.Device.Messaging;
using IotHubAmqp.Device.Twin;

namespace IotHubAmqp.Device.InteropTests.Twin
{
    /// <summary>Our SDK as a module identity (its own key, <c>ModuleId=</c>) against the local hub over TLS: telemetry, a method, the module twin.</summary>
    public class ModuleClientTests
    {
        private const int TimeoutMs = 10000;

        [Theory]
        [InlineData(AuthenticationMode.Cbs)]
        [InlineData(AuthenticationMode.SaslPlain)]
        public async Task Module_TelemetryMethodAndTwin_OnModuleAddresses(AuthenticationMode mode)
        {
            using var f = new HubFixture();
            string device = "dev-mod-" + (int)mode;
            f.Hub.Registry.AddDevice(device);
            f.Hub.Registry.AddModule(device, "sensor");
            string cs = f.Hub.ModuleConnectionString(device, "sensor");
            var client = new DeviceClient(cs, f.Transports, DeviceConnector.Platform, new DeviceClientOptions { Port = f.Hub.Port, Authentication = mode });
            var twin = new DeviceTwinClient(client, true, true);
            twin.AddMethodCallback("ping", (name, payload) => new MethodResponse(200, "{\"pong\":true}"));
            client.Open();
            Assert.Equal(ClientStatus.Connected, client.Status);
            // A module has no cloud-to-device queue.
            Assert.Contains("module", Assert.Throws<InvalidOperationException>(() => client.ReceiveCloudToDevice(1, 100)).Message);

            var m = new Message(new byte[] { 1, 2, 3 }) { Properties = new MessageProperties { MessageId = "mod-1" } };
            Assert.Equal(SendOutcome.Accepted, client.SendTelemetry(m).Outcome);
            var stored = await f.Hub.WaitForTelemetryAsync(device, 1, TimeSpan.FromSeconds(10));
            Assert.Equal("sensor", stored[0].ModuleId);

            var (http, status, json) = await f.Hub.InvokeMethodAsync(device, "sensor", "ping", "{}", TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(5));
            Assert.Equal(200, http);
            Assert.Equal(200, status);
            Assert.Contains("pong", json);
            // The device itself has no methods link: the module's answer came on the module's address.
            var (httpDevice, _, _) = await f.Hub.InvokeMethodAsync(device, null, "ping", "{}", TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(5));
            Assert.Equal(404, httpDevice);

            var patch = new TwinCollection();
            patch["firmware"] = "1.2";
            long version = twin.UpdateReportedProperties(patch, TimeoutMs);
            Assert.True(version >= 2, "reported version " + version);
            Assert.Contains("\"firmware\":\"1.2\"", f.Hub.GetTwinJson(device, "sensor"));
            Assert.DoesNotContain("firmware", f.Hub.GetTwinJson(device));
            client.Close();
        }
    }
}
