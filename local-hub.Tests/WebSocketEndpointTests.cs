using System.Net;
using System.Net.WebSockets;

namespace IotHubAmqp.LocalHub.Tests;

/// <summary>The AMQP-over-WebSockets endpoint: what it accepts and how it refuses.</summary>
public class WebSocketEndpointTests
{
    private static async Task<(ClientWebSocket Socket, Exception? Error)> ConnectAsync(LocalHub hub, string path, string? subProtocol)
    {
        var ws = new ClientWebSocket();
        ws.Options.CollectHttpResponseDetails = true;
        ws.Options.RemoteCertificateValidationCallback = TestClient.Validator(hub.CaCertificate);
        if (subProtocol is not null) ws.Options.AddSubProtocol(subProtocol);
        try
        {
            await ws.ConnectAsync(new Uri($"wss://127.0.0.1:{hub.WebSocketPort}{path}"), new CancellationTokenSource(10000).Token);
            return (ws, null);
        }
        catch (WebSocketException e)
        {
            return (ws, e);
        }
    }

    [Fact]
    public async Task Upgrade_with_AMQPWSB10_is_accepted_and_answers_the_amqp_header()
    {
        using var hub = Hubs.Start(o => o.WebSocketPort = 0);
        var (ws, error) = await ConnectAsync(hub, "/$iothub/websocket", "AMQPWSB10");
        using var _ = ws;
        Assert.Null(error);
        Assert.Equal("AMQPWSB10", ws.SubProtocol);
        var header = new byte[] { 0x41, 0x4d, 0x51, 0x50, 3, 1, 0, 0 };
        await ws.SendAsync(header, WebSocketMessageType.Binary, true, CancellationToken.None);
        var got = new byte[8];
        var r = await ws.ReceiveAsync(got, new CancellationTokenSource(10000).Token);
        Assert.Equal(WebSocketMessageType.Binary, r.MessageType);
        Assert.Equal(header, got[..r.Count]);
    }

    [Theory]
    [InlineData("/$iothub/websocket", "mqtt", HttpStatusCode.BadRequest)]
    [InlineData("/$iothub/websocket", null, HttpStatusCode.BadRequest)]
    [InlineData("/other", "AMQPWSB10", HttpStatusCode.NotFound)]
    public async Task Wrong_subprotocol_or_path_is_refused_with_a_status(string path, string? subProtocol, HttpStatusCode expected)
    {
        using var hub = Hubs.Start(o => o.WebSocketPort = 0);
        var (ws, error) = await ConnectAsync(hub, path, subProtocol);
        using var _ = ws;
        Assert.NotNull(error);
        Assert.Equal(expected, ws.HttpStatusCode);
        Assert.DoesNotContain(hub.GetEvents(), e => e.Kind == HubEventKind.Connected);
    }

    [Fact]
    public void Without_the_option_no_endpoint_is_served()
    {
        using var hub = Hubs.Start();
        Assert.Equal(0, hub.WebSocketPort);
    }
}

/// <summary>The --ws-port flag.</summary>
public class WebSocketCommandLineTests
{
    [Fact]
    public void Ws_port_flag_sets_the_option_and_is_off_by_default()
    {
        Assert.Null(CommandLine.Parse(new[] { "--port", "0" })!.WebSocketPort);
        Assert.Equal(0, CommandLine.Parse(new[] { "--ws-port", "0" })!.WebSocketPort);
        Assert.Equal(8443, CommandLine.Parse(new[] { "--ws-port", "8443" })!.WebSocketPort);
        Assert.Contains("--ws-port", CommandLine.Usage);
        Assert.Throws<ArgumentException>(() => CommandLine.Parse(new[] { "--ws-port", "x" }));
    }
}
