using System.Diagnostics;
using Microsoft.Azure.Amqp;
using Microsoft.Azure.Amqp.Framing;

namespace IotHubAmqp.LocalHub.Tests;

public class FaultInjectionTests
{
    [Fact]
    public async Task Stop_and_start_keep_the_port_and_the_ca_so_devices_reconnect()
    {
        using var hub = Hubs.Start();
        string thumbprint = hub.CaCertificate.Thumbprint;
        string pem = File.ReadAllText(hub.CaCertificatePath);
        int port = hub.Port;
        hub.Stop();
        hub.Start();
        Assert.Equal(port, hub.Port);
        Assert.Equal(thumbprint, hub.CaCertificate.Thumbprint);
        Assert.Equal(pem, File.ReadAllText(hub.CaCertificatePath));
        // A client that trusts the CA it read before the restart still connects.
        await using var device = await TestClient.ConnectDeviceAsync(hub, "dev1");
        Assert.Equal(AmqpObjectState.Opened, device.Connection.State);
    }

    [Fact]
    public async Task Abort_cuts_the_device_connection_and_is_reported_as_an_event()
    {
        using var hub = Hubs.Start();
        await using var device = await TestClient.ConnectDeviceAsync(hub, "dev1");
        await using var other = await TestClient.ConnectDeviceAsync(hub, "dev2");
        var closed = TestClient.WaitClosedAsync(device.Connection);
        Assert.Equal(1, hub.AbortDeviceConnections("dev1"));
        await closed;
        await hub.WaitForEventAsync(e => e.Kind == HubEventKind.Closed && e.DeviceId == "dev1", TestClient.Timeout);
        Assert.Equal(AmqpObjectState.Opened, other.Connection.State);
        Assert.Contains(hub.GetEvents(), e => e.Kind == HubEventKind.Connected);
    }

    [Fact]
    public async Task Detach_closes_the_devices_links_with_the_chosen_condition()
    {
        using var hub = Hubs.Start();
        await using var device = await TestClient.ConnectDeviceAsync(hub, "dev1");
        var tx = await device.SenderAsync("/devices/dev1/messages/events");
        var rx = await device.ReceiverAsync("/devices/dev1/messages/devicebound");
        var txClosed = TestClient.WaitClosedAsync(tx);
        var rxClosed = TestClient.WaitClosedAsync(rx);
        Assert.Equal(2, hub.DetachDeviceLinks("dev1", "amqp:link:detach-forced", "Server Busy"));
        Assert.Equal("amqp:link:detach-forced", (await txClosed)?.Condition.Value);
        Assert.Equal("amqp:link:detach-forced", (await rxClosed)?.Condition.Value);
        Assert.Equal(AmqpObjectState.Opened, device.Connection.State);
        // The device can attach again right away (the C2D receive slot was freed).
        await device.ReceiverAsync("/devices/dev1/messages/devicebound");
    }

    [Fact]
    public async Task Stall_holds_the_connection_silent_then_resumes()
    {
        using var hub = Hubs.Start();
        await using var device = await TestClient.ConnectDeviceAsync(hub, "dev1");
        var tx = await device.SenderAsync("/devices/dev1/messages/events");
        Assert.IsType<Accepted>(await TestClient.SendAsync(tx, TestClient.Telemetry("before")));
        // The read already pending completes, but nothing is written back (and nothing more read) until the stall ends.
        var watch = Stopwatch.StartNew();
        Assert.Equal(1, hub.StallDeviceConnections("dev1", TimeSpan.FromSeconds(1.5)));
        Assert.IsType<Accepted>(await TestClient.SendAsync(tx, TestClient.Telemetry("during-1")));
        var outcome = await TestClient.SendAsync(tx, TestClient.Telemetry("during-2"));
        watch.Stop();
        Assert.IsType<Accepted>(outcome);
        Assert.InRange(watch.Elapsed, TimeSpan.FromMilliseconds(700), TimeSpan.FromSeconds(8));
        Assert.Equal(3, hub.GetTelemetry("dev1").Count);
    }
}
