using System.Text.Json;
using Microsoft.Azure.Amqp;
using Microsoft.Azure.Amqp.Encoding;
using Microsoft.Azure.Amqp.Framing;

namespace IotHubAmqp.LocalHub.Tests;

public class ServiceTests
{
    [Fact]
    public async Task Service_c2d_with_full_ack_yields_a_feedback_batch_as_iot_hub_sends_it()
    {
        using var hub = Hubs.Start();
        await using var service = await TestClient.ConnectServiceAsync(hub);
        var sender = await service.SenderAsync("/messages/devicebound");
        Assert.IsType<Accepted>(await TestClient.SendAsync(sender, C2dTests.ServiceMessage("dev1", "f1", "full")));

        await using var device = await TestClient.ConnectDeviceAsync(hub, "dev1");
        var rx = await device.ReceiverAsync("/devices/dev1/messages/devicebound");
        var m = await rx.ReceiveMessageAsync(TestClient.Timeout);
        Assert.NotNull(m);
        Assert.True(m!.ApplicationProperties?.Map.TryGetValue("iothub-ack", out object? _) != true);
        rx.AcceptMessage(m, false);

        var feedback = await service.ReceiverAsync("/messages/serviceBound/feedback");
        var batch = await feedback.ReceiveMessageAsync(TestClient.Timeout);
        Assert.NotNull(batch);
        Assert.Equal("application/vnd.microsoft.iothub.feedback.json", batch!.Properties.ContentType.Value);
        Assert.Equal(hub.HostName, System.Text.Encoding.UTF8.GetString(batch.Properties.UserId.ToArray()));
        Assert.IsType<DateTime>(batch.MessageAnnotations.Map["iothub-enqueuedtime"]);
        var body = batch.DataBody.Single().Value is ArraySegment<byte> seg ? seg.ToArray() : (byte[])batch.DataBody.Single().Value;
        var records = JsonDocument.Parse(body).RootElement;
        var record = records.EnumerateArray().Single();
        Assert.Equal("f1", record.GetProperty("originalMessageId").GetString());
        Assert.Equal("dev1", record.GetProperty("deviceId").GetString());
        Assert.Equal("Success", record.GetProperty("statusCode").GetString());
        Assert.True(record.TryGetProperty("description", out _));
        Assert.True(record.TryGetProperty("enqueuedTimeUtc", out _));
        Assert.True(record.TryGetProperty("deviceGenerationId", out _));
        feedback.AcceptMessage(batch, false);
    }

    [Fact]
    public async Task The_seeds_partition_path_is_redirected_to_the_same_consumer_group_and_partition()
    {
        using var hub = Hubs.Start();
        await using var service = await TestClient.ConnectServiceAsync(hub);
        var link = new ReceivingAmqpLink(service.Session, new AmqpLinkSettings
        {
            LinkName = "redirect-" + Guid.NewGuid(), Role = true,
            Source = new Source { Address = $"amqps://{hub.HostName}/messages/events/ConsumerGroups/$Default/Partitions/1" },
            Target = new Target { Address = "me" }, TotalLinkCredit = 10,
        });
        var closed = TestClient.WaitClosedAsync(link);
        try { await link.OpenAsync(TestClient.Timeout); } catch (AmqpException) { /* may race with the detach */ }
        var error = await closed;
        Assert.Equal("amqp:link:redirect", error?.Condition.Value);
        Assert.Equal($"amqps://{hub.EventHubHostName}:5671/{hub.EventHubName}/ConsumerGroups/$Default/Partitions/1", error!.Info["address"]);
    }

    [Fact]
    public async Task Redirect_receiver_gets_attach_then_redirect_detach_with_event_hubs_info()
    {
        using var hub = Hubs.Start();
        await using var service = await TestClient.ConnectServiceAsync(hub);
        var link = new ReceivingAmqpLink(service.Session, new AmqpLinkSettings
        {
            LinkName = "redirect-" + Guid.NewGuid(), Role = true,
            Source = new Source { Address = $"amqps://{hub.HostName}/messages/events/$management" },
            Target = new Target { Address = "me" }, TotalLinkCredit = 10,
        });
        var closed = TestClient.WaitClosedAsync(link);
        try { await link.OpenAsync(TestClient.Timeout); } catch (AmqpException) { /* may race with the detach */ }
        var error = await closed;
        Assert.Equal("amqp:link:redirect", error?.Condition.Value);
        Assert.Equal(hub.EventHubHostName, error!.Info["hostname"]);
        Assert.Equal(hub.EventHubHostName, error.Info["network-host"]);
        Assert.Equal($"amqps://{hub.EventHubHostName}:5671/{hub.EventHubName}/$management", error.Info["address"]);
        Assert.IsType<int>(error.Info["port"]);
    }

    [Fact]
    public async Task Redirected_client_sender_gets_no_credit_and_the_redirect()
    {
        using var hub = Hubs.Start();
        await using var client = await TestClient.ConnectAsync(hub, SaslMode.Anonymous);
        // Legacy readers: SASL ANONYMOUS, then CBS for sb://<host>/messages/events/$management (decoded key).
        var audience = $"sb://{hub.HostName}/messages/events/$management";
        var token = SasToken.Create(audience, Convert.FromBase64String(hub.Registry.ServicePolicyKey), DateTimeOffset.UtcNow.AddHours(1), "service");
        Assert.Equal(200, (await client.PutTokenAsync(token, audience)).Status);
        var link = new SendingAmqpLink(client.Session, new AmqpLinkSettings
        {
            LinkName = "legacy-" + Guid.NewGuid(), Role = false,
            Source = new Source { Address = "me" }, Target = new Target { Address = "/messages/events/$management" },
        });
        var closed = TestClient.WaitClosedAsync(link);
        try { await link.OpenAsync(TestClient.Timeout); } catch (AmqpException) { }
        Assert.Equal(0u, link.LinkCredit);
        Assert.Equal("amqp:link:redirect", (await closed)?.Condition.Value);
    }

    private static async Task<TestClient> EventHubsClientAsync(LocalHub hub)
    {
        // As the Event Hubs client does: SASL ANONYMOUS, then CBS with a token keyed by the key string's UTF-8 bytes.
        var client = await TestClient.ConnectAsync(hub, SaslMode.Anonymous, targetHost: hub.EventHubHostName);
        var token = SasToken.Create($"sb://{hub.EventHubHostName}/{hub.EventHubName}",
            System.Text.Encoding.UTF8.GetBytes(hub.Registry.ServicePolicyKey), DateTimeOffset.UtcNow.AddHours(1), "service");
        Assert.Equal(200, (await client.PutTokenAsync(token, $"sb://{hub.EventHubHostName}/{hub.EventHubName}")).Status);
        return client;
    }

    [Fact]
    public async Task Event_hubs_token_signed_with_the_decoded_key_is_refused()
    {
        using var hub = Hubs.Start();
        await using var client = await TestClient.ConnectAsync(hub, SaslMode.Anonymous);
        var token = SasToken.Create($"sb://{hub.EventHubHostName}/{hub.EventHubName}",
            Convert.FromBase64String(hub.Registry.ServicePolicyKey), DateTimeOffset.UtcNow.AddHours(1), "service");
        Assert.Equal(401, (await client.PutTokenAsync(token, "x")).Status);
    }

    private static async Task<AmqpMessage> ManagementAsync(TestClient client, string type, string name, string? partition = null)
    {
        var tx = await client.SenderAsync("$management", SettleMode.SettleOnSend);
        var replyTo = "mgmt-" + Guid.NewGuid();
        var rx = new ReceivingAmqpLink(client.Session, new AmqpLinkSettings
        {
            LinkName = replyTo, Role = true, Source = new Source { Address = "$management" },
            Target = new Target { Address = replyTo }, TotalLinkCredit = 10, AutoSendFlow = true, SettleType = SettleMode.SettleOnSend,
        });
        await rx.OpenAsync(TestClient.Timeout);
        var request = AmqpMessage.Create(new AmqpValue { Value = new ArraySegment<byte>("[]"u8.ToArray()) });
        request.Properties.MessageId = "req-1";
        request.Properties.ReplyTo = replyTo;
        request.ApplicationProperties.Map["operation"] = "READ";
        request.ApplicationProperties.Map["name"] = name;
        request.ApplicationProperties.Map["type"] = type;
        if (partition is not null) request.ApplicationProperties.Map["partition"] = partition;
        await TestClient.SendAsync(tx, request);
        var reply = await rx.ReceiveMessageAsync(TestClient.Timeout) ?? throw new TimeoutException("no $management reply");
        Assert.Equal("req-1", reply.Properties.CorrelationId.ToString());
        return reply;
    }

    [Fact]
    public async Task Management_read_answers_eventhub_and_partition_properties()
    {
        using var hub = Hubs.Start();
        await using var device = await TestClient.ConnectDeviceAsync(hub, "dev1");
        var tx = await device.SenderAsync("/devices/dev1/messages/events");
        await TestClient.SendAsync(tx, TestClient.Telemetry("one"));
        var partition = hub.GetTelemetry("dev1").Single().Partition;

        await using var client = await EventHubsClientAsync(hub);
        var eh = await ManagementAsync(client, "com.microsoft:eventhub", hub.EventHubName);
        Assert.Equal(200, eh.ApplicationProperties.Map["status-code"]);
        var map = (AmqpMap)eh.ValueBody.Value;
        Assert.Equal(4, map[new MapKey("partition_count")]);
        Assert.Equal(new[] { "0", "1", "2", "3" }, (string[])map[new MapKey("partition_ids")]);
        Assert.IsType<DateTime>(map[new MapKey("created_at")]);

        var p = (AmqpMap)(await ManagementAsync(client, "com.microsoft:partition", hub.EventHubName, partition.ToString())).ValueBody.Value;
        Assert.Equal(0L, p[new MapKey("last_enqueued_sequence_number")]);
        Assert.Equal(0L, p[new MapKey("begin_sequence_number")]);
        Assert.Equal(false, p[new MapKey("is_partition_empty")]);
        Assert.Equal("0", p[new MapKey("last_enqueued_offset")]);

        var missing = await ManagementAsync(client, "com.microsoft:eventhub", "nope");
        Assert.Equal(404, missing.ApplicationProperties.Map["status-code"]);
    }

    private static FilterSet Selector(string expression)
    {
        var filters = new FilterSet();
        filters.Add(new AmqpSymbol("apache.org:selector-filter:string"),
            new DescribedType(0x468C00000004UL, expression));
        return filters;
    }

    [Theory]
    [InlineData("amqp.annotation.x-opt-offset > '-1'", 0)]
    [InlineData("amqp.annotation.x-opt-sequence-number > '2'", 3)]
    [InlineData("amqp.annotation.x-opt-sequence-number >= '2'", 2)]
    [InlineData("amqp.annotation.x-opt-enqueued-time > '0'", 0)]
    public async Task Partition_receiver_honours_selector_filters(string filter, long firstSequence)
    {
        using var hub = Hubs.Start();
        await using var device = await TestClient.ConnectDeviceAsync(hub, "dev1");
        var tx = await device.SenderAsync("/devices/dev1/messages/events");
        for (var i = 0; i < 5; i++) await TestClient.SendAsync(tx, TestClient.Telemetry("e" + i, "id" + i));
        var partition = hub.GetTelemetry("dev1")[0].Partition;

        await using var client = await EventHubsClientAsync(hub);
        var rx = await client.ReceiverAsync($"{hub.EventHubName}/ConsumerGroups/$Default/Partitions/{partition}",
            SettleMode.SettleOnSend, filter: Selector(filter));
        var m = await rx.ReceiveMessageAsync(TestClient.Timeout) ?? throw new TimeoutException("no event");
        Assert.Equal(firstSequence, m.MessageAnnotations.Map["x-opt-sequence-number"]);
        Assert.Equal($"id{firstSequence}", m.Properties.MessageId.ToString());
        Assert.Equal("dev1", m.MessageAnnotations.Map["iothub-connection-device-id"]);
        Assert.Equal("Telemetry", m.MessageAnnotations.Map["iothub-message-source"]);
        Assert.IsType<string>(m.MessageAnnotations.Map["x-opt-offset"]);
        Assert.IsType<DateTime>(m.MessageAnnotations.Map["x-opt-enqueued-time"]);
        Assert.IsType<DateTime>(m.MessageAnnotations.Map["iothub-enqueuedtime"]);
        Assert.IsType<string>(m.MessageAnnotations.Map["iothub-connection-auth-method"]);
    }

    [Fact]
    public async Task Latest_filter_delivers_only_new_events_and_offset_filter_is_exclusive()
    {
        using var hub = Hubs.Start();
        await using var device = await TestClient.ConnectDeviceAsync(hub, "dev1");
        var tx = await device.SenderAsync("/devices/dev1/messages/events");
        await TestClient.SendAsync(tx, TestClient.Telemetry("old", "old"));
        var partition = hub.GetTelemetry("dev1")[0].Partition;
        await using var client = await EventHubsClientAsync(hub);
        var latest = await client.ReceiverAsync($"{hub.EventHubName}/ConsumerGroups/$default/Partitions/{partition}",
            SettleMode.SettleOnSend, filter: Selector("amqp.annotation.x-opt-offset > '@latest'"));
        var offsetRx = await client.ReceiverAsync($"{hub.EventHubName}/ConsumerGroups/$default/Partitions/{partition}",
            SettleMode.SettleOnSend, filter: Selector("amqp.annotation.x-opt-offset > '0'"));
        await TestClient.SendAsync(tx, TestClient.Telemetry("new", "new"));
        Assert.Equal("new", (await latest.ReceiveMessageAsync(TestClient.Timeout))?.Properties.MessageId.ToString());
        Assert.Equal("new", (await offsetRx.ReceiveMessageAsync(TestClient.Timeout))?.Properties.MessageId.ToString());
    }

    [Fact]
    public async Task Partition_receiver_needs_a_service_token_and_a_valid_partition()
    {
        using var hub = Hubs.Start();
        await using var anon = await TestClient.ConnectAsync(hub, SaslMode.Anonymous);
        var ex = await Assert.ThrowsAsync<AmqpException>(() => anon.ReceiverAsync($"{hub.EventHubName}/ConsumerGroups/$Default/Partitions/0"));
        Assert.Equal(AmqpErrorCode.UnauthorizedAccess, ex.Error.Condition);
        await using var client = await EventHubsClientAsync(hub);
        var nf = await Assert.ThrowsAsync<AmqpException>(() => client.ReceiverAsync($"{hub.EventHubName}/ConsumerGroups/$Default/Partitions/9"));
        Assert.Equal(AmqpErrorCode.NotFound, nf.Error.Condition);
    }
}
