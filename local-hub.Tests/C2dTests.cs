using Microsoft.Azure.Amqp;
using Microsoft.Azure.Amqp.Framing;

namespace IotHubAmqp.LocalHub.Tests;

public class C2dTests
{
    private static CloudToDeviceMessage Msg(string id, string ack = "full", DateTimeOffset? expires = null) =>
        new() { MessageId = id, Body = System.Text.Encoding.UTF8.GetBytes("body-" + id), Ack = ack, ExpiresAt = expires };

    private static async Task<AmqpMessage> ReceiveAsync(ReceivingAmqpLink link) =>
        await link.ReceiveMessageAsync(TestClient.Timeout) ?? throw new TimeoutException("no C2D message");

    private static Task WaitFeedbackAsync(LocalHub hub, string id, string status) =>
        Wait.UntilAsync(() => hub.GetFeedback().Any(f => f.OriginalMessageId == id && f.StatusCode == status), $"{status} feedback for {id}");

    [Fact]
    public async Task Delivered_message_carries_hub_annotations_and_complete_gives_success_feedback()
    {
        using var hub = Hubs.Start();
        await using var device = await TestClient.ConnectDeviceAsync(hub, "dev1");
        var link = await device.ReceiverAsync("/devices/dev1/messages/devicebound");
        Assert.Equal(C2dEnqueueResult.Enqueued, hub.SendCloudToDevice("dev1", Msg("a")));
        var m = await ReceiveAsync(link);
        Assert.Equal("a", m.Properties.MessageId.ToString());
        Assert.Equal("/devices/dev1/messages/devicebound", m.Properties.To.ToString());
        var ann = m.MessageAnnotations.Map;
        Assert.IsType<long>(ann["x-opt-sequence-number"]);
        Assert.IsType<Guid>(ann["x-opt-lock-token"]);
        Assert.IsType<DateTime>(ann["iothub-enqueuedtime"]);
        Assert.Equal(0, ann["iothub-deliverycount"]);
        Assert.Equal(((Guid)ann["x-opt-lock-token"]).ToByteArray(), m.DeliveryTag.ToArray());
        link.AcceptMessage(m, false);
        await WaitFeedbackAsync(hub, "a", "Success");
        await Wait.UntilAsync(() => hub.GetC2dQueueDepth("dev1") == 0, "empty queue");
    }

    [Fact]
    public async Task Reject_dead_letters_and_release_redelivers_with_a_higher_count()
    {
        using var hub = Hubs.Start();
        await using var device = await TestClient.ConnectDeviceAsync(hub, "dev1");
        var link = await device.ReceiverAsync("/devices/dev1/messages/devicebound");
        hub.SendCloudToDevice("dev1", Msg("r"));
        link.RejectMessage(await ReceiveAsync(link), new Exception("no"));
        await WaitFeedbackAsync(hub, "r", "Rejected");

        hub.SendCloudToDevice("dev1", Msg("a"));
        link.ReleaseMessage(await ReceiveAsync(link));
        var again = await ReceiveAsync(link);
        Assert.Equal("a", again.Properties.MessageId.ToString());
        Assert.Equal(1, again.MessageAnnotations.Map["iothub-deliverycount"]);
        link.AcceptMessage(again, false);
        await WaitFeedbackAsync(hub, "a", "Success");
    }

    [Fact]
    public async Task Receiver_settling_first_like_the_c_sdk_completes_the_message()
    {
        using var hub = Hubs.Start();
        await using var device = await TestClient.ConnectDeviceAsync(hub, "dev1");
        var link = await device.ReceiverAsync("/devices/dev1/messages/devicebound", SettleMode.SettleOnReceive);
        hub.SendCloudToDevice("dev1", Msg("first"));
        var m = await ReceiveAsync(link);
        link.AcceptMessage(m, false);
        await WaitFeedbackAsync(hub, "first", "Success");
    }

    [Fact]
    public async Task Max_delivery_count_dead_letters_with_feedback()
    {
        using var hub = Hubs.Start(o => o.C2dMaxDeliveryCount = 3);
        await using var device = await TestClient.ConnectDeviceAsync(hub, "dev1");
        var link = await device.ReceiverAsync("/devices/dev1/messages/devicebound");
        hub.SendCloudToDevice("dev1", Msg("x", "negative"));
        for (var i = 0; i < 3; i++) link.ReleaseMessage(await ReceiveAsync(link));
        await WaitFeedbackAsync(hub, "x", "DeliveryCountExceeded");
        Assert.Null(await link.ReceiveMessageAsync(TimeSpan.FromMilliseconds(300)));
    }

    [Fact]
    public async Task Default_max_delivery_count_is_10()
    {
        Assert.Equal(10, new LocalHubOptions().C2dMaxDeliveryCount);
        Assert.Equal(50, new LocalHubOptions().C2dMaxQueuedPerDevice);
        Assert.Equal(TimeSpan.FromSeconds(60), new LocalHubOptions().C2dLockTimeout);
        await Task.CompletedTask;
    }

    [Fact]
    public async Task Lock_timeout_makes_the_message_available_again()
    {
        using var hub = Hubs.Start(o => o.C2dLockTimeout = TimeSpan.FromMilliseconds(500));
        await using var device = await TestClient.ConnectDeviceAsync(hub, "dev1");
        var link = await device.ReceiverAsync("/devices/dev1/messages/devicebound");
        hub.SendCloudToDevice("dev1", Msg("l"));
        var first = await ReceiveAsync(link);      // never settled
        var second = await ReceiveAsync(link);     // redelivered after the lock lapses
        Assert.Equal("l", second.Properties.MessageId.ToString());
        Assert.Equal(1, second.MessageAnnotations.Map["iothub-deliverycount"]);
        Assert.NotEqual(first.MessageAnnotations.Map["x-opt-lock-token"], second.MessageAnnotations.Map["x-opt-lock-token"]);
    }

    [Fact]
    public async Task Queue_holds_at_most_50_per_device_and_unknown_devices_are_not_found()
    {
        using var hub = Hubs.Start();
        for (var i = 0; i < 50; i++) Assert.Equal(C2dEnqueueResult.Enqueued, hub.SendCloudToDevice("dev1", Msg("q" + i, "none")));
        Assert.Equal(C2dEnqueueResult.QueueFull, hub.SendCloudToDevice("dev1", Msg("q50", "none")));
        Assert.Equal(C2dEnqueueResult.DeviceNotFound, hub.SendCloudToDevice("nobody", Msg("n", "none")));

        await using var service = await TestClient.ConnectServiceAsync(hub);
        var sender = await service.SenderAsync("/messages/devicebound");
        var full = Assert.IsType<Rejected>(await TestClient.SendAsync(sender, ServiceMessage("dev1", "s1")));
        Assert.Equal(AmqpErrorCode.ResourceLimitExceeded, full.Error.Condition);
        var missing = Assert.IsType<Rejected>(await TestClient.SendAsync(sender, ServiceMessage("nobody", "s2")));
        Assert.Equal(AmqpErrorCode.NotFound, missing.Error.Condition);
        Assert.IsType<Accepted>(await TestClient.SendAsync(sender, ServiceMessage("dev2", "s3")));
        Assert.Equal(1, hub.GetC2dQueueDepth("dev2"));
    }

    internal static AmqpMessage ServiceMessage(string deviceId, string id, string ack = "none")
    {
        var m = AmqpMessage.Create(new Data { Value = new ArraySegment<byte>(System.Text.Encoding.UTF8.GetBytes("svc-" + id)) });
        m.Properties.MessageId = id;
        m.Properties.To = $"/devices/{Uri.EscapeDataString(deviceId)}/messages/devicebound";
        m.ApplicationProperties.Map["iothub-ack"] = ack;
        return m;
    }

    [Fact]
    public async Task Expired_message_is_never_delivered_and_gives_expired_feedback()
    {
        using var hub = Hubs.Start();
        hub.SendCloudToDevice("dev1", Msg("e", "full", DateTimeOffset.UtcNow.AddMilliseconds(200)));
        await WaitFeedbackAsync(hub, "e", "Expired");
        await using var device = await TestClient.ConnectDeviceAsync(hub, "dev1");
        var link = await device.ReceiverAsync("/devices/dev1/messages/devicebound");
        Assert.Null(await link.ReceiveMessageAsync(TimeSpan.FromMilliseconds(300)));
    }

    [Fact]
    public async Task Second_receive_link_is_refused_with_internal_error()
    {
        using var hub = Hubs.Start();
        await using var a = await TestClient.ConnectDeviceAsync(hub, "dev1");
        await a.ReceiverAsync("/devices/dev1/messages/devicebound");
        await using var b = await TestClient.ConnectDeviceAsync(hub, "dev1");
        var ex = await Assert.ThrowsAsync<AmqpException>(() => b.ReceiverAsync("/devices/dev1/messages/devicebound"));
        Assert.Equal(AmqpErrorCode.InternalError, ex.Error.Condition);
        Assert.Contains("Another AMQP Client has opened a Receive Link", ex.Error.Description);
    }

    [Fact]
    public async Task Unsettled_message_is_redelivered_after_disconnect()
    {
        using var hub = Hubs.Start();
        var first = await TestClient.ConnectDeviceAsync(hub, "dev1");
        var link = await first.ReceiverAsync("/devices/dev1/messages/devicebound");
        hub.SendCloudToDevice("dev1", Msg("u"));
        await ReceiveAsync(link);
        first.Connection.Abort();
        await using var second = await TestClient.ConnectDeviceAsync(hub, "dev1");
        AmqpMessage? again = null;
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (again is null)
        {
            try { again = await ReceiveAsync(await second.ReceiverAsync("/devices/dev1/messages/devicebound")); }
            catch (AmqpException) when (DateTime.UtcNow < deadline) { await Task.Delay(50); } // old link not gone yet
        }
        Assert.Equal("u", again!.Properties.MessageId.ToString());
    }

    [Fact]
    public async Task Device_may_attach_a_feedback_sender()
    {
        using var hub = Hubs.Start();
        await using var device = await TestClient.ConnectDeviceAsync(hub, "dev1");
        var link = await device.SenderAsync("/messages/serviceBound/feedback");
        Assert.IsType<Accepted>(await TestClient.SendAsync(link, TestClient.Telemetry("ack")));
    }

    [Fact]
    public async Task Purge_drops_the_queue_with_purged_feedback()
    {
        using var hub = Hubs.Start();
        hub.SendCloudToDevice("dev1", Msg("p1"));
        hub.SendCloudToDevice("dev1", Msg("p2", "none"));
        Assert.Equal(2, hub.PurgeCloudToDevice("dev1"));
        await WaitFeedbackAsync(hub, "p1", "Purged");
        Assert.DoesNotContain(hub.GetFeedback(), f => f.OriginalMessageId == "p2");
    }
}
