// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
using System.Diagnostics;
using System.Net.Sockets;
using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using IotHubAmqp.Device.IotHub;
using IotHubAmqp.Device.Platform;
using IotHubAmqp.Device.Platform.Desktop;

namespace IotHubAmqp.Benchmarks
{
    /// <summary>One figure for both libraries.</summary>
    internal sealed record Row(string Group, string Measure, string Unit, double Ours, double Lite, string Note = "")
    {
        /// <summary>A short name the targets section looks figures up by.</summary>
        public string Key { get; init; }

        public double Ratio => Lite == 0 || double.IsNaN(Lite) ? double.NaN : Ours / Lite;
    }

    /// <summary>Settings that differ between the quick smoke test and the full run.</summary>
    internal sealed record Scale(bool Quick)
    {
        public int ThroughputMs => Quick ? 300 : 3000;
        public int Rounds => Quick ? 1 : 3;
        public int TargetRounds => Quick ? 1 : 7; // the public window-16 rows issue 10 judges
        public int HeapSends => Quick ? 200 : 3000;
        public int DelayMs => Quick ? 10 : 50;
        public int RoundTripRepeats => Quick ? 1 : 3;
        public int[] MessageSizes => Quick ? new[] { 16, 1024, 16 * 1024 } : new[] { 16, 256, 1024, 4096, 16 * 1024, 64 * 1024, 256 * 1024 };
        public uint[] FrameSizes => Quick ? new uint[] { 512, 4096 } : new uint[] { 512, 1024, 4096, 16 * 1024, 64 * 1024 };
        public uint[] Prefetch => Quick ? new uint[] { 1, 10 } : new uint[] { 1, 2, 5, 10, 20, 50 };
    }

    /// <summary>The measurements of issue 6. Each runs the same work with both clients against the same peer.</summary>
    internal sealed class Measurements
    {
        public const int TelemetryBytes = 1024;
        public const uint DeviceFrameSize = 4096;

        private readonly PeerControl peer;
        private readonly Scale scale;
        private readonly Action<string> log;
        private readonly int plainProxy;

        public Measurements(PeerControl peer, Scale scale, Action<string> log)
        {
            this.peer = peer;
            this.scale = scale;
            this.log = log;
            // Null for --flash, which measures assemblies only.
            plainProxy = peer == null ? 0 : peer.Proxy(peer.PlainPort, 0);
        }

        public List<Row> Rows { get; } = new();

        /// <summary>Message size, then ours/Lite bytes allocated and written per message.</summary>
        public List<(int Size, double OurAlloc, double LiteAlloc, double OurWire, double LiteWire, double OurWrites, double LiteWrites)> MessageScale { get; } = new();

        public List<(uint Frame, double OurRetained, double LiteRetained, double OurWire, double LiteWire, double OurWrites, double LiteWrites)> FrameScale { get; } = new();

        public List<(uint Prefetch, double OurRetained, double LiteRetained)> PrefetchScale { get; } = new();

        public List<(string Label, double Ours, double Lite)> Throughput { get; } = new();

        public List<(string Step, long Bytes)> RetainedSteps { get; } = new();

        /// <summary>Estimated bytes reachable from an open client (HeapWalk), and how much of it is byte[] buffers.</summary>
        public (long Total, long Buffers) EngineGraph { get; private set; }

        public (long Total, long Buffers) DeviceClientGraph { get; private set; }

        public Row this[string key] => Rows.First(r => r.Key == key);

        /// <summary>Where an open client's bytes go: an estimate from its object graph (not a measurement of the heap).</summary>
        public void ObjectGraphs()
        {
            using (var c = Create(true, Options(peer.PlainPort, false, DeviceFrameSize, "c2d", 2)))
            {
                Thread.Sleep(200);
                EngineGraph = Sum(HeapWalk.ByType(c));
            }
            string cs = "HostName=bench-hub.azure-devices.net;DeviceId=bench-device;SharedAccessKey=" + Convert.ToBase64String(new byte[32]) + ";GatewayHostName=127.0.0.1";
            var client = new DeviceClient(cs, new PlainFactory(peer.CaPemPath), OurClient.Platform, new DeviceClientOptions { MaxFrameSize = DeviceFrameSize, Port = peer.PlainPort });
            client.Open();
            Thread.Sleep(200);
            DeviceClientGraph = Sum(HeapWalk.ByType(client));
            client.Close();
            log($"object graph estimate: engine client {EngineGraph.Total} B ({EngineGraph.Buffers} B in byte[]), DeviceClient {DeviceClientGraph.Total} B ({DeviceClientGraph.Buffers} B in byte[])");
        }

        private static (long, long) Sum(List<(string Type, long Bytes, int Count)> rows) =>
            (rows.Sum(r => r.Bytes), rows.Where(r => r.Type == "System.Byte[]").Sum(r => r.Bytes));

        private ClientOptions Options(int port, bool tls, uint frame = DeviceFrameSize, string c2d = null, uint prefetch = 1) =>
            new("localhost", port, tls, frame, peer.CaPemPath, c2d, prefetch);

        private static IBenchClient Create(bool ours, ClientOptions o) => ours ? new OurClient(o) : new LiteClient(o);

        private static IBenchClient Create(bool ours, bool publicClient, ClientOptions o) => ours && publicClient ? new PublicClient(o) : Create(ours, o);

        // ---- 2b. retained heap: must run first, before either library has made a connection in this process ----

        public void RetainedHeap()
        {
            // Sockets, TLS and thread-pool statics belong to neither library: warm them with a raw connection.
            using (var warm = new TcpClient())
            {
                warm.Connect("127.0.0.1", peer.PlainPort);
            }
            Thread.Sleep(200);

            var client = DeviceClientFirst(out long deviceClientFirst);
            long liteFirst = Retained(() => Create(false, Options(peer.PlainPort, false, DeviceFrameSize, "c2d", 2)), out var liteClient);
            double oursSecond = RetainedEach(() => Create(true, Options(peer.PlainPort, false, DeviceFrameSize, "c2d", 2)));
            double liteSecond = RetainedEach(() => Create(false, Options(peer.PlainPort, false, DeviceFrameSize, "c2d", 2)));
            Rows.Add(new Row("heap", "retained by the first open client in the process: telemetry sender + C2D receiver, 4 KB frames, TLS off", "bytes", deviceClientFirst, liteFirst,
                "ours: the public DeviceClient (CBS sender + receiver too, 2 threads of its own); Lite: Connection + Session + SenderLink + ReceiverLink") { Key = "retainedFirst" });
            Rows.Add(new Row("heap", "retained by each further open client (statics loaded; median of 3 slopes over k more open at once): engine Connection + Session + sender + receiver", "bytes", oursSecond, liteSecond) { Key = "retainedFurther" });
            OurClient.Breakdown = new List<(string, long)>();
            using (var diag = Create(true, Options(peer.PlainPort, false, DeviceFrameSize, "c2d", 2)))
            {
                for (int i = 1; i < OurClient.Breakdown.Count; i++)
                {
                    var (step, bytes) = OurClient.Breakdown[i];
                    RetainedSteps.Add((step, bytes - OurClient.Breakdown[i - 1].Bytes));
                    log($"  retained by step '{step}': {bytes - OurClient.Breakdown[i - 1].Bytes} B");
                }
                OurClient.Breakdown = null;
            }
            log($"retained: DeviceClient first {deviceClientFirst} B, Lite first {liteFirst} B; engine {oursSecond:F0} B, Lite again {liteSecond:F0} B");
            client.Close();
            liteClient.Dispose();
        }

        private DeviceClient DeviceClientFirst(out long retained)
        {
            // The public client, CBS against the peer's $cbs responder, plain TCP (this factory ignores useTls).
            string cs = "HostName=bench-hub.azure-devices.net;DeviceId=bench-device;SharedAccessKey=" + Convert.ToBase64String(new byte[32]);
            var options = new DeviceClientOptions { MaxFrameSize = DeviceFrameSize, Port = peer.PlainPort, ReceiveCloudToDevice = true };
            DeviceClient client = null;
            var factory = new PlainFactory(peer.CaPemPath);
            retained = Retained(() =>
            {
                client = new DeviceClient(cs + ";GatewayHostName=127.0.0.1", factory, OurClient.Platform, options);
                client.Open();
                return null;
            }, out _);
            return client;
        }

        // Lets the clients' threads reach their steady wait (or finish, when closed), then reads the settled heap.
        private static long Settled()
        {
            Thread.Sleep(300);
            return Heap.Settled();
        }

        /// <summary>
        /// Heap retained by each further client: the median of three slopes, each over k more clients open at once,
        /// after one client of the kind was opened and closed (its types, statics and first-use costs loaded). Each
        /// reading has the clients of earlier steps and the one-time costs in it, so only the k added clients differ;
        /// averaging over k damps the per-thread allocation buffers (up to 8 KB each) counted as in use, and the median
        /// drops a slope that process-wide memory freed in between (pooled buffers trimmed, ended threads) pulled down.
        /// </summary>
        private double RetainedEach(Func<IBenchClient> create, Action<IBenchClient> ready = null)
        {
            int k = scale.Quick ? 2 : 4;
            using (IBenchClient warm = create()) ready?.Invoke(warm);
            var clients = new List<IBenchClient>();
            try
            {
                var readings = new List<long> { Settled() };
                var slopes = new List<double>();
                for (int step = 0; step < 3; step++)
                {
                    for (int i = 0; i < k; i++) clients.Add(Ready(create(), ready));
                    readings.Add(Settled());
                    slopes.Add((readings[^1] - readings[^2]) / (double)k);
                }
                log($"  retained with 0, {k}, {2 * k}, {3 * k} open: {string.Join(", ", readings)} B; per client, each {k}: {string.Join(", ", slopes.Select(x => x.ToString("F0")))} B");
                return Median(slopes);
            }
            finally
            {
                foreach (var c in clients) c.Dispose();
            }
        }

        private static IBenchClient Ready(IBenchClient c, Action<IBenchClient> ready)
        {
            ready?.Invoke(c);
            return c;
        }

        private static long Retained(Func<IBenchClient> create, out IBenchClient client)
        {
            long before = Settled();
            client = create();
            long after = Settled();
            GC.KeepAlive(client);
            return after - before;
        }

        // ---- 1. throughput ----

        public void MeasureThroughput()
        {
            byte[] payload = new byte[TelemetryBytes];
            foreach (bool tls in new[] { false, true })
            {
                foreach (int window in new[] { 1, 16 })
                {
                    var ours = new List<double>();
                    var lite = new List<double>();
                    for (int round = 0; round < scale.Rounds; round++)
                    {
                        ours.Add(Rate(true, tls, window, payload));
                        lite.Add(Rate(false, tls, window, payload));
                    }
                    double o = Median(ours), l = Median(lite);
                    string label = (tls ? "TLS" : "no TLS") + ", " + (window == 1 ? "1 in flight" : "window " + window);
                    Throughput.Add((label, o, l));
                    Rows.Add(new Row("throughput", "1 KB telemetry, " + label, "msg/s", o, l, "median of " + scale.Rounds) { Key = "tp " + label });
                    log($"throughput {label}: ours {o:F0}/s, Lite {l:F0}/s");
                }
            }
            // The public DeviceClient (its driver thread coalesces what is queued into one write) against the same Lite runs.
            foreach (bool tls in new[] { false, true })
            {
                var ours = new List<double>();
                var lite = new List<double>();
                // The rows the issue-10 target judges: more rounds, since two cores shared with the peer make them vary.
                for (int round = 0; round < scale.TargetRounds; round++)
                {
                    ours.Add(Rate(true, tls, 16, payload, publicClient: true));
                    lite.Add(Rate(false, tls, 16, payload));
                }
                string label = (tls ? "TLS" : "no TLS") + ", window 16, public DeviceClient.BeginSendTelemetry";
                Rows.Add(new Row("throughput", "1 KB telemetry, " + label, "msg/s", Median(ours), Median(lite), "median of " + scale.TargetRounds + "; ours with CBS, one reused message") { Key = "tpPublic " + (tls ? "TLS" : "no TLS") });
                log($"throughput {label}: ours {Median(ours):F0}/s, Lite {Median(lite):F0}/s");
            }
            // Diagnostics: the engine over a socket left in blocking mode (not the SDK's desktop transport).
            foreach (int window in new[] { 1, 16 })
            {
                var blocking = new List<double>();
                var lite = new List<double>();
                for (int round = 0; round < scale.Rounds; round++)
                {
                    blocking.Add(Rate(true, false, window, payload, blockingSocket: true));
                    lite.Add(Rate(false, false, window, payload));
                }
                string label = "no TLS, " + (window == 1 ? "1 in flight" : "window " + window);
                Rows.Add(new Row("throughput", "1 KB telemetry, " + label + ", ours over a blocking socket (benchmark's transport, not the SDK's)", "msg/s", Median(blocking), Median(lite), "diagnostic: see the throughput target") { Key = "tpBlocking " + label });
                log($"throughput {label}, ours over a blocking socket: {Median(blocking):F0}/s, Lite {Median(lite):F0}/s");
            }
        }

        /// <summary>
        /// Diagnostics (<c>--window [rounds] [ms]</c>): only the window-16 rows the throughput target judges, ours and
        /// Lite alternating within each round so a busy machine slows both; prints every round's ratio.
        /// </summary>
        public void WindowThroughput(int rounds, int ms, string only = null, bool oursOnly = false)
        {
            byte[] payload = new byte[TelemetryBytes];
            var rows = new (string Label, bool Tls, bool Public, bool Blocking)[]
            {
                ("engine no TLS", false, false, false), ("engine TLS", true, false, false),
                ("public no TLS", false, true, false), ("public TLS", true, true, false),
                ("engine blocking socket", false, false, true),
            };
            var ratios = new List<double>[rows.Length];
            var cpuRatios = new List<double>[rows.Length];
            for (int i = 0; i < rows.Length; i++)
            {
                ratios[i] = new List<double>();
                cpuRatios[i] = new List<double>();
            }
            for (int round = 0; round < rounds; round++)
            {
                for (int i = 0; i < rows.Length; i++)
                {
                    var r = rows[i];
                    if (only != null && !r.Label.Contains(only)) continue;
                    // Both clients open at once, batches alternating: load that comes and goes hits both alike.
                    using IBenchClient ours = Create(true, r.Public, Options(r.Tls ? peer.TlsPort : peer.PlainPort, r.Tls) with { BlockingSocket = r.Blocking });
                    using IBenchClient lite = Create(false, Options(r.Tls ? peer.TlsPort : peer.PlainPort, r.Tls));
                    Run(ours, payload, 16, 300);
                    Run(lite, payload, 16, 300);
                    double oursSeconds = 0, liteSeconds = 0;
                    TimeSpan oursCpu = TimeSpan.Zero, liteCpu = TimeSpan.Zero, oursPeerCpu = TimeSpan.Zero, litePeerCpu = TimeSpan.Zero;
                    long oursSwitches = 0, liteSwitches = 0;
                    using Process process = Process.GetCurrentProcess();
                    long sent = 0;
                    const int batch = 480;
                    long start = Stopwatch.GetTimestamp();
                    while (Stopwatch.GetElapsedTime(start).TotalMilliseconds < 2 * ms)
                    {
                        long s0 = Switches();
                        TimeSpan c0 = process.TotalProcessorTime, p0 = peer.Cpu;
                        long t0 = Stopwatch.GetTimestamp();
                        Run(ours, payload, 16, batch);
                        long t1 = Stopwatch.GetTimestamp();
                        TimeSpan c1 = process.TotalProcessorTime, p1 = peer.Cpu;
                        long s1 = Switches();
                        if (!oursOnly) Run(lite, payload, 16, batch);
                        liteSeconds += Stopwatch.GetElapsedTime(t1).TotalSeconds;
                        liteCpu += process.TotalProcessorTime - c1;
                        litePeerCpu += peer.Cpu - p1;
                        oursPeerCpu += p1 - p0;
                        liteSwitches += Switches() - s1;
                        oursSwitches += s1 - s0;
                        oursSeconds += Stopwatch.GetElapsedTime(t0, t1).TotalSeconds;
                        oursCpu += c1 - c0;
                        sent += batch;
                    }
                    double o = sent / oursSeconds, l = sent / liteSeconds;
                    ratios[i].Add(o / l);
                    cpuRatios[i].Add((oursCpu + oursPeerCpu) / (liteCpu + litePeerCpu));
                    // CPU of this process only (the peer runs in its own), per message.
                    log($"round {round + 1} {r.Label,-22} ours {o,7:F0}/s Lite {l,7:F0}/s ratio {o / l:F2}; CPU per message client/peer ours {oursCpu.TotalMicroseconds / sent:F1}/{oursPeerCpu.TotalMicroseconds / sent:F1} us, Lite {liteCpu.TotalMicroseconds / sent:F1}/{litePeerCpu.TotalMicroseconds / sent:F1} us; voluntary context switches per message ours {oursSwitches / (double)sent:F2}, Lite {liteSwitches / (double)sent:F2}; {sent} sent each");
                }
            }
            for (int i = 0; i < rows.Length; i++)
                if (ratios[i].Count > 0)
                    log($"median ratio {rows[i].Label,-22} {Median(ratios[i]):F2} (" + string.Join(" ", ratios[i].Select(x => x.ToString("F2"))) + $"); CPU per message (client + peer) ours/Lite {Median(cpuRatios[i]):F2}");
        }

        // Voluntary context switches of every thread of this process so far (Linux; 0 elsewhere).
        private static long Switches()
        {
            long total = 0;
            if (!Directory.Exists("/proc/self/task")) return 0;
            foreach (string task in Directory.GetDirectories("/proc/self/task"))
            {
                try
                {
                    foreach (string line in File.ReadLines(Path.Combine(task, "status")))
                        if (line.StartsWith("voluntary_ctxt_switches:")) total += long.Parse(line.Substring(24).Trim());
                }
                catch (IOException)
                {
                    // The thread ended while we looked.
                }
            }
            return total;
        }

        private double Rate(bool ours, bool tls, int window, byte[] payload, bool blockingSocket = false, bool publicClient = false, int ms = 0)
        {
            if (ms <= 0) ms = scale.ThroughputMs;
            using IBenchClient c = Create(ours, publicClient, Options(tls ? peer.TlsPort : peer.PlainPort, tls) with { BlockingSocket = blockingSocket });
            Run(c, payload, window, 300); // warm-up: JIT tiers, buffers
            long start = Stopwatch.GetTimestamp();
            long sent = 0;
            int batch = window == 1 ? 100 : 160;
            while (Stopwatch.GetElapsedTime(start).TotalMilliseconds < ms)
            {
                Run(c, payload, window, batch);
                sent += batch;
            }
            return sent / Stopwatch.GetElapsedTime(start).TotalSeconds;
        }

        private static void Run(IBenchClient c, byte[] payload, int window, int count)
        {
            if (window == 1)
            {
                for (int i = 0; i < count; i++) c.Send(payload);
            }
            else
            {
                c.SendWindow(payload, count, window);
            }
        }

        // ---- 2a + 3. heap and wire per message, by message size ----

        public void PerMessage()
        {
            foreach (int size in scale.MessageSizes)
            {
                byte[] payload = new byte[size];
                int n = Math.Max(10, Math.Min(scale.HeapSends, (int)(scale.HeapSends * 1024L / size)));
                var (oa, ow, owr, ocount) = AllocAndWire(true, payload, n);
                var (la, lw, lwr, _) = AllocAndWire(false, payload, n);
                MessageScale.Add((size, oa, la, ow, lw, ocount, lwr));
                log($"per message {size} B: alloc ours {oa:F0} Lite {la:F0}; wire ours {ow:F0} Lite {lw:F0}; writes ours {owr:F2} Lite {lwr:F2} (ours at the transport: {ocount:F2})");
                if (size == TelemetryBytes)
                {
                    Rows.Add(new Row("heap", "allocated per 1 KB send, steady state, one in flight, TLS off", "bytes", oa, la, "payload array reused; GC.GetTotalAllocatedBytes(true) over " + n + " sends") { Key = "allocPerSend" });
                    var (ba, _, _, _) = AllocAndWire(true, payload, n, blockingSocket: true);
                    Rows.Add(new Row("heap", "allocated per 1 KB send, ours over a blocking socket (benchmark's transport, not the SDK's)", "bytes", ba, la, "diagnostic: what the engine allocates without the desktop socket's async receive") { Key = "allocBlocking" });
                    log($"per message 1 KB over a blocking socket: alloc ours {ba:F0}");
                    double da = ReusedMessageAlloc(payload, n);
                    Rows.Add(new Row("heap", "allocated per 1 KB send, public DeviceClient.TrySendTelemetry with one reused Message, all threads", "bytes", da, la,
                        "ours: application + driver + dispatcher + desktop socket; Lite: its Send with a new message per send") { Key = "allocReused" });
                    log($"per message 1 KB, DeviceClient.TrySendTelemetry, reused message: alloc {da:F0}");
                    Rows.Add(new Row("wire", "bytes written per 1 KB message (AMQP level)", "bytes", ow, lw, "counted at the proxy") { Key = "wireBytes" });
                    Rows.Add(new Row("wire", "socket writes per 1 KB message", "writes", owr, lwr, "reads at the proxy; ours at its transport: " + ocount.ToString("F2")) { Key = "wireWrites" });
                }
            }
        }

        private (double Alloc, double Wire, double Writes, double TransportWrites) AllocAndWire(bool ours, byte[] payload, int n, bool blockingSocket = false)
        {
            using IBenchClient c = Create(ours, Options(plainProxy, false) with { BlockingSocket = blockingSocket });
            for (int i = 0; i < Math.Min(n, 200); i++) c.Send(payload); // warm-up
            GC.Collect();
            GC.WaitForPendingFinalizers();
            peer.Reset(plainProxy);
            long transportWrites0 = c is OurClient oc0 ? oc0.Transport.SendCalls : 0;
            long before = GC.GetTotalAllocatedBytes(true);
            for (int i = 0; i < n; i++) c.Send(payload);
            long after = GC.GetTotalAllocatedBytes(true);
            long[] s = peer.Stats(plainProxy);
            double transportWrites = c is OurClient oc ? (oc.Transport.SendCalls - transportWrites0) / (double)n : double.NaN;
            return ((after - before) / (double)n, s[0] / (double)n, s[1] / (double)n, transportWrites);
        }

        // The steady telemetry loop a device runs: one Message and one body array for every send.
        private double ReusedMessageAlloc(byte[] payload, int n)
        {
            string cs = "HostName=bench-hub.azure-devices.net;DeviceId=bench-device;SharedAccessKey=" + Convert.ToBase64String(new byte[32]) + ";GatewayHostName=127.0.0.1";
            var client = new DeviceClient(cs, new PlainFactory(peer.CaPemPath), OurClient.Platform, new DeviceClientOptions { MaxFrameSize = DeviceFrameSize, Port = peer.PlainPort });
            client.Open();
            var message = new IotHubAmqp.Device.Messaging.Message(payload);
            for (int i = 0; i < Math.Min(n, 200); i++) client.TrySendTelemetry(message, out _);
            GC.Collect();
            GC.WaitForPendingFinalizers();
            long before = GC.GetTotalAllocatedBytes(true);
            for (int i = 0; i < n; i++)
            {
                if (!client.TrySendTelemetry(message, out SendResult failure)) throw new InvalidOperationException("benchmark send failed: " + failure);
            }
            long after = GC.GetTotalAllocatedBytes(true);
            client.Close();
            return (after - before) / (double)n;
        }

        // ---- scale: frame size and prefetch ----

        public void Frames()
        {
            byte[] payload = new byte[4096];
            foreach (uint frame in scale.FrameSizes)
            {
                double[] o = FrameRun(true, frame, payload), l = FrameRun(false, frame, payload);
                FrameScale.Add((frame, o[0], l[0], o[1], l[1], o[2], l[2]));
                log($"frame {frame}: retained ours {o[0]:F0} Lite {l[0]:F0}; 4 KB message wire ours {o[1]:F0} Lite {l[1]:F0}, writes ours {o[2]:F2} Lite {l[2]:F2}");
            }
        }

        private double[] FrameRun(bool ours, uint frame, byte[] payload)
        {
            double retained = RetainedEach(() => Create(ours, Options(peer.PlainPort, false, frame)));
            using IBenchClient c = Create(ours, Options(plainProxy, false, frame));
            for (int i = 0; i < 20; i++) c.Send(payload);
            peer.Reset(plainProxy);
            const int n = 50;
            for (int i = 0; i < n; i++) c.Send(payload);
            long[] s = peer.Stats(plainProxy);
            return new[] { retained, s[0] / (double)n, s[1] / (double)n };
        }

        public void Prefetch()
        {
            foreach (uint credit in scale.Prefetch)
            {
                double o = PrefetchRun(true, credit), l = PrefetchRun(false, credit);
                PrefetchScale.Add((credit, o, l));
                log($"prefetch {credit}: retained with the queue full ours {o:F0} Lite {l:F0}");
            }
        }

        private double PrefetchRun(bool ours, uint credit)
        {
            return RetainedEach(() => Create(ours, Options(peer.PlainPort, false, DeviceFrameSize, "c2d-fill", credit)), c =>
            {
                var sw = Stopwatch.StartNew();
                while (c.C2dQueued >= 0 && c.C2dQueued < credit && sw.ElapsedMilliseconds < 5000) Thread.Sleep(10);
                if (c.C2dQueued >= 0 && c.C2dQueued < credit) throw new TimeoutException($"only {c.C2dQueued} of {credit} C2D messages arrived");
                if (c.C2dQueued < 0) Thread.Sleep(500);
            });
        }

        // ---- 4. round trips ----

        public void RoundTrips()
        {
            int delay = scale.DelayMs;
            double rtt = 2.0 * delay;
            int hubProxy = peer.Proxy(peer.HubPort, delay);
            int anonProxy = peer.Proxy(peer.AnonymousPort, delay);
            int plainDelayed = peer.Proxy(peer.PlainPort, delay);
            var cbs = new List<double>();
            var cbsTotal = new List<double>();
            var plain = new List<double>();
            var plainTotal = new List<double>();
            var lite = new List<double>();
            var engine = new List<double>();
            var liteNoSasl = new List<double>();
            for (int i = 0; i < scale.RoundTripRepeats; i++)
            {
                var (after, total) = DeviceClientRoundTrips(hubProxy, AuthenticationMode.Cbs);
                cbs.Add(after / rtt);
                cbsTotal.Add(total / rtt);
                (after, total) = DeviceClientRoundTrips(hubProxy, AuthenticationMode.SaslPlain);
                plain.Add(after / rtt);
                plainTotal.Add(total / rtt);
                lite.Add(LiteRoundTrips(anonProxy, true) / rtt);
                liteNoSasl.Add(LiteRoundTrips(plainDelayed, false) / rtt);
                engine.Add(EngineRoundTrips(plainDelayed) / rtt);
            }
            string note = $"RTT {rtt} ms (proxy delay {delay} ms each way); median of {scale.RoundTripRepeats}";
            Rows.Add(new Row("round trips", "DeviceClient CBS, no SASL (local hub) vs Lite SASL ANONYMOUS, no CBS (its listener): after TLS to first accepted", "RTT", Median(cbs), Median(lite), note) { Key = "rtCbs" });
            Rows.Add(new Row("round trips", "DeviceClient SASL PLAIN (local hub) vs Lite SASL ANONYMOUS: after TLS to first accepted", "RTT", Median(plain), Median(lite), note) { Key = "rtPlain" });
            Rows.Add(new Row("round trips", "engine, no SASL vs Lite, no SASL (both against the Lite listener): connect to first accepted", "RTT", Median(engine), Median(liteNoSasl), note) { Key = "rtEngine" });
            Rows.Add(new Row("round trips", "DeviceClient CBS including the TCP connect and TLS handshake (Lite: no TLS)", "RTT", Median(cbsTotal), Median(lite), note) { Key = "rtCbsTotal" });
            Rows.Add(new Row("round trips", "DeviceClient PLAIN including the TCP connect and TLS handshake (Lite: no TLS)", "RTT", Median(plainTotal), Median(lite), note) { Key = "rtPlainTotal" });
            log($"round trips (RTT {rtt} ms): CBS {Median(cbs):F2} (total {Median(cbsTotal):F2}), PLAIN {Median(plain):F2} (total {Median(plainTotal):F2}), Lite ANONYMOUS {Median(lite):F2}, engine no SASL {Median(engine):F2}, Lite no SASL {Median(liteNoSasl):F2}");
        }

        private (double AfterTls, double Total) DeviceClientRoundTrips(int proxyPort, AuthenticationMode mode)
        {
            string cs = peer.HubDeviceConnectionString;
            int g = cs.IndexOf(";GatewayHostName=", StringComparison.Ordinal);
            if (g >= 0) cs = cs.Substring(0, g);
            cs += ";GatewayHostName=127.0.0.1:" + proxyPort;
            var factory = new TimedFactory(DesktopTransportFactory.FromPemFile(peer.HubCaPemPath));
            var options = new DeviceClientOptions { Authentication = mode, ReceiveCloudToDevice = true, RenewTokens = false };
            var client = new DeviceClient(cs, factory, OurClient.Platform, options);
            long start = Stopwatch.GetTimestamp();
            client.Open();
            SendResult r = client.SendTelemetry(new byte[TelemetryBytes]);
            long end = Stopwatch.GetTimestamp();
            client.Close();
            if (r.Outcome != SendOutcome.Accepted) throw new InvalidOperationException("telemetry not accepted: " + r.Outcome);
            return (Stopwatch.GetElapsedTime(factory.Connected, end).TotalMilliseconds, Stopwatch.GetElapsedTime(start, end).TotalMilliseconds);
        }

        private static double LiteRoundTrips(int proxyPort, bool anonymous)
        {
            long start = Stopwatch.GetTimestamp();
            var factory = new Amqp.ConnectionFactory();
            factory.TCP.NoDelay = true;
            if (anonymous) factory.SASL.Profile = Amqp.Sasl.SaslProfile.Anonymous;
            var connection = factory.CreateAsync(new Amqp.Address("amqp://127.0.0.1:" + proxyPort)).GetAwaiter().GetResult();
            var session = new Amqp.Session(connection);
            var sender = new Amqp.SenderLink(session, "telemetry-" + ClientOptions.Unique(), "/devices/bench-device/messages/events");
            sender.Send(new Amqp.Message { BodySection = new Amqp.Framing.Data { Binary = new byte[TelemetryBytes] } });
            double ms = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            connection.Close();
            return ms;
        }

        private double EngineRoundTrips(int proxyPort)
        {
            long start = Stopwatch.GetTimestamp();
            using var c = new OurClient(Options(proxyPort, false));
            c.Send(new byte[TelemetryBytes]);
            return Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        }

        // ---- 5. flash proxy ----

        public void Flash()
        {
            string device = typeof(IotHubAmqp.Device.Messaging.Message).Assembly.Location;
            string desktop = typeof(DesktopPlatform).Assembly.Location;
            string lite = typeof(Amqp.Connection).Assembly.Location;
            var (deviceIl, deviceMethods) = IlSize(device);
            var (liteIl, liteMethods) = IlSize(lite);
            var (desktopIl, _) = IlSize(desktop);

            // Every device assembly next to the core (optional features ship in assemblies of their own), with its IL.
            // A telemetry + C2D app deploys the core and the device assemblies it references; the platform layer is
            // counted apart (Nano's is not buildable here, Desktop stands in).
            var assemblies = Directory.GetFiles(Path.GetDirectoryName(device), "IotHubAmqp.Device*.dll")
                .Where(f => !string.Equals(f, desktop, StringComparison.OrdinalIgnoreCase) && !Path.GetFileName(f).Contains("Tests", StringComparison.Ordinal))
                .OrderBy(f => f, StringComparer.Ordinal).ToList();
            var deployed = DeviceClosure(device, assemblies);
            long appIl = 0;
            foreach (string path in assemblies)
            {
                var (il, methods) = IlSize(path);
                bool inApp = deployed.Contains(Path.GetFileName(path));
                if (inApp) appIl += il;
                string name = Path.GetFileName(path);
                Rows.Add(new Row("flash", "IL of " + name, "bytes", il, double.NaN, $"{methods} method bodies; " + (inApp ? "deployed by a telemetry + C2D app" : "optional")));
                log($"flash: {name} {il} B IL{(inApp ? "" : " (optional)")}");
            }
            Rows.Add(new Row("flash", "IL: sum of method body sizes, IotHubAmqp.Device.dll vs Amqp.Net.dll", "bytes", deviceIl, liteIl, $"{deviceMethods} vs {liteMethods} method bodies") { Key = "flashIl" });
            Rows.Add(new Row("flash", "file size, IotHubAmqp.Device.dll vs Amqp.Net.dll (net5.0 build)", "bytes", new FileInfo(device).Length, new FileInfo(lite).Length) { Key = "flashFile" });
            Rows.Add(new Row("flash", "telemetry + C2D app needs (whole assemblies: nanoFramework deploys whole assemblies), IL", "bytes", appIl, liteIl,
                "ours: " + string.Join(" + ", deployed.OrderBy(n => n, StringComparer.Ordinal)) + " (+ the platform layer, Nano: not buildable here; Desktop " + desktopIl + " B IL)") { Key = "flashApp" });
            log($"flash: IL ours {appIl} B for a telemetry + C2D app, Lite {liteIl} B");
            // Where the core's IL goes, layer by layer (namespace), so a flash change shows where it landed.
            foreach (var (layer, il, methods) in IlByNamespace(device))
                Rows.Add(new Row("flash", "IL of IotHubAmqp.Device.dll, layer " + layer, "bytes", il, double.NaN, methods + " method bodies"));
        }

        /// <summary>IL bytes and method bodies per namespace (nested types count with their outer type), largest first.</summary>
        internal static List<(string Layer, long Bytes, int Methods)> IlByNamespace(string path)
        {
            using var stream = File.OpenRead(path);
            using var pe = new PEReader(stream);
            MetadataReader md = pe.GetMetadataReader();
            var sums = new Dictionary<string, (long Bytes, int Methods)>(StringComparer.Ordinal);
            foreach (TypeDefinitionHandle th in md.TypeDefinitions)
            {
                TypeDefinition t = md.GetTypeDefinition(th);
                TypeDefinition outer = t;
                while (!outer.GetDeclaringType().IsNil) outer = md.GetTypeDefinition(outer.GetDeclaringType());
                string ns = md.GetString(outer.Namespace);
                if (ns.Length == 0) continue; // <Module>
                foreach (MethodDefinitionHandle h in t.GetMethods())
                {
                    MethodDefinition m = md.GetMethodDefinition(h);
                    if (m.RelativeVirtualAddress == 0) continue;
                    sums.TryGetValue(ns, out var sum);
                    sums[ns] = (sum.Bytes + pe.GetMethodBody(m.RelativeVirtualAddress).Size, sum.Methods + 1);
                }
            }
            return sums.OrderByDescending(kv => kv.Value.Bytes).Select(kv => (kv.Key, kv.Value.Bytes, kv.Value.Methods)).ToList();
        }

        /// <summary>File names of <paramref name="core"/> and the device assemblies it references, directly or not.</summary>
        internal static HashSet<string> DeviceClosure(string core, IReadOnlyList<string> assemblies)
        {
            var byName = assemblies.ToDictionary(f => Path.GetFileNameWithoutExtension(f), StringComparer.OrdinalIgnoreCase);
            var found = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
            var pending = new Stack<string>();
            pending.Push(core);
            while (pending.Count > 0)
            {
                string path = pending.Pop();
                if (!found.Add(Path.GetFileName(path))) continue;
                using var stream = File.OpenRead(path);
                using var pe = new PEReader(stream);
                MetadataReader md = pe.GetMetadataReader();
                foreach (AssemblyReferenceHandle h in md.AssemblyReferences)
                {
                    string name = md.GetString(md.GetAssemblyReference(h).Name);
                    if (byName.TryGetValue(name, out string referenced)) pending.Push(referenced);
                }
            }
            return found;
        }

        /// <summary>Sum of the IL body sizes of every method with a body (System.Reflection.Metadata).</summary>
        internal static (long Bytes, int Methods) IlSize(string path)
        {
            using var stream = File.OpenRead(path);
            using var pe = new PEReader(stream);
            MetadataReader md = pe.GetMetadataReader();
            long total = 0;
            int count = 0;
            foreach (MethodDefinitionHandle h in md.MethodDefinitions)
            {
                MethodDefinition m = md.GetMethodDefinition(h);
                if (m.RelativeVirtualAddress == 0) continue;
                total += pe.GetMethodBody(m.RelativeVirtualAddress).Size;
                count++;
            }
            return (total, count);
        }

        private static double Median(List<double> values)
        {
            var v = values.OrderBy(x => x).ToList();
            return v.Count % 2 == 1 ? v[v.Count / 2] : (v[v.Count / 2 - 1] + v[v.Count / 2]) / 2;
        }

        /// <summary>Plain TCP whatever the client asks (the heap target is with TLS off).</summary>
        internal sealed class PlainFactory : ITransportFactory
        {
            private readonly DesktopTransportFactory inner;

            public PlainFactory(string caPemPath) => inner = DesktopTransportFactory.FromPemFile(caPemPath);

            public ITransport Connect(string host, int port, bool useTls, int timeoutMilliseconds) => inner.Connect(host, port, false, timeoutMilliseconds);
        }

        /// <summary>Notes when the TCP connect and TLS handshake are done, so round trips can be counted after it.</summary>
        private sealed class TimedFactory : ITransportFactory
        {
            private readonly ITransportFactory inner;

            public TimedFactory(ITransportFactory inner) => this.inner = inner;

            public long Connected { get; private set; }

            public ITransport Connect(string host, int port, bool useTls, int timeoutMilliseconds)
            {
                ITransport t = inner.Connect(host, port, useTls, timeoutMilliseconds);
                Connected = Stopwatch.GetTimestamp();
                return t;
            }
        }
    }
}
