using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Security;
using System.Net.Sockets;
using Microsoft.Azure.Amqp;
using Microsoft.Azure.Amqp.Framing;
using Microsoft.Azure.Amqp.Sasl;
using Xunit.Abstractions;

namespace IotHubAmqp.LocalHub.Tests;

/// <summary>Tests that measure the process heap run alone, after the parallel tests, so others' garbage stays out of their figures.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class MeasuredCollection
{
    public const string Name = "hub endurance, measured alone";
}

/// <summary>
/// The hub under clients that loop (connections; sessions and links on one connection) and under an endless
/// multi-frame transfer: it refuses what is past its limits, keeps serving others, and its memory stays bounded.
/// </summary>
[Collection(MeasuredCollection.Name)]
public class EnduranceTests
{
    private const string Telemetry1 = "/devices/dev1/messages/events";
    private readonly ITestOutputHelper _output;

    public EnduranceTests(ITestOutputHelper output) => _output = output;

    [Fact]
    public async Task Two_hundred_connections_opened_and_closed_leave_nothing_behind()
    {
        const int Loops = 200;
        const long HeapBound = 8L * 1024 * 1024; // a leaked connection holds its buffers: 200 would pass this
        using var hub = Hubs.Start();
        // Warm up (JIT, TLS session caches, buffer pools), then measure.
        for (var i = 0; i < 5; i++) await ConnectAttachCloseAsync(hub, i);
        await Wait.UntilAsync(() => hub.GetDeviceConnectionCount("dev1") == 0, "warm-up connections to close");
        var before = GC.GetTotalMemory(true);
        var watch = Stopwatch.StartNew();

        for (var i = 0; i < Loops; i++) await ConnectAttachCloseAsync(hub, i);

        var loopTime = watch.Elapsed;
        await Wait.UntilAsync(() => hub.GetDeviceConnectionCount("dev1") == 0, "every connection of dev1 to be gone");
        var after = GC.GetTotalMemory(true);
        var events = hub.GetEvents();
        Assert.True(events.Count(e => e.Kind == HubEventKind.Closed) >= Loops, "closed connections seen by the hub");
        Assert.DoesNotContain(events, e => e.Kind is HubEventKind.LinkRefused or HubEventKind.AuthenticationFailed);
        Assert.True(after - before < HeapBound, $"heap grew {(after - before) / 1024} KB over {Loops} connections");

        // Still serving.
        await using var client = await TestClient.ConnectDeviceAsync(hub, "dev1");
        var link = await client.SenderAsync(Telemetry1);
        Assert.IsType<Accepted>(await TestClient.SendAsync(link, TestClient.Telemetry("after the loop", "last")));
        Assert.Contains(hub.GetTelemetry("dev1"), t => t.MessageId == "last");
        _output.WriteLine($"{Loops} connections in {loopTime.TotalSeconds:0.0} s; heap {before / 1024} KB -> {after / 1024} KB ({(after - before) / 1024:+0;-0} KB)");
    }

    // Every fourth connection authenticates with a CBS put-token, the others with SASL PLAIN.
    private static async Task ConnectAttachCloseAsync(LocalHub hub, int i)
    {
        TestClient client;
        if (i % 4 == 3)
        {
            client = await TestClient.ConnectAsync(hub, SaslMode.None);
            var (status, _) = await client.PutTokenAsync(hub.CreateDeviceToken("dev1", TimeSpan.FromHours(1)), $"{hub.HostName}/devices/dev1");
            Assert.Equal(200, status);
        }
        else
        {
            client = await TestClient.ConnectDeviceAsync(hub, "dev1");
        }
        await using (client)
        {
            var link = await client.SenderAsync(Telemetry1);
            Assert.True(link.State == AmqpObjectState.Opened);
        }
    }

    [Fact]
    public async Task Sessions_and_links_in_a_loop_are_freed_then_refused_past_the_limits_and_others_are_served()
    {
        using var hub = Hubs.Start();
        int maxSessions = hub.Options.MaxSessionsPerConnection, maxLinks = hub.Options.MaxLinksPerSession;
        await using var raw = await RawClient.ConnectAsync(hub, "dev1");

        // 100 sessions begun and ended on one connection: each is freed, so none is refused.
        for (var i = 0; i < 100; i++)
        {
            await raw.BeginAsync(1);
            await raw.EndAsync(1);
        }
        // 100 links attached and detached on one session.
        await raw.BeginAsync(0);
        for (var i = 0; i < 100; i++)
        {
            Assert.Null(await raw.AttachAsync(0, 0, "loop-" + i, Telemetry1));
            await raw.DetachAsync(0, 0);
        }

        // Then links without detaching, past the limit: the hub refuses the first one beyond it.
        var linksAccepted = 0;
        string? linkRefusal = null;
        for (uint handle = 0; handle < maxLinks + 8 && linkRefusal is null; handle++)
        {
            linkRefusal = await raw.AttachAsync(0, handle, "many-" + handle, Telemetry1);
            if (linkRefusal is null) linksAccepted++;
        }
        Assert.Equal(maxLinks, linksAccepted);
        Assert.Contains("amqp:resource-limit-exceeded", linkRefusal);

        // And sessions without ending, past the limit (begin on channels the client picks, ignoring channel-max).
        await using var raw2 = await RawClient.ConnectAsync(hub, "dev1");
        var sessionsAccepted = 0;
        string? sessionRefusal = null;
        for (ushort channel = 0; channel < maxSessions + 8 && sessionRefusal is null; channel++)
        {
            sessionRefusal = await raw2.TryBeginAsync(channel);
            if (sessionRefusal is null) sessionsAccepted++;
        }
        Assert.Equal(maxSessions, sessionsAccepted);
        Assert.Contains("amqp:resource-limit-exceeded", sessionRefusal);

        // Others are still served.
        await using var other = await TestClient.ConnectDeviceAsync(hub, "dev2");
        var link = await other.SenderAsync("/devices/dev2/messages/events");
        Assert.IsType<Accepted>(await TestClient.SendAsync(link, TestClient.Telemetry("still serving")));
        _output.WriteLine($"links: {linksAccepted} accepted, then refused ({linkRefusal}); sessions: {sessionsAccepted} accepted, then refused ({sessionRefusal})");
    }

    [Fact]
    public async Task Endless_multi_frame_transfer_is_cut_at_the_message_size_limit_with_memory_bounded()
    {
        const long GiveUpAfter = 64L * 1024 * 1024;
        const int Chunk = 16 * 1024;
        const long PeakBound = 32L * 1024 * 1024;
        using var hub = Hubs.Start();
        await using var raw = await RawClient.ConnectAsync(hub, "dev1");
        await raw.BeginAsync(0);
        Assert.Null(await raw.AttachAsync(0, 0, "endless", Telemetry1));
        await raw.WaitCreditAsync(0);
        var before = GC.GetTotalMemory(true);
        long peak = before;

        // One delivery that never ends: transfer frames with more=true until the hub stops it (or 64 MB).
        long sent = 0;
        var payload = new byte[Chunk];
        new Random(5).NextBytes(payload);
        var first = true;
        var watch = Stopwatch.StartNew();
        while (sent < GiveUpAfter && raw.Stopped is null)
        {
            var transfer = first
                ? new Transfer { Handle = 0, DeliveryId = 0, DeliveryTag = new ArraySegment<byte>(new byte[] { 1 }), MessageFormat = 0, Settled = false, More = true }
                : new Transfer { Handle = 0, More = true };
            first = false;
            if (!await raw.TrySendAsync(0, transfer, payload)) break;
            sent += Chunk;
            if (sent % (1024 * 1024) == 0) peak = Math.Max(peak, GC.GetTotalMemory(false));
        }
        // The hub's answer may still be on its way when a write fails: wait for it (bounded).
        var stop = await raw.WaitStoppedAsync(TimeSpan.FromSeconds(10));
        var elapsed = watch.Elapsed;
        var after = GC.GetTotalMemory(true);

        Assert.True(sent < GiveUpAfter, $"the hub took {sent / (1024 * 1024)} MB of one message without stopping it");
        Assert.True(stop.Contains("message-size-exceeded") || stop.Contains("framing-error") || stop.Contains("resource-limit-exceeded"),
            "the hub stopped the transfer with: " + stop);
        Assert.True(peak - before < PeakBound, $"heap peaked {(peak - before) / 1024} KB above the start");
        Assert.True(after - before < 8L * 1024 * 1024, $"heap kept {(after - before) / 1024} KB after the transfer");

        // Still serving.
        await using var client = await TestClient.ConnectDeviceAsync(hub, "dev2");
        var link = await client.SenderAsync("/devices/dev2/messages/events");
        Assert.IsType<Accepted>(await TestClient.SendAsync(link, TestClient.Telemetry("still serving")));
        _output.WriteLine($"stopped after {sent / 1024} KB sent in {elapsed.TotalMilliseconds:0} ms ({hub.Options.TelemetryMaxMessageSize / 1024} KB limit) with {stop}; " +
            $"heap {before / 1024} KB, peak {peak / 1024} KB, after {after / 1024} KB");
    }

    /// <summary>
    /// A hand-driven AMQP client over TLS (validating the hub's CA): frames are encoded and decoded with
    /// Microsoft.Azure.Amqp's performatives, but what is sent, and when, is up to the test.
    /// </summary>
    private sealed class RawClient : IAsyncDisposable
    {
        private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);
        private readonly TcpClient _tcp;
        private readonly SslStream _tls;
        private readonly BlockingCollection<Frame> _frames = new();
        private readonly SemaphoreSlim _writeLock = new(1, 1);
        private readonly CancellationTokenSource _cancel = new();
        // Our channel -> the hub's channel for the same session (frames from the hub carry its own numbers).
        private readonly Dictionary<ushort, ushort> _hubChannel = new();
        private Task? _reader;

        private RawClient(TcpClient tcp, SslStream tls)
        {
            _tcp = tcp;
            _tls = tls;
        }

        /// <summary>Why the hub stopped the link, session or connection (detach, end, close or end of stream), or null.</summary>
        public string? Stopped { get; private set; }

        public static async Task<RawClient> ConnectAsync(LocalHub hub, string deviceId)
        {
            var tcp = new TcpClient();
            await tcp.ConnectAsync("127.0.0.1", hub.Port);
            var tls = new SslStream(tcp.GetStream(), false, TestClient.Validator(hub.CaCertificate));
            await tls.AuthenticateAsClientAsync(hub.HostName);
            var c = new RawClient(tcp, tls);

            // SASL PLAIN with the device's token (AMQP 1.0 5.3).
            await c.WriteAsync(new byte[] { (byte)'A', (byte)'M', (byte)'Q', (byte)'P', 3, 1, 0, 0 });
            await c.ReadHeaderAsync(3);
            Assert.IsType<SaslMechanisms>((await c.ReadFrameAsync()).Command);
            var response = System.Text.Encoding.UTF8.GetBytes($"\0{deviceId}@sas.{hub.Options.HubName}\0{hub.CreateDeviceToken(deviceId, TimeSpan.FromHours(1))}");
            await c.SendAsync(FrameType.Sasl, 0, new SaslInit { Mechanism = "PLAIN", InitialResponse = new ArraySegment<byte>(response), HostName = hub.HostName });
            var outcome = Assert.IsType<SaslOutcome>((await c.ReadFrameAsync()).Command);
            Assert.Equal(SaslCode.Ok, outcome.OutcomeCode);

            await c.WriteAsync(new byte[] { (byte)'A', (byte)'M', (byte)'Q', (byte)'P', 0, 1, 0, 0 });
            await c.ReadHeaderAsync(0);
            await c.SendAsync(FrameType.Amqp, 0, new Open { ContainerId = "raw-" + Guid.NewGuid().ToString("n"), HostName = hub.HostName, MaxFrameSize = 65536, ChannelMax = 1000 });
            c._reader = Task.Run(c.ReadLoopAsync);
            await c.ExpectAsync(f => f.Command is Open);
            return c;
        }

        public async Task BeginAsync(ushort channel) => Assert.Null(await TryBeginAsync(channel));

        /// <summary>Begins a session on <paramref name="channel"/>; null when the hub answered with begin, else why not.</summary>
        public async Task<string?> TryBeginAsync(ushort channel)
        {
            if (!await TrySendAsync(channel, new Begin { NextOutgoingId = 0, IncomingWindow = 5000, OutgoingWindow = 5000, HandleMax = 1000 })) return Stopped ?? "write failed";
            // A refusal may end every session (ends without an error) before closing the connection: wait for the close.
            var f = await ExpectAsync(f => (f.Command is Begin b && b.RemoteChannel == channel) || f.Command is End { Error: not null } or Close);
            if (f.Command is not Begin) return Describe(f.Command);
            _hubChannel[channel] = f.Channel;
            return null;
        }

        public async Task EndAsync(ushort channel)
        {
            await SendAsync(FrameType.Amqp, channel, new End());
            await ExpectAsync(f => f.Channel == _hubChannel[channel] && f.Command is End);
            _hubChannel.Remove(channel);
        }

        /// <summary>Attaches a sender; null when attached, else the hub's refusal.</summary>
        public async Task<string?> AttachAsync(ushort channel, uint handle, string name, string address)
        {
            var attach = new Attach
            {
                LinkName = name,
                Handle = handle,
                Role = false,
                SndSettleMode = 0,
                RcvSettleMode = 0,
                Source = new Source { Address = "raw" },
                Target = new Target { Address = address },
                InitialDeliveryCount = 0,
            };
            if (!await TrySendAsync(channel, attach)) return Stopped ?? "write failed";
            var reply = await ExpectAsync(f => (f.Channel == _hubChannel[channel] && f.Command is Attach a && a.Handle == handle) || f.Command is End or Close);
            if (reply.Command is not Attach answered) return Describe(reply.Command);
            if (answered.Target is not null) return null;
            // Refused (AMQP 1.0 2.6.3): an attach with a null terminus, then a detach with the error.
            var detach = await ExpectAsync(f => (f.Channel == _hubChannel[channel] && f.Command is Detach d && d.Handle == handle) || f.Command is End or Close);
            return Describe(detach.Command);
        }

        public async Task DetachAsync(ushort channel, uint handle)
        {
            await SendAsync(FrameType.Amqp, channel, new Detach { Handle = handle, Closed = true });
            await ExpectAsync(f => f.Channel == _hubChannel[channel] && f.Command is Detach d && d.Handle == handle);
        }

        public Task WaitCreditAsync(ushort channel) =>
            ExpectAsync(f => f.Channel == _hubChannel[channel] && f.Command is Flow flow && flow.Handle == 0 && flow.LinkCredit > 0);

        /// <summary>Sends a performative and a payload; false when the connection is gone or the write stalls.</summary>
        public async Task<bool> TrySendAsync(ushort channel, Performative command, byte[]? payload = null)
        {
            try
            {
                await SendAsync(FrameType.Amqp, channel, command, payload);
                return true;
            }
            catch (Exception e) when (e is IOException or OperationCanceledException or ObjectDisposedException)
            {
                return false;
            }
        }

        public async Task<string> WaitStoppedAsync(TimeSpan timeout)
        {
            var deadline = DateTime.UtcNow + timeout;
            while (Stopped is null && DateTime.UtcNow < deadline) await Task.Delay(10);
            return Stopped ?? "nothing within " + timeout.TotalSeconds + " s";
        }

        private async Task SendAsync(FrameType type, ushort channel, Performative command, byte[]? payload = null)
        {
            using var buffer = Frame.EncodeCommand(type, channel, command, payload?.Length ?? 0);
            using var timeout = new CancellationTokenSource(Timeout);
            await _writeLock.WaitAsync(timeout.Token);
            try
            {
                await _tls.WriteAsync(buffer.Buffer.AsMemory(buffer.Offset, buffer.Length), timeout.Token);
                if (payload is not null) await _tls.WriteAsync(payload, timeout.Token);
                await _tls.FlushAsync(timeout.Token);
            }
            finally
            {
                _writeLock.Release();
            }
        }

        private async Task WriteAsync(byte[] bytes)
        {
            await _tls.WriteAsync(bytes);
            await _tls.FlushAsync();
        }

        private async Task ReadHeaderAsync(byte protocolId)
        {
            var header = new byte[8];
            await _tls.ReadExactlyAsync(header).AsTask().WaitAsync(Timeout);
            Assert.Equal(protocolId, header[4]);
        }

        private async Task<Frame> ReadFrameAsync()
        {
            var size = new byte[4];
            await _tls.ReadExactlyAsync(size, _cancel.Token).AsTask().WaitAsync(Timeout);
            var length = (size[0] << 24) | (size[1] << 16) | (size[2] << 8) | size[3];
            Assert.InRange(length, 8, 1024 * 1024);
            var bytes = new byte[length];
            size.CopyTo(bytes, 0);
            await _tls.ReadExactlyAsync(bytes.AsMemory(4), _cancel.Token);
            var frame = new Frame();
            frame.Decode(new ByteBuffer(bytes, 0, length));
            return frame;
        }

        // Everything the hub sends after open, in order; the first detach, end or close (or the end of the
        // stream) is noted as the reason the hub stopped.
        private async Task ReadLoopAsync()
        {
            try
            {
                while (true)
                {
                    var size = new byte[4];
                    await _tls.ReadExactlyAsync(size, _cancel.Token);
                    var length = (size[0] << 24) | (size[1] << 16) | (size[2] << 8) | size[3];
                    if (length < 8 || length > 1024 * 1024) throw new InvalidDataException("frame size " + length);
                    var bytes = new byte[length];
                    size.CopyTo(bytes, 0);
                    await _tls.ReadExactlyAsync(bytes.AsMemory(4), _cancel.Token);
                    var frame = new Frame();
                    frame.Decode(new ByteBuffer(bytes, 0, length));
                    if (frame.Command is Detach { Error: not null } or End or Close) Stopped ??= Describe(frame.Command);
                    _frames.Add(frame);
                }
            }
            catch (Exception e)
            {
                Stopped ??= "end of stream (" + e.GetType().Name + ")";
                _frames.CompleteAdding();
            }
        }

        private Task<Frame> ExpectAsync(Func<Frame, bool> match) => Task.Run(() =>
        {
            using var timeout = new CancellationTokenSource(Timeout);
            try
            {
                while (true)
                {
                    if (!_frames.TryTake(out var f, System.Threading.Timeout.Infinite, timeout.Token))
                        throw new InvalidOperationException("the hub closed the stream: " + Stopped);
                    if (match(f)) return f;
                }
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException("no matching frame from the hub within " + Timeout.TotalSeconds + " s");
            }
        });

        private static string Describe(Performative? p) => p switch
        {
            Detach d => "detach " + d.Error?.Condition + " " + d.Error?.Description,
            End e => "end " + e.Error?.Condition + " " + e.Error?.Description,
            Close c => "close " + c.Error?.Condition + " " + c.Error?.Description,
            _ => p?.ToString() ?? "nothing",
        };

        public async ValueTask DisposeAsync()
        {
            _cancel.Cancel();
            _tcp.Dispose();
            if (_reader is not null)
            {
                try { await _reader.WaitAsync(TimeSpan.FromSeconds(5)); }
                catch (Exception) { }
            }
            _tls.Dispose();
            _frames.Dispose();
            _cancel.Dispose();
            _writeLock.Dispose();
        }
    }
}
