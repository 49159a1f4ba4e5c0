using Microsoft.Azure.Amqp;
using Microsoft.Azure.Amqp.Framing;

namespace IotHubAmqp.LocalHub.Tests;

/// <summary>Every store and queue is bounded in bytes as well as entries; floods are refused, not kept.</summary>
public class MemoryBoundsTests
{
    [Fact]
    public async Task A_put_token_flood_whose_replies_are_never_settled_gets_the_reply_link_closed_past_the_limit()
    {
        using var hub = Hubs.Start(o => o.MaxUnsettledReplies = 64);
        await using var client = await TestClient.ConnectAsync(hub, SaslMode.Anonymous);
        var sender = await client.SenderAsync("$cbs", SettleMode.SettleOnSend);
        // The client's receiver wants unsettled replies, gives plenty of credit and never settles one.
        var receiver = await client.ReceiverAsync("$cbs", SettleMode.SettleOnDispose, credit: 1000);
        var closed = TestClient.WaitClosedAsync(receiver, TimeSpan.FromSeconds(20));
        for (var i = 0; i < 200 && !closed.IsCompleted; i++)
        {
            var request = AmqpMessage.Create(new AmqpValue { Value = "SharedAccessSignature sr=x&sig=y&se=1" });
            request.Properties.MessageId = "flood-" + i;
            request.Properties.ReplyTo = "cbs";
            request.ApplicationProperties.Map["operation"] = "put-token";
            request.ApplicationProperties.Map["type"] = "servicebus.windows.net:sastoken";
            request.ApplicationProperties.Map["name"] = "x";
            await TestClient.SendAsync(sender, request);
        }
        var error = await closed;
        Assert.Equal(AmqpErrorCode.ResourceLimitExceeded, error?.Condition);
        Assert.Equal("More than 64 replies left unsettled on this link: settle them.", error?.Description);
    }

    [Fact]
    public async Task A_device_sending_256_KB_messages_flat_out_is_throttled_with_resource_limit_exceeded()
    {
        using var hub = Hubs.Start(o => { o.TelemetryBytesPerSecondPerDevice = 1024 * 1024; o.TelemetryBurstBytesPerDevice = 2 * 1024 * 1024; });
        await using var device = await TestClient.ConnectDeviceAsync(hub, "dev1");
        var link = await device.SenderAsync("/devices/dev1/messages/events");
        var body = new string('t', 256 * 1024);
        var outcomes = await Task.WhenAll(Enumerable.Range(0, 24).Select(i => TestClient.SendAsync(link, TestClient.Telemetry(body, "big-" + i))));
        var rejected = outcomes.OfType<Rejected>().ToList();
        Assert.NotEmpty(rejected);
        Assert.All(rejected, r => Assert.Equal(AmqpErrorCode.ResourceLimitExceeded, r.Error.Condition));
        Assert.Equal("Device 'dev1' is throttled: more than 1048576 bytes/s of telemetry. Retry later.", rejected[0].Error.Description);
        var accepted = outcomes.OfType<Accepted>().Count();
        Assert.InRange(accepted, 7, 16); // 2 MB burst, plus what 1 MB/s refills while they arrive
        // Another device is not throttled by dev1's traffic.
        await using var other = await TestClient.ConnectDeviceAsync(hub, "dev2");
        Assert.IsType<Accepted>(await TestClient.SendAsync(await other.SenderAsync("/devices/dev2/messages/events"), TestClient.Telemetry(body)));
    }

    [Fact]
    public async Task Telemetry_is_kept_within_its_byte_bounds_in_the_partition_and_in_the_observations()
    {
        using var hub = Hubs.Start(o =>
        {
            o.Partitions = 1;
            o.TelemetryRetainedBytesPerPartition = 1024 * 1024;
            o.MaxObservedTelemetryBytes = 512 * 1024;
        });
        await using var device = await TestClient.ConnectDeviceAsync(hub, "dev1");
        var link = await device.SenderAsync("/devices/dev1/messages/events");
        var body = new string('b', 100 * 1024);
        for (var i = 0; i < 30; i++) Assert.IsType<Accepted>(await TestClient.SendAsync(link, TestClient.Telemetry(body, "m" + i)));
        var core = Core(hub);
        Assert.InRange(core.Telemetry.BytesOf(0), 900 * 1024, 1024 * 1024);
        Assert.True(core.Telemetry.Info(0).Begin > 0, "the oldest events were dropped");
        Assert.InRange(core.Observed.Bytes, 1, 512 * 1024);
        var kept = hub.GetTelemetry("dev1");
        Assert.Equal("m29", kept[^1].MessageId);
        Assert.InRange(kept.Count, 4, 5);
    }

    [Fact]
    public async Task C2d_queues_of_all_devices_share_a_byte_budget_and_long_message_ids_are_refused()
    {
        const long budget = 3 * (60 * 1024 + 256); // three 60 KB messages (each counted with 256 bytes of headers)
        using var hub = Hubs.Start(o => o.C2dMaxTotalBytes = budget);
        var body = new byte[60 * 1024];
        Assert.Equal(C2dEnqueueResult.Enqueued, hub.SendCloudToDevice("dev1", new CloudToDeviceMessage { Body = body }));
        Assert.Equal(C2dEnqueueResult.Enqueued, hub.SendCloudToDevice("dev2", new CloudToDeviceMessage { Body = body }));
        Assert.Equal(C2dEnqueueResult.Enqueued, hub.SendCloudToDevice("dev1", new CloudToDeviceMessage { Body = body }));
        Assert.Equal(C2dEnqueueResult.HubStorageFull, hub.SendCloudToDevice("dev2", new CloudToDeviceMessage { Body = body }));

        await using var service = await TestClient.ConnectServiceAsync(hub);
        var sender = await service.SenderAsync("/messages/devicebound");
        var full = Assert.IsType<Rejected>(await TestClient.SendAsync(sender, C2dTests.ServiceMessage("dev2", "s1")));
        Assert.Equal(AmqpErrorCode.ResourceLimitExceeded, full.Error.Condition);
        Assert.Equal($"The hub's C2D storage ({budget} bytes) is full.", full.Error.Description);
        Assert.Equal(1, hub.PurgeCloudToDevice("dev2"));
        Assert.IsType<Accepted>(await TestClient.SendAsync(sender, C2dTests.ServiceMessage("dev2", "s2")));
        var longId = Assert.IsType<Rejected>(await TestClient.SendAsync(sender, C2dTests.ServiceMessage("dev2", new string('i', 129))));
        Assert.Equal(AmqpErrorCode.InvalidField, longId.Error.Condition);
    }

    internal static HubCore Core(LocalHub hub) =>
        (HubCore)typeof(LocalHub).GetField("_core", System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Instance)!.GetValue(hub)!;
}
