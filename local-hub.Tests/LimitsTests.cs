using System.Net.Security;
using System.Net.Sockets;
using Microsoft.Azure.Amqp;
using Microsoft.Azure.Amqp.Framing;

namespace IotHubAmqp.LocalHub.Tests;

public class LimitsTests
{
    [Fact]
    public async Task Sessions_beyond_the_limit_are_refused()
    {
        using var hub = Hubs.Start(o => o.MaxSessionsPerConnection = 2);
        await using var client = await TestClient.ConnectDeviceAsync(hub, "dev1");
        var second = client.Connection.CreateSession(new AmqpSessionSettings());
        await second.OpenAsync(TestClient.Timeout);
        await Assert.ThrowsAnyAsync<Exception>(async () =>
        {
            var third = client.Connection.CreateSession(new AmqpSessionSettings());
            await third.OpenAsync(TimeSpan.FromSeconds(5));
        });
    }

    [Fact]
    public async Task Links_beyond_the_limit_are_refused()
    {
        using var hub = Hubs.Start(o => o.MaxLinksPerSession = 2);
        await using var client = await TestClient.ConnectDeviceAsync(hub, "dev1");
        await client.SenderAsync("/devices/dev1/messages/events");
        await client.SenderAsync("/devices/dev1/messages/events");
        await Assert.ThrowsAnyAsync<Exception>(() => client.SenderAsync("/devices/dev1/messages/events"));
    }

    [Fact]
    public async Task Connections_beyond_the_limit_are_dropped()
    {
        using var hub = Hubs.Start(o => o.MaxConnections = 2);
        await using var a = await TestClient.ConnectDeviceAsync(hub, "dev1");
        await using var b = await TestClient.ConnectDeviceAsync(hub, "dev2");
        await Assert.ThrowsAnyAsync<Exception>(() => TestClient.ConnectDeviceAsync(hub, "dev1"));
    }

    [Fact]
    public async Task Unknown_addresses_are_not_found()
    {
        using var hub = Hubs.Start();
        await using var client = await TestClient.ConnectDeviceAsync(hub, "dev1");
        var ex = await Assert.ThrowsAsync<AmqpException>(() => client.SenderAsync("/no/such/node"));
        Assert.Equal(AmqpErrorCode.NotFound, ex.Error.Condition);
    }

    [Fact]
    public async Task Hostile_frames_and_garbage_are_dropped_and_the_hub_keeps_serving()
    {
        using var hub = Hubs.Start();
        // 1: garbage instead of TLS.
        using (var tcp = new TcpClient())
        {
            await tcp.ConnectAsync("127.0.0.1", hub.Port);
            await tcp.GetStream().WriteAsync(new byte[1024]);
        }
        // 2: valid TLS + AMQP header, then a frame claiming 2 GB.
        using (var tcp = new TcpClient())
        {
            await tcp.ConnectAsync("127.0.0.1", hub.Port);
            using var tls = new SslStream(tcp.GetStream(), false, TestClient.Validator(hub.CaCertificate));
            await tls.AuthenticateAsClientAsync(hub.HostName);
            await tls.WriteAsync(new byte[] { (byte)'A', (byte)'M', (byte)'Q', (byte)'P', 0, 1, 0, 0 });
            var header = new byte[8];
            await tls.ReadExactlyAsync(header);
            await tls.WriteAsync(new byte[] { 0x7F, 0xFF, 0xFF, 0xFF, 2, 0, 0, 0 });
            await tls.FlushAsync();
            var buffer = new byte[4096];
            using var cts = new CancellationTokenSource(TestClient.Timeout);
            // The hub answers with a close (or drops the socket): read until end of stream.
            try { while (await tls.ReadAsync(buffer, cts.Token) > 0) { } }
            catch (IOException) { }
        }
        await using var client = await TestClient.ConnectDeviceAsync(hub, "dev1");
        var link = await client.SenderAsync("/devices/dev1/messages/events");
        Assert.IsType<Accepted>(await TestClient.SendAsync(link, TestClient.Telemetry("still serving")));
    }

    [Fact]
    public void Telemetry_retention_is_bounded_per_partition()
    {
        var store = new TelemetryStore(1, 3);
        for (var i = 0; i < 5; i++) store.Append(0, DateTimeOffset.UtcNow, (_, _) => MessageSnapshot.From(TestClient.Telemetry("x")));
        var info = store.Info(0);
        Assert.Equal(2, info.Begin);
        Assert.Equal(4, info.Last);
    }

    [Fact]
    public async Task Tls_below_1_2_is_refused()
    {
        using var hub = Hubs.Start();
        using var tcp = new TcpClient();
        await tcp.ConnectAsync("127.0.0.1", hub.Port);
        using var tls = new SslStream(tcp.GetStream(), false, TestClient.Validator(hub.CaCertificate));
#pragma warning disable SYSLIB0039 // TLS 1.1 on purpose: the hub must refuse it
        await Assert.ThrowsAnyAsync<Exception>(() => tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
        {
            TargetHost = hub.HostName,
            EnabledSslProtocols = System.Security.Authentication.SslProtocols.Tls11,
            RemoteCertificateValidationCallback = TestClient.Validator(hub.CaCertificate),
        }));
#pragma warning restore SYSLIB0039
    }

    [Fact]
    public void Command_line_flags_build_the_options()
    {
        var key = DeviceRegistry.NewKey();
        var o = CommandLine.Parse(new[] { "--port", "0", "--hub-name", "h1", "--device", "a", "--device", $"b:{key}", "--partitions", "2", "--bind", "127.0.0.1" })!;
        Assert.Equal(0, o.Port);
        Assert.Equal("h1", o.HubName);
        Assert.Equal(2, o.Partitions);
        Assert.True(o.Registry.TryGetDeviceKey("b", out var bKey) && bKey == key);
        Assert.True(o.Registry.Contains("a"));
        var registry = DeviceRegistry.LoadJson($"{{\"servicePolicy\":{{\"name\":\"service\",\"key\":\"{key}\"}},\"devices\":[{{\"id\":\"x\"}}]}}");
        Assert.Equal(key, registry.ServicePolicyKey);
        Assert.True(registry.Contains("x"));
    }
}
