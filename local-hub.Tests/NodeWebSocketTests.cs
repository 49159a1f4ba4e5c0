using System.Text;

namespace IotHubAmqp.LocalHub.Tests;

/// <summary>Azure's Node device client over AMQP over WebSockets (AmqpWs) against the hub's WebSocket endpoint, TLS validated.</summary>
public partial class NodeClientTests
{
    [Fact]
    public async Task Node_AmqpWs_device_sends_telemetry_and_completes_a_c2d_message_over_websockets()
    {
        RequireNodeModules();
        using var hub = Hubs.Start(o => o.WebSocketPort = 0);
        Assert.NotEqual(0, hub.WebSocketPort);
        var run = RunAsync(hub, "device-amqp-ws.js", new()
        {
            ["DEVICE_CONNECTION_STRING"] = hub.DeviceConnectionString("dev1"),
            ["WS_PORT"] = hub.WebSocketPort.ToString(),
        });
        var telemetry = (await hub.WaitForTelemetryAsync("dev1", 1, ScriptTimeout)).Single();
        Assert.Equal("node-ws-1", telemetry.MessageId);
        Assert.Equal("AmqpWs", telemetry.ApplicationProperties["transport"]);
        Assert.Contains("websockets", Encoding.UTF8.GetString(telemetry.Body));
        // The connection came through the WebSocket endpoint, not the AMQP port.
        Assert.Contains(hub.GetEvents(), e => e.Kind == HubEventKind.Connected && (e.Reason ?? "").StartsWith("wss://", StringComparison.Ordinal));

        hub.SendCloudToDevice("dev1", new CloudToDeviceMessage { MessageId = "to-node-ws-1", Body = "ping"u8.ToArray() });
        var (exit, output, errors) = await run;
        Assert.True(exit == 0, $"exit {exit}\nstdout:\n{output}\nstderr:\n{errors}");
        Assert.Contains("C2D_RECEIVED to-node-ws-1 ping", output);
        Assert.Contains("C2D_COMPLETED to-node-ws-1", output);
    }
}
