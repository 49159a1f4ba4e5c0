using Microsoft.Azure.Amqp;
using Microsoft.Azure.Amqp.Framing;

namespace IotHubAmqp.LocalHub.Tests;

public class FidelityTests
{
    [Fact]
    public async Task A_sender_asking_for_second_settle_mode_is_answered_with_first_and_its_outcome_arrives_settled()
    {
        using var hub = Hubs.Start();
        await using var client = await TestClient.ConnectDeviceAsync(hub, "dev1");
        var link = await client.SenderAsync("/devices/dev1/messages/events", SettleMode.SettleOnDispose);
        var attached = await hub.WaitForEventAsync(e => e.Kind == HubEventKind.LinkAttached && e.Reason!.Contains("rcv-settle-mode=first"), TestClient.Timeout);
        Assert.NotNull(attached);
        Assert.IsType<Accepted>(await TestClient.SendAsync(link, TestClient.Telemetry("settled")));
    }

    [Fact]
    public async Task A_telemetry_body_of_262145_bytes_is_refused_and_262144_is_accepted()
    {
        using var hub = Hubs.Start(o => o.MaxFrameSize = 64 * 1024);
        await using var client = await TestClient.ConnectDeviceAsync(hub, "dev1");
        var link = await client.SenderAsync("/devices/dev1/messages/events");
        Assert.IsType<Accepted>(await TestClient.SendAsync(link, AmqpMessage.Create(new Data { Value = new ArraySegment<byte>(new byte[262_144]) })));
        var refused = Assert.IsType<Rejected>(await TestClient.SendAsync(link, AmqpMessage.Create(new Data { Value = new ArraySegment<byte>(new byte[262_145]) })));
        Assert.Equal(AmqpErrorCode.MessageSizeExceeded, refused.Error.Condition);
        Assert.Single(hub.GetTelemetry("dev1"));
    }

    [Fact]
    public async Task A_link_address_with_a_newline_cannot_forge_a_log_line()
    {
        var lines = new List<string>();
        using var hub = Hubs.Start(o => o.Log = l => { lock (lines) lines.Add(l); });
        await using var client = await TestClient.ConnectDeviceAsync(hub, "dev1");
        await Assert.ThrowsAnyAsync<Exception>(() => client.SenderAsync("/x\n[Authenticated] conn=999 device=dev2"));
        await Task.Delay(100);
        lock (lines)
        {
            Assert.DoesNotContain(lines, l => l.Contains('\n') || l.Contains('\r'));
            Assert.Contains(lines, l => l.Contains("\\n[Authenticated] conn=999"));
        }
    }
}
