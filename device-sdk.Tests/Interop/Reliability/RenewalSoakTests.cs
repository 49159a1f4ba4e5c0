// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
using System.Collections.Concurrent;
using System.Diagnostics;
using IotHubAmqp.Device.InteropTests.TestSupport;
using IotHubAmqp.Device.IotHub;
using IotHubAmqp.Device.Messaging;
using IotHubAmqp.Device.Platform;
using IotHubAmqp.LocalHub;
using Xunit.Abstractions;

namespace IotHubAmqp.Device.InteropTests.Reliability
{
    /// <summary>
    /// Renewal soak with CBS: 3 s tokens for two minutes while telemetry flows at 5 messages a second. The hub
    /// enforces expiry (it cuts a device whose token lapsed), so renewals that came late would show up there too.
    /// The PLAIN soak is in <see cref="PlainRenewalSoakTests"/>, a separate class so the two run in parallel.
    /// </summary>
    public class CbsRenewalSoakTests
    {
        private readonly ITestOutputHelper output;

        public CbsRenewalSoakTests(ITestOutputHelper output) => this.output = output;

        [Fact]
        public void Cbs_ThreeSecondTokensForTwoMinutes_NoDisconnectEveryRenewalBeforeExpiryTelemetryUninterrupted()
        {
            using var f = new HubFixture();
            var hubEvents = RenewalSoak.RecordHubEvents(f.Hub);
            var platform = new SigningRecorder(DeviceConnector.Platform);
            string cs = HubFixture.WithGateway(f.AddDevice("dev1"));
            var options = new DeviceClientOptions
            {
                Port = f.Hub.Port,
                TokenLifetimeSeconds = RenewalSoak.LifetimeSeconds,
                RenewalPoint = 0.5,
                RenewalJitter = 0.05,
                OperationTimeoutMs = 10000,
            };
            var client = new DeviceClient(cs, f.Transports, platform, options);
            var events = RenewalSoak.RecordStatus(client);
            client.Open();

            RenewalSoak.Run run = RenewalSoak.SendTelemetry(client, RenewalSoak.Duration, 5);
            int renewals = client.TokenRenewals;
            client.Close();

            string trail = RenewalSoak.Trail(events);
            Assert.True(client.Reconnects == 0, "reconnects: " + client.Reconnects + "\n" + trail);
            Assert.DoesNotContain(RenewalSoak.Snapshot(events), e => e.Status == ClientStatus.Reconnecting);
            Assert.DoesNotContain(RenewalSoak.Snapshot(events), e => e.Status == ClientStatus.TokenRenewalFailed);

            // One signature per token: the first in Open, then one per renewal. Each renewal (the moment its
            // put-token was answered) came before the previous token's expiry.
            var signings = platform.Signings;
            var renewed = RenewalSoak.Snapshot(events).Where(e => e.Status == ClientStatus.TokenRenewed).ToList();
            long expected = (long)(RenewalSoak.Duration.TotalSeconds / (RenewalSoak.LifetimeSeconds * 0.65)) - 2;
            Assert.True(renewed.Count >= expected, "renewals: " + renewed.Count + ", expected at least " + expected);
            // A renewal cut short by Close may have signed a token that never went out.
            Assert.InRange(signings.Count, renewed.Count + 1, renewed.Count + 2);
            Assert.Equal(renewals, renewed.Count);
            double minMarginMs = double.MaxValue;
            for (int k = 0; k < renewed.Count; k++)
            {
                DateTime previousExpiry = DateTime.UnixEpoch.AddSeconds(signings[k].Expiry);
                double margin = (previousExpiry - renewed[k].Time).TotalMilliseconds;
                Assert.True(margin > 0, "renewal " + (k + 1) + " came " + (-margin) + " ms after the previous token expired");
                minMarginMs = Math.Min(minMarginMs, margin);
            }

            // The hub's side: each put-token after the first was accepted before the previous token expired, it
            // never saw a lapsed token, and it closed nothing of this device as unauthorized.
            var putTokens = hubEvents.Where(e => e.Kind == HubEventKind.Authenticated && e.DeviceId == "dev1").ToList();
            Assert.InRange(putTokens.Count, renewed.Count + 1, signings.Count);
            for (int k = 1; k < putTokens.Count; k++)
            {
                DateTime previousExpiry = DateTime.UnixEpoch.AddSeconds(signings[k - 1].Expiry);
                Assert.True(putTokens[k].Time.UtcDateTime < previousExpiry, "put-token " + k + " reached the hub after the previous token expired");
            }
            RenewalSoak.AssertNoUnauthorizedClose(hubEvents, "dev1");

            // Telemetry: every send accepted (SendTelemetry asserts it), no stall, everything at the hub.
            Assert.True(run.MaxGap < TimeSpan.FromSeconds(2), "longest gap between accepted sends: " + run.MaxGap.TotalMilliseconds + " ms");
            RenewalSoak.AssertAllAtHub(f.Hub, "dev1", run.Ids);

            output.WriteLine($"CBS soak {RenewalSoak.Duration.TotalSeconds} s: messages {run.Ids.Count}, renewals {renewed.Count}, reconnects {client.Reconnects}, " +
                $"smallest margin before expiry {minMarginMs:0} ms, longest gap between accepted sends {run.MaxGap.TotalMilliseconds:0} ms, " +
                $"slowest send {run.SlowestSend.TotalMilliseconds:0} ms, sends over 250 ms {run.SlowSends}");
        }
    }

    /// <summary>
    /// Renewal soak with SASL PLAIN: 3 s tokens for two minutes. PLAIN binds the token to the connection, so each
    /// renewal is a planned reconnect (make-before-break); nothing else may reconnect and no message may be lost.
    /// </summary>
    public class PlainRenewalSoakTests
    {
        private readonly ITestOutputHelper output;

        public PlainRenewalSoakTests(ITestOutputHelper output) => this.output = output;

        [Fact]
        public void Plain_ThreeSecondTokensForTwoMinutes_PlannedReconnectsOnlyNoMessageLost()
        {
            using var f = new HubFixture();
            var hubEvents = RenewalSoak.RecordHubEvents(f.Hub);
            string cs = HubFixture.WithGateway(f.AddDevice("dev1"));
            var options = new DeviceClientOptions
            {
                Port = f.Hub.Port,
                Authentication = AuthenticationMode.SaslPlain,
                TokenLifetimeSeconds = RenewalSoak.LifetimeSeconds,
                RenewalPoint = 0.5,
                RenewalJitter = 0.05,
                OperationTimeoutMs = 10000,
            };
            var client = new DeviceClient(cs, f.Transports, DeviceConnector.Platform, options);
            var events = RenewalSoak.RecordStatus(client);
            client.Open();

            RenewalSoak.Run run = RenewalSoak.SendTelemetry(client, RenewalSoak.Duration, 5);
            int reconnects = client.Reconnects, renewals = client.TokenRenewals;
            client.Close();

            string trail = RenewalSoak.Trail(events);
            Assert.DoesNotContain(RenewalSoak.Snapshot(events), e => e.Status == ClientStatus.Reconnecting);
            Assert.DoesNotContain(RenewalSoak.Snapshot(events), e => e.Status == ClientStatus.TokenRenewalFailed);
            Assert.True(reconnects == renewals, $"reconnects {reconnects}, renewals {renewals}\n{trail}");
            long expected = (long)(RenewalSoak.Duration.TotalSeconds / (RenewalSoak.LifetimeSeconds * 0.65)) - 2;
            Assert.True(renewals >= expected, "planned reconnects: " + renewals + ", expected at least " + expected);
            RenewalSoak.AssertNoUnauthorizedClose(hubEvents, "dev1");
            RenewalSoak.AssertAllAtHub(f.Hub, "dev1", run.Ids);

            // Every replaced connection was closed: none is left at the hub once the client is closed.
            var deadline = DateTime.UtcNow.AddSeconds(5);
            while (f.Hub.GetDeviceConnectionCount("dev1") > 0 && DateTime.UtcNow < deadline) Thread.Sleep(20);
            Assert.Equal(0, f.Hub.GetDeviceConnectionCount("dev1"));

            var atHub = f.Hub.GetTelemetry("dev1").Select(t => t.MessageId).ToList();
            output.WriteLine($"PLAIN soak {RenewalSoak.Duration.TotalSeconds} s: messages {run.Ids.Count}, planned reconnects {reconnects}, renewals {renewals}, " +
                $"lost 0, duplicates {atHub.Count - atHub.Distinct().Count()}, longest gap between accepted sends {run.MaxGap.TotalMilliseconds:0} ms, " +
                $"slowest send {run.SlowestSend.TotalMilliseconds:0} ms, sends over 250 ms {run.SlowSends}");
        }
    }

    /// <summary>What the two renewal soaks share.</summary>
    internal static class RenewalSoak
    {
        public const int LifetimeSeconds = 3;

        /// <summary>Two minutes; RENEWAL_SOAK_SECONDS shortens or lengthens a run by hand.</summary>
        public static TimeSpan Duration =>
            TimeSpan.FromSeconds(int.TryParse(Environment.GetEnvironmentVariable("RENEWAL_SOAK_SECONDS"), out int s) && s > 0 ? s : 120);

        public sealed class Run
        {
            public List<string> Ids { get; } = new();

            public TimeSpan MaxGap { get; set; }

            public TimeSpan SlowestSend { get; set; }

            public int SlowSends { get; set; }
        }

        public static ConcurrentQueue<HubEvent> RecordHubEvents(LocalHub.LocalHub hub)
        {
            var q = new ConcurrentQueue<HubEvent>();
            hub.EventRaised += e => q.Enqueue(e);
            return q;
        }

        public static List<(DateTime Time, ClientStatus Status, string Reason)> RecordStatus(DeviceClient client)
        {
            var list = new List<(DateTime, ClientStatus, string)>();
            client.StatusChanged += (s, status, reason) =>
            {
                lock (list) list.Add((DateTime.UtcNow, status, reason));
            };
            return list;
        }

        /// <summary>A copy of the events taken under their lock: the dispatcher may still be adding (Closed).</summary>
        public static List<(DateTime Time, ClientStatus Status, string Reason)> Snapshot(List<(DateTime Time, ClientStatus Status, string Reason)> events)
        {
            lock (events) return new List<(DateTime, ClientStatus, string)>(events);
        }

        public static string Trail(List<(DateTime Time, ClientStatus Status, string Reason)> events)
        {
            lock (events) return string.Join("\n", events.Select(e => e.Time.ToString("HH:mm:ss.fff") + " " + e.Status + ": " + e.Reason));
        }

        /// <summary>Sends numbered messages at <paramref name="perSecond"/>; each must be accepted. Measures gaps between accepts.</summary>
        public static Run SendTelemetry(DeviceClient client, TimeSpan duration, int perSecond)
        {
            var run = new Run();
            var watch = Stopwatch.StartNew();
            TimeSpan lastAccepted = TimeSpan.Zero;
            int n = 0;
            while (watch.Elapsed < duration)
            {
                string id = "soak-" + n;
                var m = new Message(BitConverter.GetBytes(n)) { Properties = new MessageProperties { MessageId = id } };
                TimeSpan started = watch.Elapsed;
                SendResult r = client.SendTelemetry(m);
                Assert.True(r.IsAccepted, id + ": " + r);
                TimeSpan now = watch.Elapsed;
                run.Ids.Add(id);
                if (now - lastAccepted > run.MaxGap) run.MaxGap = now - lastAccepted;
                if (now - started > run.SlowestSend) run.SlowestSend = now - started;
                if (now - started > TimeSpan.FromMilliseconds(250)) run.SlowSends++;
                lastAccepted = now;
                n++;
                long wait = (long)(n * 1000.0 / perSecond) - watch.ElapsedMilliseconds;
                if (wait > 0) Thread.Sleep((int)wait);
            }
            return run;
        }

        public static void AssertNoUnauthorizedClose(IEnumerable<HubEvent> events, string deviceId)
        {
            var bad = events.Where(e => e.DeviceId == deviceId &&
                ((e.Kind is HubEventKind.Closed or HubEventKind.LinkClosed && (e.Reason ?? "").Contains("unauthorized", StringComparison.OrdinalIgnoreCase))
                 || e.Kind == HubEventKind.AuthenticationFailed)).ToList();
            Assert.True(bad.Count == 0, "the hub saw: " + string.Join(" | ", bad.Select(e => e.Kind + " " + e.Address + " " + e.Reason)));
        }

        public static void AssertAllAtHub(LocalHub.LocalHub hub, string deviceId, List<string> ids)
        {
            var atHub = new HashSet<string>(hub.GetTelemetry(deviceId).Select(t => t.MessageId));
            var missing = ids.Where(id => !atHub.Contains(id)).ToList();
            Assert.True(missing.Count == 0, missing.Count + " of " + ids.Count + " messages missing at the hub, first: " + missing.FirstOrDefault());
        }
    }

    /// <summary>
    /// The desktop platform, recording each SAS signature it makes: when, for which expiry (the string to sign
    /// ends in "\n" + expiry), and the signature itself (for the secrets scan).
    /// </summary>
    internal sealed class SigningRecorder : IPlatform
    {
        private readonly IPlatform inner;
        private readonly List<(DateTime Time, long Expiry, string Signature)> signings = new();

        public SigningRecorder(IPlatform inner) => this.inner = inner;

        public List<(DateTime Time, long Expiry, string Signature)> Signings
        {
            get { lock (signings) return signings.ToList(); }
        }

        public DateTime UtcNow => inner.UtcNow;

        public long TickMilliseconds => inner.TickMilliseconds;

        public byte[] HmacSha256(byte[] key, byte[] data)
        {
            byte[] mac = inner.HmacSha256(key, data);
            string text = System.Text.Encoding.UTF8.GetString(data);
            long expiry = long.Parse(text.Substring(text.LastIndexOf('\n') + 1), System.Globalization.CultureInfo.InvariantCulture);
            lock (signings) signings.Add((DateTime.UtcNow, expiry, Convert.ToBase64String(mac)));
            return mac;
        }
    }
}
