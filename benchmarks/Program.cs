// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
using System.Diagnostics;

namespace IotHubAmqp.Benchmarks
{
    /// <summary>
    /// <c>dotnet run -c Release --project benchmarks -- --quick</c>: smoke test, every step once with small
    /// counts, no thresholds, prints <c>benchmark smoke: ok</c> and exits 0 when both clients completed every step.
    /// <c>-- --full [--out docs]</c>: the full run; writes performance.md and the PNG charts into the folder.
    /// <c>-- --peer</c>: the peer process (started by the other modes).
    /// <c>-- --features [--quick] [--out docs]</c>: direct methods and twin, ours against Lite (FeatureBench).
    /// <c>-- --batching [--out docs]</c>: batched telemetry and WebSocket overhead (its own section of performance.md).
    /// <c>-- --dps [--out docs]</c>: DPS registration time, requests and bytes, and the provisioning assembly's IL (<see cref="DpsBenchmark"/>).
    /// <c>-- --flash</c>: the flash figures only (IL per device assembly), no peer, no clients.
    /// </summary>
    internal static class Program
    {
        // Diagnostics: which types the allocation samples name over many 1 KB sends (one in flight, no TLS).
        private static int Allocs(bool ours)
        {
            using var peer = new PeerControl();
            var o = new ClientOptions("localhost", peer.PlainPort, false, 4096, peer.CaPemPath);
            using IBenchClient c = ours ? new OurClient(o) : new LiteClient(o);
            byte[] payload = new byte[1024];
            for (int i = 0; i < 2000; i++) c.Send(payload);
            using var sampler = new AllocationSampler();
            const int n = 50000;
            long before = GC.GetTotalAllocatedBytes(true);
            for (int i = 0; i < n; i++) c.Send(payload);
            long after = GC.GetTotalAllocatedBytes(true);
            Console.WriteLine($"{(after - before) / (double)n:F0} B per send; samples (about one per 100 KB):");
            foreach (var kv in sampler.Samples.OrderByDescending(kv => kv.Value)) Console.WriteLine($"{kv.Value,6}  {kv.Key}");
            peer.Dispose();
            Environment.Exit(0);
            return 0;
        }

        // Diagnostics: estimated bytes per type reachable from an open engine client (telemetry sender + C2D receiver).
        private static int Breakdown()
        {
            using var peer = new PeerControl();
            using var warm = new OurClient(new ClientOptions("localhost", peer.PlainPort, false, 4096, peer.CaPemPath, "c2d", 2));
            using var c = new OurClient(new ClientOptions("localhost", peer.PlainPort, false, 4096, peer.CaPemPath, "c2d", 2));
            Thread.Sleep(300);
            var rows = HeapWalk.ByType(c);
            foreach (var (type, bytes, count) in rows.Take(25)) Console.WriteLine($"{bytes,8} {count,5}  {type}");
            Console.WriteLine($"{rows.Sum(r => r.Bytes),8} total (engine client)");
            string cs = "HostName=bench-hub.azure-devices.net;DeviceId=bench-device;SharedAccessKey=" + Convert.ToBase64String(new byte[32]) + ";GatewayHostName=127.0.0.1";
            var options = new IotHubAmqp.Device.IotHub.DeviceClientOptions { MaxFrameSize = 4096, Port = peer.PlainPort };
            var client = new IotHubAmqp.Device.IotHub.DeviceClient(cs, new Measurements.PlainFactory(peer.CaPemPath), OurClient.Platform, options);
            client.Open();
            Thread.Sleep(300);
            rows = HeapWalk.ByType(client);
            foreach (var (type, bytes, count) in rows.Take(25)) Console.WriteLine($"{bytes,8} {count,5}  {type}");
            Console.WriteLine($"{rows.Sum(r => r.Bytes),8} total (DeviceClient)");
            client.Close();
            peer.Dispose();
            Environment.Exit(0);
            return 0;
        }

        public static int Main(string[] args)
        {
            if (args.Contains("--peer")) return PeerProcess.Run();
            if (args.Contains("--breakdown")) return Breakdown();
            if (args.Contains("--allocs")) return Allocs(!args.Contains("--lite"));
            if (args.Contains("--features"))
            {
                int at = Array.IndexOf(args, "--out");
                int rc = FeatureBench.Run(args.Contains("--quick"), at >= 0 && at + 1 < args.Length ? args[at + 1] : null);
                Environment.Exit(rc); // the DeviceClient's own threads are foreground threads
            }
            if (args.Contains("--batching")) return BatchingBenchmark.Run(args);
            if (args.Contains("--dps"))
            {
                int o = Array.IndexOf(args, "--out");
                int code = DpsBenchmark.Run(o >= 0 && o + 1 < args.Length ? args[o + 1] : null);
                Environment.Exit(code);
                return code;
            }
            if (args.Contains("--window"))
            {
                int at = Array.IndexOf(args, "--window");
                int rounds = at + 1 < args.Length && int.TryParse(args[at + 1], out int r) ? r : 3;
                int ms = at + 2 < args.Length && int.TryParse(args[at + 2], out int t) ? t : 2000;
                using var wpeer = new PeerControl();
                new Measurements(wpeer, new Scale(false), line => Console.WriteLine("  " + line)).WindowThroughput(rounds, ms, at + 3 < args.Length ? args[at + 3] : null, args.Contains("--ours-only"));
                wpeer.Dispose();
                Environment.Exit(0); // the DeviceClient's own threads are foreground threads
            }
            if (args.Contains("--flash"))
            {
                var flash = new Measurements(null, new Scale(true), line => Console.WriteLine("  " + line));
                flash.Flash();
                foreach (Row r in flash.Rows) Console.WriteLine($"{r.Measure}: {r.Ours} {r.Unit} (Lite {r.Lite}) {r.Note}");
                return 0;
            }
            bool quick = !args.Contains("--full");
            int outIndex = Array.IndexOf(args, "--out");
            string outDir = outIndex >= 0 && outIndex + 1 < args.Length ? args[outIndex + 1] : null;
            var total = Stopwatch.StartNew();
            var scale = new Scale(quick);
            using var peer = new PeerControl();
            var m = new Measurements(peer, scale, line => Console.WriteLine("  " + line));
            var steps = new (string Name, Action Run)[]
            {
                ("retained heap", m.RetainedHeap),
                ("flash proxy", m.Flash),
                ("object graph estimate", m.ObjectGraphs),
                ("heap and wire per message", m.PerMessage),
                ("throughput", m.MeasureThroughput),
                ("round trips", m.RoundTrips),
                ("frame sizes", m.Frames),
                ("C2D prefetch", m.Prefetch),
            };
            foreach (var (name, run) in steps)
            {
                var sw = Stopwatch.StartNew();
                Console.WriteLine("== " + name);
                try
                {
                    run();
                }
                catch (Exception e)
                {
                    Console.WriteLine($"step '{name}' failed: {e}");
                    Console.WriteLine("benchmark smoke: failed");
                    peer.Dispose();
                    // The DeviceClient's own threads are foreground threads: leave without waiting for them.
                    Environment.Exit(1);
                }
                Console.WriteLine($"   ({sw.Elapsed.TotalSeconds:F1} s)");
            }
            Console.WriteLine();
            foreach (Row r in m.Rows)
                Console.WriteLine($"{r.Group,-12} {r.Measure}: ours {Report.Format(r.Ours)} {r.Unit}, Lite {Report.Format(r.Lite)} {r.Unit}, ratio {r.Ratio:F2}");
            if (!quick && outDir != null)
            {
                Report.Write(m, outDir, total.Elapsed);
                Console.WriteLine("wrote " + Path.Combine(outDir, "performance.md"));
            }
            Console.WriteLine($"benchmark {(quick ? "smoke" : "full")}: ok ({total.Elapsed.TotalSeconds:F1} s)");
            if (quick) Console.WriteLine("benchmark smoke: ok");
            peer.Dispose();
            Environment.Exit(0);
            return 0;
        }
    }
}
