// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
using System.Diagnostics;
using System.Globalization;
using System.Text;
using IotHubAmqp.Device.Batching;
using IotHubAmqp.Device.IotHub;
using IotHubAmqp.Device.Messaging;
using IotHubAmqp.Device.Platform;
using IotHubAmqp.Device.Platform.Desktop;
using IotHubAmqp.LocalHub;

namespace IotHubAmqp.Benchmarks
{
    /// <summary>
    /// <c>-- --batching [--out docs]</c> (issue 14): bytes and round trips per message for single sends and batches of
    /// 1, 10 and 50 small messages, over TCP 5671-style TLS and over AMQP over WebSockets, against the local hub in
    /// this process behind a counting TCP proxy that delays each way. Writes its own section of performance.md below
    /// the feature marker.
    /// </summary>
    internal static class BatchingBenchmark
    {
        private const string Begin = "<!-- feature: batching -->";
        private const string End = "<!-- /feature: batching -->";
        private const int DelayMs = 10;
        private const int Messages = 50;
        private const int BodyBytes = 32;

        private sealed record Result(string Transport, string Mode, double AmqpUp, double AmqpDown, double WireUp, double WireDown,
            double WsFraming, double RoundTrips, double MsPerMessage, int Stored);

        public static int Run(string[] args)
        {
            int outIndex = Array.IndexOf(args, "--out");
            string outDir = outIndex >= 0 && outIndex + 1 < args.Length ? args[outIndex + 1] : null;
            var total = Stopwatch.StartNew();
            var options = new LocalHubOptions { Port = 0, WebSocketPort = 0, HubName = "bench-batch" };
            options.Registry.AddDevice("bench");
            using var hub = new LocalHub.LocalHub(options);
            hub.Start();
            var results = new List<Result>();
            var connect = new Dictionary<string, (long Up, long Down)>();
            foreach (bool ws in new[] { false, true })
            {
                var proxy = new Proxy(ws ? hub.WebSocketPort : hub.Port, DelayMs);
                results.AddRange(Measure(hub, proxy, ws, out var c));
                connect[ws ? "WebSocket" : "TCP"] = c;
                Console.WriteLine($"{(ws ? "WebSocket" : "TCP"),-10} connect + first message: wire up {c.Up} B, down {c.Down} B");
            }

            foreach (Result r in results)
            {
                Console.WriteLine($"{r.Transport,-10} {r.Mode,-10} AMQP up {F(r.AmqpUp)} down {F(r.AmqpDown)}, wire up {F(r.WireUp)} down {F(r.WireDown)} B/msg, " +
                    $"WS framing {F(r.WsFraming)} B/msg, {F(r.RoundTrips)} RTT/msg, {F(r.MsPerMessage)} ms/msg, stored {r.Stored}");
            }

            if (outDir != null)
            {
                string path = Path.Combine(outDir, "performance.md");
                Report.WriteFeatureSection(path, Begin, End, Section(results, connect, total.Elapsed));
                Console.WriteLine("wrote the batching section of " + path);
            }

            Console.WriteLine($"benchmark batching: ok ({total.Elapsed.TotalSeconds:F1} s)");
            // The DeviceClient's own threads are foreground threads: leave without waiting for them.
            Environment.Exit(0);
            return 0;
        }

        private static List<Result> Measure(LocalHub.LocalHub hub, Proxy proxy, bool ws, out (long Up, long Down) connect)
        {
            string cs = System.Text.RegularExpressions.Regex.Replace(hub.DeviceConnectionString("bench"), "GatewayHostName=[^;]*", "GatewayHostName=127.0.0.1");
            ITransportFactory inner = ws ? DesktopWebSocketTransportFactory.FromPemFile(hub.CaCertificatePath) : DesktopTransportFactory.FromPemFile(hub.CaCertificatePath);
            var factory = new CountingFactory(inner);
            var client = new DeviceClient(cs, factory, OurClient.Platform, new DeviceClientOptions { Port = proxy.Port, ReceiveCloudToDevice = false, RenewTokens = false });
            client.Open();
            if (!client.SendTelemetry(Message("warm-up")).IsAccepted) throw new InvalidOperationException("warm-up not accepted");
            Thread.Sleep(50);
            connect = (proxy.BytesUp, proxy.BytesDown);
            var list = new List<Result>();
            foreach (int batch in new[] { 0, 1, 10, 50 })
            {
                string mode = batch == 0 ? "single" : "batch " + batch;
                int before = hub.GetTelemetry("bench").Count;
                proxy.Reset();
                factory.Last.Reset();
                long framing0 = Framing(factory.Inner);
                var sw = Stopwatch.StartNew();
                for (int sent = 0; sent < Messages;)
                {
                    int n = batch == 0 ? 1 : batch;
                    var messages = new Message[n];
                    for (int k = 0; k < n; k++) messages[k] = Message("m-" + (sent + k).ToString("D4", CultureInfo.InvariantCulture));
                    SendResult r = batch == 0 ? client.SendTelemetry(messages[0]) : client.SendTelemetryBatch(messages);
                    if (!r.IsAccepted) throw new InvalidOperationException(mode + " not accepted: " + r);
                    sent += n;
                }

                double ms = sw.Elapsed.TotalMilliseconds;
                Thread.Sleep(50); // let the last disposition's bytes clear the proxy's counters
                list.Add(new Result(ws ? "WebSocket" : "TCP", mode,
                    factory.Last.BytesSent / (double)Messages, factory.Last.BytesReceived / (double)Messages,
                    proxy.BytesUp / (double)Messages, proxy.BytesDown / (double)Messages,
                    (Framing(factory.Inner) - framing0) / (double)Messages,
                    ms / Messages / (2.0 * DelayMs), ms / Messages, hub.GetTelemetry("bench").Count - before));
            }

            client.Close();
            return list;
        }

        private static long Framing(ITransport t) => t is DesktopWebSocketTransport w ? w.FramingBytesSent + w.FramingBytesReceived : 0;

        private static Message Message(string id) => new Message(new byte[BodyBytes])
        {
            Properties = new MessageProperties { MessageId = id, ContentType = "application/json" },
        };

        private static string F(double v) => Report.Format(v);

        private static string Section(List<Result> results, Dictionary<string, (long Up, long Down)> connect, TimeSpan elapsed)
        {
            var md = new StringBuilder();
            md.AppendLine(Begin);
            md.AppendLine("## Batched telemetry and AMQP over WebSockets (issue 14)");
            md.AppendLine();
            md.AppendLine($"Written by `dotnet run -c Release --project benchmarks -- --batching --out docs` on {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC " +
                $"({elapsed.TotalSeconds:F0} s, {Environment.ProcessorCount} logical CPUs). `DeviceClient` (CBS, no SASL, 4 KB frames) against the local hub in the");
            md.AppendLine($"same process, through a loopback proxy that delays every chunk {DelayMs} ms each way (RTT {2 * DelayMs} ms) and counts the TCP bytes.");
            md.AppendLine($"{Messages} messages per row, each a {BodyBytes}-byte body with a message-id and a content type, sent one call after another (no");
            md.AppendLine("window): `SendTelemetry` per message (single) or `SendTelemetryBatch` with N messages per transfer (batch N). **AMQP**");
            md.AppendLine("bytes are what the engine writes and reads (above TLS and WebSockets); **wire** bytes are the TCP payload at the");
            md.AppendLine("proxy (TLS records, WebSocket frames and AMQP); **WS framing** is the RFC 6455 frame headers the desktop");
            md.AppendLine("WebSocket transport wrote and read, computed from its message sizes; **RTT/msg** is the time per message over the RTT.");
            md.AppendLine("Every row's messages were all stored by the hub (the stored column).");
            md.AppendLine();
            md.AppendLine("| transport | mode | AMQP up B/msg | AMQP down B/msg | wire up B/msg | wire down B/msg | WS framing B/msg | RTT/msg | ms/msg | stored |");
            md.AppendLine("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|");
            foreach (Result r in results)
            {
                md.AppendLine($"| {r.Transport} | {r.Mode} | {F(r.AmqpUp)} | {F(r.AmqpDown)} | {F(r.WireUp)} | {F(r.WireDown)} | {(r.Transport == "TCP" ? "-" : F(r.WsFraming))} | {F(r.RoundTrips)} | {F(r.MsPerMessage)} | {r.Stored} |");
            }

            md.AppendLine();
            md.AppendLine("WebSocket overhead per message (wire bytes, WebSocket minus TCP, both directions):");
            md.AppendLine();
            foreach (Result tcp in results.Where(r => r.Transport == "TCP"))
            {
                Result w = results.Single(r => r.Transport == "WebSocket" && r.Mode == tcp.Mode);
                md.AppendLine($"- {tcp.Mode}: {F(w.WireUp + w.WireDown - tcp.WireUp - tcp.WireDown)} B/msg ({F(w.WsFraming)} B/msg of it WebSocket frame headers; the rest is TLS record overhead of the extra records, if any)");
            }

            md.AppendLine();
            md.AppendLine($"Connecting costs more over WebSockets (the HTTP upgrade): TCP, TLS, SASL-less AMQP open, CBS put-token, the telemetry link and");
            md.AppendLine($"the first message took {connect["TCP"].Up:N0} B up / {connect["TCP"].Down:N0} B down on TCP and {connect["WebSocket"].Up:N0} B up / {connect["WebSocket"].Down:N0} B down over WebSockets.");
            Result single = results.First(r => r.Transport == "TCP" && r.Mode == "single");
            Result b50 = results.First(r => r.Transport == "TCP" && r.Mode == "batch 50");
            md.AppendLine();
            md.AppendLine($"Batching 50 cuts the AMQP bytes per message from {F(single.AmqpUp + single.AmqpDown)} to {F(b50.AmqpUp + b50.AmqpDown)} (one transfer and one");
            md.AppendLine($"disposition per batch instead of per message) and the round trips per message from {F(single.RoundTrips)} to {F(b50.RoundTrips)}. A batch of 1");
            md.AppendLine("costs a few bytes more than a single send (the inner message's data-section wrapper).");
            md.AppendLine(End);
            return md.ToString();
        }

        /// <summary>Wraps each connection in a <see cref="CountingTransport"/> and keeps the last one.</summary>
        private sealed class CountingFactory : ITransportFactory
        {
            private readonly ITransportFactory inner;

            public CountingFactory(ITransportFactory inner) => this.inner = inner;

            public CountingTransport Last { get; private set; }

            public ITransport Inner { get; private set; }

            public ITransport Connect(string host, int port, bool useTls, int timeoutMilliseconds)
            {
                Inner = inner.Connect(host, port, useTls, timeoutMilliseconds);
                Last = new CountingTransport(Inner);
                return Last;
            }
        }
    }
}
