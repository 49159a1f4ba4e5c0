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

public class FilterAndTokenTypeTests
{
    [Theory]
    [InlineData("amqp.annotation.x-opt-sequence-number > 2", 3)]
    [InlineData("amqp.annotation.x-opt-sequence-number >= 2", 2)]
    [InlineData("amqp.annotation.x-opt-sequence-number > '2'", 3)]
    [InlineData("amqp.annotation.x-opt-offset > 0", 1)]
    [InlineData("amqp.annotation.x-opt-enqueued-time > 0", 0)]
    public void Selector_filters_accept_quoted_and_unquoted_values(string expression, long first)
    {
        var store = new TelemetryStore(1, 100);
        var snapshot = MessageSnapshot.From(Microsoft.Azure.Amqp.AmqpMessage.Create(new Microsoft.Azure.Amqp.Framing.Data { Value = new ArraySegment<byte>(new byte[] { 1 }) }));
        for (var i = 0; i < 5; i++) store.Append(0, DateTimeOffset.UtcNow, (_, _) => snapshot);
        var filters = new Microsoft.Azure.Amqp.Framing.FilterSet();
        filters.Add(new Microsoft.Azure.Amqp.Encoding.AmqpSymbol("apache.org:selector-filter:string"),
            new Microsoft.Azure.Amqp.Encoding.DescribedType(new Microsoft.Azure.Amqp.Encoding.AmqpSymbol("apache.org:selector-filter:string"), expression));
        var source = new Microsoft.Azure.Amqp.Framing.Source { FilterSet = filters };
        var start = PartitionReader.StartSequence(source, store, 0);
        if (expression.Contains("offset")) Assert.True(start >= first);
        else Assert.Equal(first, start);
    }

    [Fact]
    public async Task A_put_token_of_type_jwt_is_accepted_as_Azure_event_hubs_python_sends_it()
    {
        using var hub = Hubs.Start();
        await using var client = await TestClient.ConnectAsync(hub, SaslMode.None);
        var (status, _) = await client.PutTokenAsync(hub.CreateDeviceToken("dev1", TimeSpan.FromHours(1)), $"{hub.HostName}/devices/dev1", "jwt");
        Assert.Equal(200, status);
    }

    [Fact]
    public async Task A_put_token_whose_type_is_binary_is_accepted_as_newer_Azure_clients_send_it()
    {
        using var hub = Hubs.Start();
        await using var client = await TestClient.ConnectAsync(hub, SaslMode.Anonymous);
        var type = new ArraySegment<byte>(System.Text.Encoding.UTF8.GetBytes("servicebus.windows.net:sastoken"));
        var (status, description) = await client.PutTokenAsync(hub.CreateDeviceToken("dev1", TimeSpan.FromHours(1)), $"{hub.HostName}/devices/dev1", type);
        Assert.True(status == 200, description);
        var link = await client.SenderAsync("/devices/dev1/messages/events");
        Assert.IsType<Microsoft.Azure.Amqp.Framing.Accepted>(await TestClient.SendAsync(link, TestClient.Telemetry("b")));
    }
}

public class RefusalTests
{
    [Fact]
    public async Task A_device_attaching_to_another_devices_address_is_told_it_is_the_wrong_device()
    {
        using var hub = Hubs.Start();
        await using var client = await TestClient.ConnectDeviceAsync(hub, "dev1");
        var ex = await Assert.ThrowsAsync<Microsoft.Azure.Amqp.AmqpException>(() => client.SenderAsync("/devices/dev2/messages/events"));
        Assert.Equal(Microsoft.Azure.Amqp.AmqpErrorCode.UnauthorizedAccess, ex.Error.Condition);
        Assert.Contains("'dev1' may not open links of device 'dev2'", ex.Error.Description);
    }
}
