// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
using System.Collections.Concurrent;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using IotHubAmqp.Device.InteropTests.TestSupport;
using IotHubAmqp.Device.IotHub;
using IotHubAmqp.Device.Twin;
using DeviceTwin = IotHubAmqp.Device.Twin.Twin;

namespace IotHubAmqp.Device.InteropTests.Twin
{
    /// <summary>Direct methods and the twin of our SDK against the local hub over TLS (validation on), driven from the hub's service side.</summary>
    public class DeviceTwinClientTests
    {
        private const int TimeoutMs = 10000;

        private static HttpClient Rest(LocalHub.LocalHub hub)
        {
            var handler = new SocketsHttpHandler();
            X509Certificate2 ca = hub.CaCertificate;
            handler.SslOptions.RemoteCertificateValidationCallback = (_, cert, _, errors) =>
            {
                if (cert is null || (errors & ~SslPolicyErrors.RemoteCertificateChainErrors) != SslPolicyErrors.None) return false;
                using var chain = new X509Chain();
                chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
                chain.ChainPolicy.CustomTrustStore.Add(ca);
                chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
                return chain.Build(new X509Certificate2(cert));
            };
            var http = new HttpClient(handler) { BaseAddress = new Uri($"https://localhost:{hub.RestPort}"), Timeout = TimeSpan.FromSeconds(30) };
            http.DefaultRequestHeaders.TryAddWithoutValidation("Authorization", hub.CreateServiceToken(TimeSpan.FromHours(1)));
            return http;
        }

        [Fact]
        public async Task MethodCall_FromService_AnsweredByDevice()
        {
            using var f = new HubFixture();
            DeviceClient client = f.Client("dev-m", null, out _);
            var twin = new DeviceTwinClient(client, true, false);
            twin.AddMethodCallback("add", (name, payload) => new MethodResponse(201, "{\"echo\":" + payload + "}"));
            client.Open();
            var (http, device, json) = await f.Hub.InvokeMethodAsync("dev-m", null, "add", "{\"a\":1}", TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(5));
            Assert.Equal(200, http);
            Assert.Equal(201, device);
            Assert.Contains("\"echo\"", json);
            var (http2, device2, _) = await f.Hub.InvokeMethodAsync("dev-m", null, "nobody", "{}", TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(5));
            Assert.Equal(200, http2);
            Assert.Equal(501, device2);
            client.Close();
        }

        [Fact]
        public async Task Twin_GetPatchReportedAndDesiredNotification()
        {
            using var f = new HubFixture();
            DeviceClient client = f.Client("dev-t", null, out _);
            var twin = new DeviceTwinClient(client, false, true);
            var updates = new BlockingCollection<TwinCollection>();
            twin.TwinUpdated += (sender, desired) => updates.Add(desired);
            client.Open();

            DeviceTwin t = twin.GetTwin(TimeoutMs);
            long before = t.Properties.Reported.Version;
            var patch = new TwinCollection();
            patch["temperature"] = 21.5;
            long version = twin.UpdateReportedProperties(patch, TimeoutMs);
            Assert.True(version > before || version == -1, "version " + version + " after " + before);
            Assert.Equal(21.5, twin.GetTwin(TimeoutMs).Properties.Reported["temperature"]);

            using HttpClient rest = Rest(f.Hub);
            var response = await rest.PatchAsync("/twins/dev-t?api-version=2021-04-12",
                new StringContent("{\"properties\":{\"desired\":{\"interval\":30}}}", Encoding.UTF8, "application/json"));
            Assert.True(response.IsSuccessStatusCode, response.StatusCode + ": " + await response.Content.ReadAsStringAsync());
            Assert.True(updates.TryTake(out TwinCollection desired, TimeSpan.FromSeconds(10)), "no desired notification");
            Assert.Equal(30L, desired["interval"]);
            Assert.True(desired.Version > t.Properties.Desired.Version);
            client.Close();
        }

        [Fact]
        public async Task HubThrottlesTwin_CallerGets429_AndTheTwinKeepsWorking()
        {
            // One twin request per second, burst two: the connect's subscription and resync read use the burst.
            using var f = new HubFixture(o => o.TwinOperationsPerSecondPerIdentity = 1);
            DeviceClient client = f.Client("dev-429", null, out _);
            var twin = new DeviceTwinClient(client, false, true);
            client.Open();
            var e = Assert.Throws<IotHubStatusException>(() => twin.GetTwin(TimeoutMs));
            Assert.Equal(429, e.Status);
            Assert.True(e.IsTransient);
            Assert.Contains("429", e.Message);
            await Task.Delay(2500);
            Assert.Equal(1, twin.GetTwin(TimeoutMs).Properties.Desired.Version);
            Assert.Equal(ClientStatus.Connected, client.Status);
            client.Close();
        }

        [Fact]
        public async Task Reconnect_DesiredChangeWhileAway_RaisedOnceBack()
        {
            using var f = new HubFixture();
            DeviceClient client = f.Client("dev-r", new DeviceClientOptions { Retry = new RetryPolicy { MinDelayMs = 2000, MaxDelayMs = 2000 } }, out _);
            var twin = new DeviceTwinClient(client, false, true);
            var updates = new BlockingCollection<TwinCollection>();
            twin.TwinUpdated += (sender, desired) => updates.Add(desired);
            client.Open();
            twin.GetTwin(TimeoutMs);
            // The device is away (its connection dropped, the reconnect waits 2 s) while the service changes desired.
            Assert.True(f.Hub.AbortDeviceConnections("dev-r") > 0);
            using HttpClient rest = Rest(f.Hub);
            var response = await rest.PatchAsync("/twins/dev-r?api-version=2021-04-12",
                new StringContent("{\"properties\":{\"desired\":{\"mode\":\"eco\"}}}", Encoding.UTF8, "application/json"));
            Assert.True(response.IsSuccessStatusCode, response.StatusCode + ": " + await response.Content.ReadAsStringAsync());
            Assert.True(updates.TryTake(out TwinCollection desired, TimeSpan.FromSeconds(15)), "the change made while away was not raised");
            Assert.Equal("eco", desired.GetByPath("mode"));
            Assert.False(updates.TryTake(out _, TimeSpan.FromSeconds(1)), "raised twice");
            client.Close();
        }
    }
}
