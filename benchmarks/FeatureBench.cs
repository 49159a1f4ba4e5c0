// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
using System.Diagnostics;
using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.RegularExpressions;
using IotHubAmqp.Device.IotHub;
using IotHubAmqp.Device.Platform.Desktop;
using IotHubAmqp.Device.Twin;

namespace IotHubAmqp.Benchmarks
{
    /// <summary>
    /// <c>--features [--quick] [--out docs]</c>: direct methods and the twin, ours against AMQP.Net Lite doing the same
    /// by hand (CBS put-token, the methods and twin link pairs), both over TLS to a local hub in its own process (so its
    /// heap is not counted): method round trip at the service (REST call to response) and the heap the methods and twin
    /// links retain on the device side. Writes its section of performance.md below the feature marker.
    /// </summary>
    internal static class FeatureBench
    {
        private const string Begin = "<!-- feature: methods-twin -->", End = "<!-- /feature: methods-twin -->";

        public static int Run(bool quick, string outDir)
        {
            int calls = quick ? 20 : 300;
            using var hub = HubProcess.Start(new[] { "ours-plain", "ours-full", "lite-plain", "lite-full", "warm-ours", "warm-lite" });
            var rows = new List<string>();
            var platform = new DesktopPlatform();
            DesktopTransportFactory transports = DesktopTransportFactory.FromPemFile(hub.CaPath);

            // Warm up both stacks (JIT, static tables) so the retained figures hold only what a client keeps.
            OpenOurs(hub, transports, platform, "warm-ours", true).Close();
            new LiteHubDevice(hub, "warm-lite", true).Dispose();

            long b0 = Heap.Settled();
            var oursFull = OpenOurs(hub, transports, platform, "ours-full", true);
            long b1 = Heap.Settled();
            var oursPlain = OpenOurs(hub, transports, platform, "ours-plain", false);
            long b2 = Heap.Settled();
            var liteFull = new LiteHubDevice(hub, "lite-full", true);
            long b3 = Heap.Settled();
            var litePlain = new LiteHubDevice(hub, "lite-plain", false);
            long b4 = Heap.Settled();
            long oursExtra = (b1 - b0) - (b2 - b1), liteExtra = (b3 - b2) - (b4 - b3);
            // The object graphs each client holds (an estimate by walking fields): what a device's heap would carry.
            long gOursFull = Graph(oursFull), gOursPlain = Graph(oursPlain), gLiteFull = Graph(liteFull.Graph), gLitePlain = Graph(litePlain.Graph);
            Console.WriteLine($"  object graphs: ours {gOursFull} B / {gOursPlain} B, Lite {gLiteFull} B / {gLitePlain} B");
            Console.WriteLine($"  retained: ours {b1 - b0} B with methods+twin, {b2 - b1} B without; Lite {b3 - b2} B / {b4 - b3} B");

            using var rest = hub.Rest();
            (double median, double p95) ours = MethodRtt(rest, "ours-full", calls);
            (double median, double p95) lite = MethodRtt(rest, "lite-full", calls);
            Console.WriteLine($"  method round trip: ours median {ours.median:F2} ms p95 {ours.p95:F2} ms; Lite {lite.median:F2} / {lite.p95:F2} ms");

            var il = new Measurements(null, new Scale(true), _ => { });
            il.Flash();
            string twinIl = il.Rows.Where(r => r.Measure.Contains("IotHubAmqp.Device.Twin.dll")).Select(r => Report.Format(r.Ours)).FirstOrDefault() ?? "?";
            string coreIl = il.Rows.Where(r => r.Measure == "IL of IotHubAmqp.Device.dll").Select(r => Report.Format(r.Ours)).FirstOrDefault() ?? "?";

            var md = new StringBuilder();
            md.AppendLine(Begin);
            md.AppendLine("## Direct methods and twin");
            md.AppendLine();
            md.AppendLine($"Written by `dotnet benchmarks/bin/Release/net10.0/IotHubAmqp.Benchmarks.dll --features --out docs` ({calls} calls, {DateTime.UtcNow:yyyy-MM-dd}).");
            md.AppendLine("Both devices talk TLS 1.2 to the local hub, started in its own process; AMQP.Net Lite 2.5.5 does by hand what");
            md.AppendLine("the SDK does (CBS put-token, telemetry and C2D links, then the methods and twin link pairs with the same attach");
            md.AppendLine("properties) and answers each method from its receiver callback; ours answers from a `DeviceTwinClient` callback.");
            md.AppendLine();
            md.AppendLine("| measure | ours | AMQP.Net Lite |");
            md.AppendLine("|---|---|---|");
            md.AppendLine($"| method round trip at the service (REST call to response), median | {ours.median:F2} ms | {lite.median:F2} ms |");
            md.AppendLine($"| method round trip, 95th percentile | {ours.p95:F2} ms | {lite.p95:F2} ms |");
            md.AppendLine($"| object graph of an open client with methods and twin (estimate) | {gOursFull:N0} B | {gLiteFull:N0} B |");
            md.AppendLine($"| object graph without them (telemetry + C2D) | {gOursPlain:N0} B | {gLitePlain:N0} B |");
            md.AppendLine($"| **held by the methods and twin links** (the difference) | **{gOursFull - gOursPlain:N0} B** | **{gLiteFull - gLitePlain:N0} B** |");
            md.AppendLine($"| settled heap retained by the client with methods and twin | {b1 - b0:N0} B | {b3 - b2:N0} B |");
            md.AppendLine($"| settled heap retained without them | {b2 - b1:N0} B | {b4 - b3:N0} B |");
            md.AppendLine($"| settled heap difference | {oursExtra:N0} B | {liteExtra:N0} B |");
            md.AppendLine();
            md.AppendLine("The object graph is everything reachable from the client's fields (64-bit layout; `HeapWalk`), so it is what the");
            md.AppendLine("client itself keeps. The settled heap (`GC.GetTotalMemory` after collections stop freeing) also counts what the");
            md.AppendLine("runtime keeps per thread: `DeviceClient` runs three threads of its own (driver, reader, handler dispatcher),");
            md.AppendLine("Lite runs on the thread pool, and each desktop thread holds some tens of KB of runtime state the graph does not");
            md.AppendLine("reach; that, not the client, is most of the settled figure on desktop .NET, and it varies from run to run.");
            md.AppendLine();
            md.AppendLine("Why ours is behind where it is: a method's handler runs on the client's handler thread, never on the thread");
            md.AppendLine("that owns the connection, so a request takes two thread hops (driver to dispatcher, answer back to the driver)");
            md.AppendLine("that Lite's inline receiver callback does not; and each of our links keeps its attach (name, address, the");
            md.AppendLine("channel properties: strings, UTF-16 on desktop, UTF-8 on nanoFramework) and a delivery-slot array for its");
            md.AppendLine("reconnects, where the Lite device here keeps no state of its own for the twin.");
            md.AppendLine();
            md.AppendLine($"Flash: methods, twin and their JSON reader/writer live in `IotHubAmqp.Device.Twin.dll`, {twinIl} B of IL, which");
            md.AppendLine($"only an application that uses them deploys; the core `IotHubAmqp.Device.dll` ({coreIl} B of IL) holds the `ClientFeature`");
            md.AppendLine("hook they ride on. Heap figures are desktop .NET's (object headers and references are larger than on");
            md.AppendLine("nanoFramework); the comparison with Lite is what they show.");
            md.AppendLine(End);
            if (outDir != null) Report.WriteFeatureSection(Path.Combine(outDir, "performance.md"), Begin, End, md.ToString());
            Console.WriteLine(md.ToString());

            oursFull.Close();
            oursPlain.Close();
            liteFull.Dispose();
            litePlain.Dispose();
            Console.WriteLine("benchmark features: ok");
            return 0;
        }

        private static long Graph(object root) => HeapWalk.ByType(root).Sum(r => r.Bytes);

        private static DeviceClient OpenOurs(HubProcess hub, DesktopTransportFactory transports, DesktopPlatform platform, string device, bool features)
        {
            var client = new DeviceClient(hub.ConnectionStrings[device], transports, platform, new DeviceClientOptions { Port = hub.AmqpPort });
            if (features)
            {
                var twin = new DeviceTwinClient(client, true, true);
                twin.AddMethodCallback("echo", (name, payload) => new MethodResponse(200, payload));
            }
            client.Open();
            return client;
        }

        private static (double, double) MethodRtt(HttpClient rest, string device, int calls)
        {
            var times = new List<double>();
            for (int i = 0; i < calls + 3; i++)
            {
                var body = new StringContent("{\"methodName\":\"echo\",\"payload\":{\"n\":" + i + "},\"responseTimeoutInSeconds\":10}", Encoding.UTF8, "application/json");
                var sw = Stopwatch.StartNew();
                using HttpResponseMessage r = rest.PostAsync($"/twins/{device}/methods?api-version=2021-04-12", body).GetAwaiter().GetResult();
                string text = r.Content.ReadAsStringAsync().GetAwaiter().GetResult();
                sw.Stop();
                if (!r.IsSuccessStatusCode || !text.Contains("\"status\":200")) throw new InvalidOperationException($"method call {i} to {device}: {(int)r.StatusCode} {text}");
                if (i >= 3) times.Add(sw.Elapsed.TotalMilliseconds); // the first calls warm the REST path
            }
            times.Sort();
            return (times[times.Count / 2], times[(int)(times.Count * 0.95)]);
        }
    }

    /// <summary>The local hub in a process of its own: its ports, CA and connection strings read from what it prints.</summary>
    internal sealed class HubProcess : IDisposable
    {
        private readonly Process process;

        private HubProcess(Process p) => process = p;

        public int AmqpPort { get; private set; }
        public int RestPort { get; private set; }
        public string CaPath { get; private set; }
        public string ServiceKey { get; private set; }
        public string HostName { get; private set; }
        public Dictionary<string, string> ConnectionStrings { get; } = new();

        public static HubProcess Start(string[] devices)
        {
            string dll = typeof(IotHubAmqp.LocalHub.LocalHub).Assembly.Location;
            string key = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
            var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (string a in new[] { dll, "--port", "0", "--rest-port", "0", "--method-calls-per-second", "100000", "--service-key", key, "--cert-dir", Path.Combine(Path.GetTempPath(), "bench-hub-" + Environment.ProcessId) })
                psi.ArgumentList.Add(a);
            foreach (string d in devices)
            {
                psi.ArgumentList.Add("--device");
                psi.ArgumentList.Add(d);
            }
            var hub = new HubProcess(Process.Start(psi)) { ServiceKey = key };
            var deadline = DateTime.UtcNow.AddSeconds(60);
            while (hub.ConnectionStrings.Count < devices.Length || hub.RestPort == 0)
            {
                string line = hub.process.StandardOutput.ReadLine() ?? throw new InvalidOperationException("the hub ended: " + hub.process.StandardError.ReadToEnd());
                if (DateTime.UtcNow > deadline) throw new TimeoutException("the hub did not start");
                Match m;
                if ((m = Regex.Match(line, @"listening on amqps://[^:]+:(\d+)")).Success) hub.AmqpPort = int.Parse(m.Groups[1].Value);
                else if ((m = Regex.Match(line, @"Service REST API.*:(\d+)$")).Success) hub.RestPort = int.Parse(m.Groups[1].Value);
                else if ((m = Regex.Match(line, @"^CA certificate \(trust this\): (.+)$")).Success) hub.CaPath = m.Groups[1].Value.Trim();
                else if ((m = Regex.Match(line, @"^Device ([^:]+): (.+)$")).Success) hub.ConnectionStrings[m.Groups[1].Value] = m.Groups[2].Value.Trim();
            }
            hub.HostName = Regex.Match(hub.ConnectionStrings[devices[0]], "HostName=([^;]+)").Groups[1].Value;
            // Keep reading its output so the hub never blocks on a full pipe.
            _ = Task.Run(() => { while (hub.process.StandardOutput.ReadLine() != null) { } });
            _ = Task.Run(() => { while (hub.process.StandardError.ReadLine() != null) { } });
            return hub;
        }

        public string DeviceKey(string device) => Regex.Match(ConnectionStrings[device], "SharedAccessKey=([^;]+)").Groups[1].Value;

        public bool Validate(X509Certificate cert)
        {
            using var ca = X509Certificate2.CreateFromPem(File.ReadAllText(CaPath));
            using var chain = new X509Chain();
            chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
            chain.ChainPolicy.CustomTrustStore.Add(ca);
            chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
            return cert != null && chain.Build(new X509Certificate2(cert));
        }

        /// <summary>An HTTPS client of the hub's REST API with a service token, the hub's CA trusted.</summary>
        public HttpClient Rest()
        {
            var handler = new SocketsHttpHandler();
            handler.SslOptions.RemoteCertificateValidationCallback = (_, cert, _, errors) =>
                (errors & ~SslPolicyErrors.RemoteCertificateChainErrors) == SslPolicyErrors.None && Validate(cert);
            var http = new HttpClient(handler) { BaseAddress = new Uri($"https://localhost:{RestPort}"), Timeout = TimeSpan.FromSeconds(30) };
            http.DefaultRequestHeaders.TryAddWithoutValidation("Authorization", Sas(HostName, "service", ServiceKey));
            return http;
        }

        /// <summary>A SAS token for <paramref name="resource"/> (an hour).</summary>
        public static string Sas(string resource, string keyName, string key)
        {
            long expiry = DateTimeOffset.UtcNow.AddHours(1).ToUnixTimeSeconds();
            string sr = Uri.EscapeDataString(resource);
            using var hmac = new HMACSHA256(Convert.FromBase64String(key));
            string sig = Convert.ToBase64String(hmac.ComputeHash(Encoding.UTF8.GetBytes(sr + "\n" + expiry)));
            return $"SharedAccessSignature sr={sr}&sig={Uri.EscapeDataString(sig)}&se={expiry}" + (keyName == null ? "" : "&skn=" + keyName);
        }

        public void Dispose()
        {
            try
            {
                if (!process.HasExited) process.Kill(true);
            }
            catch (InvalidOperationException)
            {
            }
            process.Dispose();
        }
    }
}
