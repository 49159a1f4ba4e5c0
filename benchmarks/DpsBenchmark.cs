// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
using System.Diagnostics;
using System.Globalization;
using IotHubAmqp.Device.Platform;
using IotHubAmqp.Device.Platform.Desktop;
using IotHubAmqp.Device.Provisioning;
using IotHubAmqp.LocalHub;

namespace IotHubAmqp.Benchmarks
{
    /// <summary>
    /// <c>-- --dps [--out docs]</c>: DPS registrations of the SDK against the local DPS on loopback (TLS on): wall time,
    /// requests, AMQP writes and bytes per registration, and the IL of the provisioning assembly. With --out it
    /// rewrites its own section of performance.md below the feature marker.
    /// </summary>
    internal static class DpsBenchmark
    {
        private const string Begin = "<!-- feature: dps -->";
        private const string End = "<!-- /feature: dps -->";
        private const int Warmup = 3;
        private const int Count = 30;

        private sealed class Counting : ITransportFactory
        {
            private readonly ITransportFactory inner;
            public Counting(ITransportFactory inner) => this.inner = inner;
            public CountingTransport Last;
            public ITransport Connect(string host, int port, bool useTls, int timeoutMilliseconds) =>
                Last = new CountingTransport(inner.Connect(host, port, useTls, timeoutMilliseconds));
        }

        public static int Run(string outDir)
        {
            var options = new LocalHubOptions { Port = 0, HubName = "bench-hub", Dps = new DpsOptions { IdScope = "0ne00BENCH1", RetryAfterSeconds = 0 } };
            using var hub = new LocalHub.LocalHub(options);
            hub.Start();
            var factory = new Counting(DesktopTransportFactory.FromPemFile(hub.CaCertificatePath));
            IPlatform platform = OurClient.Platform;
            string groupKey = hub.Dps.Enrollments.AddGroup("bench");
            var lines = new List<string>();
            foreach (bool group in new[] { false, true })
            {
                var ms = new List<double>();
                long writes = 0, sent = 0, received = 0;
                int requests = 0;
                for (int i = 0; i < Warmup + Count; i++)
                {
                    string id = (group ? "grp-" : "ind-") + i.ToString(CultureInfo.InvariantCulture);
                    ProvisioningAttestation a = group
                        ? ProvisioningAttestation.SymmetricKeyGroup(id, groupKey, platform)
                        : ProvisioningAttestation.SymmetricKey(id, hub.Dps.Enrollments.AddIndividual(id));
                    var dps = new ProvisioningDeviceClient(hub.Dps.Endpoint, hub.Dps.IdScope, a, factory, platform);
                    var sw = Stopwatch.StartNew();
                    DeviceRegistrationResult r = dps.Register();
                    sw.Stop();
                    if (i < Warmup) continue;
                    ms.Add(sw.Elapsed.TotalMilliseconds);
                    writes += factory.Last.SendCalls;
                    sent += factory.Last.BytesSent;
                    received += factory.Last.BytesReceived;
                    requests = r.RoundTrips;
                }
                ms.Sort();
                string line = string.Format(CultureInfo.InvariantCulture,
                    "- {0}: median {1:F1} ms, p90 {2:F1} ms per registration (connect, TLS, SASL, register, one poll, close); {3} DPS requests; {4:F1} AMQP writes, {5:F0} B sent, {6:F0} B received",
                    group ? "group enrollment (key derived on the device)" : "individual enrollment", ms[ms.Count / 2], ms[ms.Count * 9 / 10], requests,
                    writes / (double)Count, sent / (double)Count, received / (double)Count);
                Console.WriteLine(line);
                lines.Add(line);
            }
            lines.Add(RoundTrips(hub, platform));
            string dll = typeof(ProvisioningDeviceClient).Assembly.Location;
            var (il, methods) = Measurements.IlSize(dll);
            string ilLine = string.Format(CultureInfo.InvariantCulture, "- IL of IotHubAmqp.Device.Provisioning.dll: {0:N0} B in {1} method bodies (optional: only a device that provisions deploys it)", il, methods);
            Console.WriteLine(ilLine);
            lines.Add(ilLine);
            if (outDir != null) WriteSection(Path.Combine(outDir, "performance.md"), lines);
            return 0;
        }

        private const int DelayMs = 25;

        // Round trips counted by time: a proxy holds each chunk DelayMs each way, so every round trip costs 2 x DelayMs.
        private static string RoundTrips(LocalHub.LocalHub hub, IPlatform platform)
        {
            var proxy = new Proxy(hub.Dps.Port, DelayMs);
            var factory = DesktopTransportFactory.FromPemFile(hub.CaCertificatePath);
            var connect = new List<double>();
            var register = new List<double>();
            for (int i = 0; i < 6; i++)
            {
                var sw = Stopwatch.StartNew();
                factory.Connect("127.0.0.1", proxy.Port, true, 10000).Close();
                connect.Add(sw.Elapsed.TotalMilliseconds);
                string id = "rtt-" + i.ToString(CultureInfo.InvariantCulture);
                var a = ProvisioningAttestation.SymmetricKey(id, hub.Dps.Enrollments.AddIndividual(id));
                var dps = new ProvisioningDeviceClient("127.0.0.1:" + proxy.Port, hub.Dps.IdScope, a, factory, platform);
                sw.Restart();
                dps.Register();
                register.Add(sw.Elapsed.TotalMilliseconds);
            }
            connect.RemoveAt(0);
            register.RemoveAt(0);
            connect.Sort();
            register.Sort();
            double rtt = 2.0 * DelayMs;
            double c = connect[connect.Count / 2] / rtt, r = register[register.Count / 2] / rtt;
            string line = string.Format(CultureInfo.InvariantCulture,
                "- round trips with {0} ms added each way (RTT {1} ms): {2:F2} RTT per registration in all, of which TCP connect and TLS {3:F2}, so {4:F2} after TLS (the floor: 4)",
                DelayMs, rtt, r, c, r - c);
            Console.WriteLine(line);
            return line;
        }

        private static void WriteSection(string path, List<string> lines)
        {
            string section = Begin + "\n## Device Provisioning Service registration (`--dps`)\n\n"
                + $"{Count} registrations each (after {Warmup} warm-up), our SDK against the local DPS over TLS on loopback, `retry-after` 0, so "
                + "the time is the protocol's own: after TLS, SASL PLAIN (header and init pipelined) is round trip 1; header, open, begin "
                + "and both attaches go in one flight (round trip 2); the register request leaves on the credit that answers them "
                + "(round trip 3, DPS answers `assigning`); the status poll is round trip 4 (`assigned`). Against the real DPS each poll "
                + "also waits the `retry-after` DPS asks for (seconds).\n\n"
                + string.Join("\n", lines) + "\n" + End + "\n";
            Report.WriteFeatureSection(path, Begin, End, section);
            Console.WriteLine("wrote the DPS section of " + path);
        }
    }
}
