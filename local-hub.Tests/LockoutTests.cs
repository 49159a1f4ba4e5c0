using System.Net.Sockets;
using Microsoft.Azure.Amqp;
using Microsoft.Azure.Amqp.Framing;

namespace IotHubAmqp.LocalHub.Tests;

/// <summary>Unauthenticated connections have their own budget and a deadline; devices keep getting in.</summary>
public class LockoutTests
{
    [Fact]
    public async Task With_300_idle_unauthenticated_connections_open_a_good_device_still_sends_3_of_3()
    {
        using var hub = Hubs.Start(o => o.AuthenticationDeadline = TimeSpan.FromMinutes(5));
        var idle = new List<TestClient>();
        var raw = new List<TcpClient>();
        try
        {
            // Idle sockets that never start TLS, and connections through TLS, SASL ANONYMOUS and AMQP open that never put a token.
            for (var i = 0; i < 100; i++)
            {
                var tcp = new TcpClient();
                await tcp.ConnectAsync("127.0.0.1", hub.Port);
                raw.Add(tcp);
            }
            for (var batch = 0; batch < 300; batch += 20)
            {
                var opened = await Task.WhenAll(Enumerable.Range(0, 20).Select(async _ =>
                {
                    try { return await TestClient.ConnectAsync(hub, SaslMode.Anonymous); }
                    catch (Exception) { return null; }
                }));
                idle.AddRange(opened.Where(c => c is not null)!);
            }
            Assert.True(idle.Count >= hub.Options.MaxConnections, $"only {idle.Count} idle connections opened");

            await using var plain = await TestClient.ConnectDeviceAsync(hub, "dev1");
            await using var cbs = await TestClient.ConnectAsync(hub, SaslMode.Anonymous);
            Assert.Equal(200, (await cbs.PutTokenAsync(hub.CreateDeviceToken("dev2", TimeSpan.FromHours(1)), $"{hub.HostName}/devices/dev2")).Status);
            foreach (var (client, id) in new[] { (plain, "dev1"), (cbs, "dev2") })
            {
                var link = await client.SenderAsync($"/devices/{id}/messages/events");
                for (var i = 0; i < 3; i++) Assert.IsType<Accepted>(await TestClient.SendAsync(link, TestClient.Telemetry($"{id}-{i}")));
            }
            Assert.Equal(3, hub.GetTelemetry("dev1").Count);
            Assert.Equal(3, hub.GetTelemetry("dev2").Count);
            var stillOpen = idle.Count(c => c.Connection.State == AmqpObjectState.Opened);
            Assert.True(stillOpen <= hub.Options.MaxUnauthenticatedConnections, $"{stillOpen} unauthenticated connections still open");
        }
        finally
        {
            foreach (var c in idle) c.Connection.Abort();
            foreach (var t in raw) t.Dispose();
        }
    }

    [Fact]
    public async Task A_connection_without_a_token_is_closed_at_the_deadline_and_says_why()
    {
        using var hub = Hubs.Start(o => o.AuthenticationDeadline = TimeSpan.FromSeconds(1));
        await using var idle = await TestClient.ConnectAsync(hub, SaslMode.Anonymous);
        await using var device = await TestClient.ConnectAsync(hub, SaslMode.Anonymous);
        Assert.Equal(200, (await device.PutTokenAsync(hub.CreateDeviceToken("dev1", TimeSpan.FromHours(1)), $"{hub.HostName}/devices/dev1")).Status);
        var error = await TestClient.WaitClosedAsync(idle.Connection, TimeSpan.FromSeconds(5));
        Assert.Equal(AmqpErrorCode.UnauthorizedAccess, error?.Condition);
        Assert.Equal("No valid token within 1 s of opening the connection.", error?.Description);
        await Task.Delay(500);
        Assert.Equal(AmqpObjectState.Opened, device.Connection.State);
        var link = await device.SenderAsync("/devices/dev1/messages/events");
        Assert.IsType<Accepted>(await TestClient.SendAsync(link, TestClient.Telemetry("in time")));
    }
}
