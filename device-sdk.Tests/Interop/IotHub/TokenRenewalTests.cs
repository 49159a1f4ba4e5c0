// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
using System.Diagnostics;
using IotHubAmqp.Device.InteropTests.TestSupport;
using IotHubAmqp.Device.IotHub;

namespace IotHubAmqp.Device.InteropTests.IotHub
{
    /// <summary>
    /// Renewal against a hub that enforces token expiry: CBS renews in place, PLAIN reconnects as planned, and a
    /// client that does not renew is cut off (which shows the first two tests can fail).
    /// </summary>
    public class TokenRenewalTests
    {
        [Fact]
        public void Cbs_FiveSecondTokens_ThirtySecondsOfTelemetry_NoDisconnectEveryMessageAccepted()
        {
            using var f = new HubFixture();
            var options = new DeviceClientOptions { TokenLifetimeSeconds = 5, RenewalPoint = 0.8 };
            DeviceClient client = f.Client("dev1", options, out var events);
            client.Open();
            int sent = RunTelemetry(client, TimeSpan.FromSeconds(30), 10);

            Assert.True(client.Reconnects == 0, string.Join(" | ", events.Select(e => e.Status + ": " + e.Reason)));
            Assert.DoesNotContain(events, e => e.Status == ClientStatus.Reconnecting);
            Assert.True(client.TokenRenewals >= 6, "renewals: " + client.TokenRenewals);
            Assert.Equal(sent, f.Hub.GetTelemetry("dev1").Select(t => t.MessageId).Distinct().Count());
            client.Close();
        }

        [Fact]
        public void Plain_FiveSecondTokens_PlannedReconnectsOnlyNoMessageLost()
        {
            using var f = new HubFixture();
            var options = new DeviceClientOptions { Authentication = AuthenticationMode.SaslPlain, TokenLifetimeSeconds = 5, RenewalPoint = 0.8 };
            DeviceClient client = f.Client("dev1", options, out var events);
            client.Open();
            int sent = RunTelemetry(client, TimeSpan.FromSeconds(15), 10);

            Assert.True(client.Reconnects >= 2, "planned reconnects: " + client.Reconnects);
            Assert.True(client.Reconnects == client.TokenRenewals, string.Join(" | ", events.Select(e => e.Status + ": " + e.Reason)));
            Assert.Equal(client.Reconnects, client.TokenRenewals);
            Assert.DoesNotContain(events, e => e.Status == ClientStatus.Reconnecting);
            Assert.Equal(sent, f.Hub.GetTelemetry("dev1").Select(t => t.MessageId).Distinct().Count());
            client.Close();
        }

        [Fact]
        public void RenewalOff_HubCutsTheClientAtExpiry()
        {
            using var f = new HubFixture();
            var options = new DeviceClientOptions { TokenLifetimeSeconds = 3, RenewTokens = false, Retry = new RetryPolicy { MinDelayMs = 100, MaxDelayMs = 500 } };
            DeviceClient client = f.Client("dev1", options, out var events);
            // The token is signed inside Open: time its life from there.
            var watch = Stopwatch.StartNew();
            client.Open();
            while (client.Reconnects == 0 && watch.Elapsed < TimeSpan.FromSeconds(15)) Thread.Sleep(50);
            Assert.True(client.Reconnects >= 1, "the hub must cut a client whose token expired");
            Assert.True(watch.Elapsed.TotalSeconds > 1.5 && watch.Elapsed.TotalSeconds < 10, watch.Elapsed.TotalSeconds + " s: " + string.Join(" | ", events.Select(e => e.Status + ": " + e.Reason)));
            Assert.Contains(events, e => e.Status == ClientStatus.Reconnecting && e.Reason.Contains("unauthorized-access"));
            client.Close();
        }

        [Fact]
        public void SuppliedToken_NoKeyOnTheDevice_RenewedThroughTheCallbackWithoutDisconnect()
        {
            using var f = new HubFixture();
            f.AddDevice("dev1");
            string first = f.Hub.CreateDeviceToken("dev1", TimeSpan.FromSeconds(4));
            string cs = "HostName=" + f.Hub.HostName + ";DeviceId=dev1;SharedAccessSignature=" + first + ";GatewayHostName=127.0.0.1:" + f.Hub.Port;
            int asked = 0;
            var options = new DeviceClientOptions
            {
                RenewalPoint = 0.6,
                CbsTokenType = "azure-devices.net:sastoken",
                TokenRenewal = (audience, expiry) =>
                {
                    Interlocked.Increment(ref asked);
                    Assert.Equal(f.Hub.HostName + "/devices/dev1", audience);
                    return f.Hub.CreateDeviceToken("dev1", TimeSpan.FromSeconds(4));
                },
            };
            var client = new DeviceClient(cs, f.Transports, DeviceConnector.Platform, options);
            var events = new System.Collections.Concurrent.ConcurrentQueue<ClientStatus>();
            client.StatusChanged += (s, status, reason) => events.Enqueue(status);
            client.Open();
            int sent = RunTelemetry(client, TimeSpan.FromSeconds(10), 10);
            Assert.True(asked >= 2, "callback calls: " + asked);
            Assert.Equal(0, client.Reconnects);
            Assert.DoesNotContain(ClientStatus.Reconnecting, events);
            Assert.Equal(sent, f.Hub.GetTelemetry("dev1").Count);
            client.Close();
        }

        // Sends at the given rate for the given time; every send must be accepted. Returns how many were sent.
        internal static int RunTelemetry(DeviceClient client, TimeSpan duration, int perSecond)
        {
            var watch = Stopwatch.StartNew();
            int sent = 0;
            while (watch.Elapsed < duration)
            {
                SendResult r = client.SendTelemetry(BitConverter.GetBytes(sent));
                Assert.True(r.IsAccepted, "message " + sent + ": " + r);
                sent++;
                long due = (long)(sent * 1000.0 / perSecond);
                long wait = due - watch.ElapsedMilliseconds;
                if (wait > 0) Thread.Sleep((int)wait);
            }
            return sent;
        }
    }
}
