using System.Net.Security;
using System.Net.Sockets;
using Microsoft.Azure.Amqp;
using Microsoft.Azure.Amqp.Encoding;
using Microsoft.Azure.Amqp.Framing;

namespace IotHubAmqp.LocalHub.Tests;

/// <summary>Frames no library client would send, written byte by byte over TLS with no SASL and no token.</summary>
public class HostileFrameTests
{
    [Fact]
    public async Task Deeply_nested_described_values_in_an_unauthenticated_put_token_close_the_connection_and_the_hub_survives()
    {
        using var hub = Hubs.Start();
        await using (var raw = await RawClient.OpenAsync(hub))
        {
            await raw.WriteAsync(Command(1, new Attach
            {
                LinkName = "cbs", Handle = 0, Role = false, Source = new Source { Address = "x" },
                Target = new Target { Address = "$cbs" }, SndSettleMode = 0, RcvSettleMode = 0, InitialDeliveryCount = 0,
            }));
            await Task.Delay(300); // the hub's attach and credit
            // An amqp-value section whose value is 60,000 described values, each the descriptor of the next.
            var body = new byte[3 + 60_000 + 60_000 / 1];
            body[0] = 0x00; body[1] = 0x53; body[2] = 0x77;
            Array.Fill(body, (byte)0x40, 3 + 60_000, 60_000); // the nulls that end each level (never reached)
            var transfer = new Transfer { Handle = 0, DeliveryId = 0, DeliveryTag = new ArraySegment<byte>(new byte[] { 1 }), MessageFormat = 0 };
            await raw.WriteAsync(Command(1, transfer, body.AsSpan(0, 60_003 + 1000).ToArray()));
            var closeError = await raw.ReadCloseErrorAsync();
            Assert.Equal(AmqpErrorCode.FramingError.Value, closeError);
        }
        await AssertStillServesAsync(hub);
    }

    [Fact]
    public async Task A_data_offset_beyond_the_frame_closes_the_connection_with_a_framing_error()
    {
        using var hub = Hubs.Start();
        await using (var raw = await RawClient.OpenAsync(hub))
        {
            await raw.WriteAsync(new byte[] { 0, 0, 0, 12, 200, 0, 0, 0, 0x40, 0x40, 0x40, 0x40 });
            Assert.Equal(AmqpErrorCode.FramingError.Value, await raw.ReadCloseErrorAsync());
        }
        await AssertStillServesAsync(hub);
    }

    [Fact]
    public void Ordinary_frames_pass_the_guard_and_nesting_past_the_limit_does_not()
    {
        var attach = Command(0, new Attach { LinkName = "l", Handle = 0, Role = false, Target = new Target { Address = "$cbs" } });
        Assert.Null(new FrameGuard(65536).Feed(attach));
        var nested = Enumerable.Repeat(new byte[] { 0xC0, 0x00, 0x01 }, FrameGuard.MaxDepth + 1).SelectMany(b => b).Append((byte)0x40).ToArray();
        Assert.NotNull(FrameGuard.ScanBody(nested));
        Assert.Null(FrameGuard.ScanBody(nested.AsSpan(3).ToArray()));
    }

    private static async Task AssertStillServesAsync(LocalHub hub)
    {
        await using var client = await TestClient.ConnectDeviceAsync(hub, "dev1");
        var link = await client.SenderAsync("/devices/dev1/messages/events");
        Assert.IsType<Accepted>(await TestClient.SendAsync(link, TestClient.Telemetry("still serving")));
    }

    internal static byte[] Command(ushort channel, Performative command, byte[]? payload = null)
    {
        var buffer = Frame.EncodeCommand(FrameType.Amqp, channel, command, payload?.Length ?? 0);
        var bytes = new byte[buffer.Length + (payload?.Length ?? 0)];
        Buffer.BlockCopy(buffer.Buffer, buffer.Offset, bytes, 0, buffer.Length);
        payload?.CopyTo(bytes, buffer.Length);
        return bytes;
    }

    /// <summary>TLS, the plain AMQP header, open and begin, then whatever the test writes.</summary>
    internal sealed class RawClient : IAsyncDisposable
    {
        private readonly TcpClient _tcp;
        private readonly SslStream _tls;
        private RawClient(TcpClient tcp, SslStream tls) { _tcp = tcp; _tls = tls; }

        public static async Task<RawClient> OpenAsync(LocalHub hub, bool begin = true)
        {
            var tcp = new TcpClient();
            await tcp.ConnectAsync("127.0.0.1", hub.Port);
            var tls = new SslStream(tcp.GetStream(), false, TestClient.Validator(hub.CaCertificate));
            await tls.AuthenticateAsClientAsync(hub.HostName);
            var client = new RawClient(tcp, tls);
            await client.WriteAsync(new byte[] { (byte)'A', (byte)'M', (byte)'Q', (byte)'P', 0, 1, 0, 0 });
            await client.WriteAsync(Command(0, new Open { ContainerId = "raw", HostName = hub.HostName, MaxFrameSize = 65536, ChannelMax = 10 }));
            if (begin) await client.WriteAsync(Command(1, new Begin { NextOutgoingId = 0, IncomingWindow = 1000, OutgoingWindow = 1000 }));
            return client;
        }

        public async Task WriteAsync(byte[] bytes)
        {
            await _tls.WriteAsync(bytes);
            await _tls.FlushAsync();
        }

        /// <summary>Reads frames until the hub's close; returns its error condition (null: no close came).</summary>
        public async Task<string?> ReadCloseErrorAsync()
        {
            using var cts = new CancellationTokenSource(TestClient.Timeout);
            var header = new byte[8];
            await _tls.ReadExactlyAsync(header, cts.Token); // the hub's protocol header
            try
            {
                while (true)
                {
                    await _tls.ReadExactlyAsync(header.AsMemory(0, 8), cts.Token);
                    var size = (int)System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(header);
                    var body = new byte[size - 8];
                    await _tls.ReadExactlyAsync(body, cts.Token);
                    var doff = header[4] * 4 - 8;
                    if (body.Length <= doff) continue; // heartbeat
                    var buffer = new ByteBuffer(body, doff, body.Length - doff);
                    if (AmqpCodec.DecodeAmqpDescribed(buffer) is Close close) return close.Error?.Condition.Value;
                }
            }
            catch (Exception ex) when (ex is EndOfStreamException or IOException or OperationCanceledException) { return null; }
        }

        public async ValueTask DisposeAsync()
        {
            await _tls.DisposeAsync();
            _tcp.Dispose();
        }
    }
}
