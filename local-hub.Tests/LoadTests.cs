using System.Diagnostics;
using System.Net.Sockets;
using Microsoft.Azure.Amqp;
using Microsoft.Azure.Amqp.Encoding;
using Microsoft.Azure.Amqp.Framing;
using Xunit.Abstractions;

namespace IotHubAmqp.LocalHub.Tests;

/// <summary>
/// Fifty devices sending beside idle unauthenticated sockets, deep-frame attackers, an unsettled put-token flood
/// and a device pushing 256 KB messages flat out. The hub must keep serving the good devices quickly and stay in
/// its memory budget. The hub runs in the test process, so the managed heap measured is hub + clients: an upper bound.
/// </summary>
public class LoadTests
{
    /// <summary>Live managed memory budget of the hub with default options (docs/local-hub.md, "Memory budget").</summary>
    public const long ManagedBudgetBytes = 256L * 1024 * 1024;
    /// <summary>p99 send latency of the good devices under the hostile load.</summary>
    public static readonly TimeSpan LatencyP99Bound = TimeSpan.FromMilliseconds(1000);
    private const int Devices = 50;
    private static readonly TimeSpan SendPhase = TimeSpan.FromSeconds(15);
    private readonly ITestOutputHelper _output;

    public LoadTests(ITestOutputHelper output) => _output = output;

    [Fact]
    public async Task Fifty_devices_keep_sending_quickly_beside_hostile_connections_and_the_hub_stays_in_its_memory_budget()
    {
        using var hub = Hubs.Start(o =>
        {
            for (var i = 0; i < Devices; i++) o.Registry.AddDevice($"load-{i:00}");
            o.Registry.AddDevice("flood");
        });
        using var stop = new CancellationTokenSource();
        // Live memory: once a second after a full collection (what the hub keeps). Heap: every 50 ms, garbage included.
        long peakLive = 0, peakHeap = 0;
        var sampler = Task.Run(async () =>
        {
            var lastLive = Stopwatch.StartNew();
            while (!stop.IsCancellationRequested)
            {
                peakHeap = Math.Max(peakHeap, GC.GetTotalMemory(false));
                if (lastLive.ElapsedMilliseconds >= 1000)
                {
                    peakLive = Math.Max(peakLive, GC.GetTotalMemory(true));
                    lastLive.Restart();
                }
                await Task.Delay(50);
            }
            peakLive = Math.Max(peakLive, GC.GetTotalMemory(true));
        });
        var idle = new List<TestClient>();
        var raw = new List<TcpClient>();
        try
        {
            for (var i = 0; i < 50; i++) { var t = new TcpClient(); await t.ConnectAsync("127.0.0.1", hub.Port); raw.Add(t); }
            for (var i = 0; i < 100; i++) idle.Add(await TestClient.ConnectAsync(hub, SaslMode.Anonymous));
            var deepFrames = Task.Run(() => DeepFramesAsync(hub, stop.Token));
            var cbsFlood = Task.Run(() => UnsettledCbsFloodAsync(hub, stop.Token));
            var bigSender = Task.Run(() => FloodDeviceAsync(hub, stop.Token));

            var latencies = await Task.WhenAll(Enumerable.Range(0, Devices).Select(i => GoodDeviceAsync(hub, $"load-{i:00}", i % 5 == 0)));
            stop.Cancel();
            var (deepCount, floodClosed, (bigAccepted, bigThrottled)) = (await deepFrames, await cbsFlood, await bigSender);
            await sampler;

            var all = latencies.SelectMany(l => l).OrderBy(x => x).ToArray();
            var p50 = all[all.Length / 2];
            var p99 = all[(int)(all.Length * 0.99)];
            _output.WriteLine($"good sends {all.Length}, p50 {p50:F1} ms, p99 {p99:F1} ms, max {all[^1]:F1} ms");
            _output.WriteLine($"peak live managed memory {peakLive / (1024 * 1024)} MB (budget {ManagedBudgetBytes / (1024 * 1024)} MB), peak heap with garbage {peakHeap / (1024 * 1024)} MB");
            _output.WriteLine($"deep-frame connections {deepCount}, cbs reply links closed {floodClosed}, 256 KB sends accepted {bigAccepted} throttled {bigThrottled}");
            Assert.True(all.Length >= Devices * 50, $"only {all.Length} good sends");
            Assert.True(p99 < LatencyP99Bound.TotalMilliseconds, $"p99 {p99:F1} ms");
            Assert.True(peakLive < ManagedBudgetBytes, $"peak live managed memory {peakLive} bytes");
            Assert.True(bigThrottled > 0, "the 256 KB flood was never throttled");
            Assert.True(floodClosed > 0 && deepCount > 0, "the hostile clients did not run");
        }
        finally
        {
            stop.Cancel();
            foreach (var c in idle) c.Connection.Abort();
            foreach (var t in raw) t.Dispose();
        }
    }

    /// <summary>One good device: a 512-byte message every 100 ms for the send phase; returns each send's latency (ms).</summary>
    private static async Task<List<double>> GoodDeviceAsync(LocalHub hub, string id, bool viaCbs)
    {
        TestClient client;
        if (viaCbs)
        {
            client = await TestClient.ConnectAsync(hub, SaslMode.Anonymous);
            Assert.Equal(200, (await client.PutTokenAsync(hub.CreateDeviceToken(id, TimeSpan.FromHours(1)), $"{hub.HostName}/devices/{id}")).Status);
        }
        else
        {
            client = await TestClient.ConnectDeviceAsync(hub, id);
        }
        await using var _ = client;
        var link = await client.SenderAsync($"/devices/{id}/messages/events");
        var latencies = new List<double>();
        var body = new string('g', 512);
        var end = Stopwatch.StartNew();
        while (end.Elapsed < SendPhase)
        {
            var sw = Stopwatch.StartNew();
            Assert.IsType<Accepted>(await TestClient.SendAsync(link, TestClient.Telemetry(body)));
            latencies.Add(sw.Elapsed.TotalMilliseconds);
            var wait = 100 - (int)sw.ElapsedMilliseconds;
            if (wait > 0) await Task.Delay(wait);
        }
        return latencies;
    }

    private static async Task<int> DeepFramesAsync(LocalHub hub, CancellationToken stop)
    {
        var count = 0;
        var body = new byte[3 + 60_000 + 1000];
        body[0] = 0x00; body[1] = 0x53; body[2] = 0x77;
        while (!stop.IsCancellationRequested)
        {
            try
            {
                await using var rawClient = await HostileFrameTests.RawClient.OpenAsync(hub);
                await rawClient.WriteAsync(HostileFrameTests.Command(1, new Attach
                {
                    LinkName = "cbs", Handle = 0, Role = false, Source = new Source { Address = "x" },
                    Target = new Target { Address = "$cbs" }, SndSettleMode = 0, RcvSettleMode = 0, InitialDeliveryCount = 0,
                }));
                await Task.Delay(100, stop);
                var transfer = new Transfer { Handle = 0, DeliveryId = 0, DeliveryTag = new ArraySegment<byte>(new byte[] { 1 }), MessageFormat = 0 };
                await rawClient.WriteAsync(HostileFrameTests.Command(1, transfer, body));
                await rawClient.ReadCloseErrorAsync();
                count++;
            }
            catch (Exception) when (!stop.IsCancellationRequested) { await Task.Delay(50); }
            catch (Exception) { }
        }
        return count;
    }

    private static async Task<int> UnsettledCbsFloodAsync(LocalHub hub, CancellationToken stop)
    {
        var closed = 0;
        while (!stop.IsCancellationRequested)
        {
            try
            {
                await using var client = await TestClient.ConnectAsync(hub, SaslMode.Anonymous);
                var sender = await client.SenderAsync("$cbs", SettleMode.SettleOnSend);
                var receiver = await client.ReceiverAsync("$cbs", SettleMode.SettleOnDispose, credit: 1000);
                for (var i = 0; i < 200 && receiver.State == AmqpObjectState.Opened && !stop.IsCancellationRequested; i++)
                {
                    var request = AmqpMessage.Create(new AmqpValue { Value = "SharedAccessSignature sr=x&sig=y&se=1" });
                    request.Properties.MessageId = "f" + i;
                    request.ApplicationProperties.Map["operation"] = "put-token";
                    request.ApplicationProperties.Map["type"] = "servicebus.windows.net:sastoken";
                    request.ApplicationProperties.Map["name"] = "x";
                    await TestClient.SendAsync(sender, request);
                }
                await Task.Delay(100, stop);
                if (receiver.State != AmqpObjectState.Opened) closed++;
            }
            catch (Exception) when (!stop.IsCancellationRequested) { await Task.Delay(50); }
            catch (Exception) { }
        }
        return closed;
    }

    private static async Task<(int Accepted, int Throttled)> FloodDeviceAsync(LocalHub hub, CancellationToken stop)
    {
        int accepted = 0, throttled = 0;
        await using var client = await TestClient.ConnectDeviceAsync(hub, "flood");
        var link = await client.SenderAsync("/devices/flood/messages/events");
        var body = new string('F', 256 * 1024);
        while (!stop.IsCancellationRequested)
        {
            var outcomes = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => TestClient.SendAsync(link, TestClient.Telemetry(body))));
            foreach (var o in outcomes)
            {
                if (o is Accepted) accepted++;
                else if (o is Rejected r && r.Error.Condition.Equals(AmqpErrorCode.ResourceLimitExceeded)) throttled++;
            }
        }
        return (accepted, throttled);
    }
}
