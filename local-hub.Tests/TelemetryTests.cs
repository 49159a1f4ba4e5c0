using Microsoft.Azure.Amqp;
using Microsoft.Azure.Amqp.Encoding;
using Microsoft.Azure.Amqp.Framing;

namespace IotHubAmqp.LocalHub.Tests;

public class TelemetryTests
{
    [Fact]
    public async Task Telemetry_is_accepted_stored_and_observable_with_properties()
    {
        using var hub = Hubs.Start();
        await using var client = await TestClient.ConnectDeviceAsync(hub, "dev1");
        var link = await client.SenderAsync("/devices/dev1/messages/events");
        var message = TestClient.Telemetry("{\"t\":21}", "m-1");
        message.Properties.ContentType = "application/json";
        message.Properties.CorrelationId = "c-1";
        message.ApplicationProperties.Map["alert"] = "high";
        Assert.IsType<Accepted>(await TestClient.SendAsync(link, message));

        var t = Assert.Single(hub.GetTelemetry("dev1"));
        Assert.Equal("m-1", t.MessageId);
        Assert.Equal("c-1", t.CorrelationId);
        Assert.Equal("application/json", t.ContentType);
        Assert.Equal("high", t.ApplicationProperties["alert"]);
        Assert.Equal("{\"t\":21}", System.Text.Encoding.UTF8.GetString(t.Body));
        Assert.InRange(t.Partition, 0, hub.PartitionCount - 1);
    }

    [Fact]
    public async Task Module_address_and_batch_format_are_accepted()
    {
        using var hub = Hubs.Start();
        await using var client = await TestClient.ConnectDeviceAsync(hub, "dev1");
        var module = await client.SenderAsync($"amqps://{hub.HostName}/devices/dev1/modules/m1/messages/events");
        Assert.IsType<Accepted>(await TestClient.SendAsync(module, TestClient.Telemetry("from module")));
        Assert.Equal("m1", hub.GetTelemetry("dev1").Single().ModuleId);

        // A batch: each Data section is one encoded AMQP message.
        var sections = new List<Data>();
        for (var i = 0; i < 3; i++)
        {
            using var inner = TestClient.Telemetry($"b{i}", $"id-{i}");
            var stream = (BufferListStream)inner.ToStream();
            sections.Add(new Data { Value = new ArraySegment<byte>(stream.ReadBytes((int)stream.Length).ToArray()) });
        }
        var batch = AmqpMessage.Create(sections);
        batch.MessageFormat = 0x80013700;
        var link = await client.SenderAsync("/devices/dev1/messages/events");
        Assert.IsType<Accepted>(await TestClient.SendAsync(link, batch));
        var all = hub.GetTelemetry("dev1");
        Assert.Equal(new[] { "id-0", "id-1", "id-2" }, all.Where(t => t.FromBatch).Select(t => t.MessageId));
    }

    [Fact]
    public async Task Injected_rejections_answer_resource_limit_exceeded_then_recover()
    {
        using var hub = Hubs.Start();
        await using var client = await TestClient.ConnectDeviceAsync(hub, "dev1");
        var link = await client.SenderAsync("/devices/dev1/messages/events");
        hub.RejectNextTelemetry(2);
        for (var i = 0; i < 2; i++)
        {
            var rejected = Assert.IsType<Rejected>(await TestClient.SendAsync(link, TestClient.Telemetry("x")));
            Assert.Equal(AmqpErrorCode.ResourceLimitExceeded, rejected.Error.Condition);
        }
        Assert.IsType<Accepted>(await TestClient.SendAsync(link, TestClient.Telemetry("x")));
        hub.RejectAllTelemetry();
        Assert.IsType<Rejected>(await TestClient.SendAsync(link, TestClient.Telemetry("x")));
        Assert.IsType<Rejected>(await TestClient.SendAsync(link, TestClient.Telemetry("x")));
        hub.ResetTelemetryRejection();
        Assert.IsType<Accepted>(await TestClient.SendAsync(link, TestClient.Telemetry("x")));
        Assert.Equal(2, hub.GetTelemetry("dev1").Count);
    }

    [Fact]
    public async Task Oversized_telemetry_is_refused_without_harming_the_hub()
    {
        using var hub = Hubs.Start(o => o.TelemetryMaxMessageSize = 4096);
        await using var client = await TestClient.ConnectDeviceAsync(hub, "dev1");
        var link = await client.SenderAsync("/devices/dev1/messages/events");
        await Assert.ThrowsAnyAsync<Exception>(() => TestClient.SendAsync(link, TestClient.Telemetry(new string('x', 10_000))));
        await using var again = await TestClient.ConnectDeviceAsync(hub, "dev1");
        var link2 = await again.SenderAsync("/devices/dev1/messages/events");
        Assert.IsType<Accepted>(await TestClient.SendAsync(link2, TestClient.Telemetry("small")));
    }

    [Fact]
    public void Partition_is_a_stable_hash_of_the_device_id()
    {
        var store = new TelemetryStore(4, 10);
        Assert.Equal(store.PartitionOf("dev1"), new TelemetryStore(4, 10).PartitionOf("dev1"));
        Assert.Contains(Enumerable.Range(0, 40).Select(i => store.PartitionOf("d" + i)).Distinct().Count(), new[] { 2, 3, 4 });
    }
}
