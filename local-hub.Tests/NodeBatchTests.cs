using Microsoft.Azure.Amqp;
using Microsoft.Azure.Amqp.Framing;

namespace IotHubAmqp.LocalHub.Tests;

/// <summary>Batched telemetry read back by Azure's @azure/event-hubs: one event per inner message, each with its own properties.</summary>
public partial class NodeClientTests
{
    // The device SDK's batch sections, byte for byte (device-sdk.Tests/Batching/MessageBatchTests.cs):
    // { message-id "a" } + data [01], and { application-properties "k": 1 } + data [02].
    private static readonly byte[] DeviceInner1 = Convert.FromHexString("005373c00401a10161005375a00101");
    private static readonly byte[] DeviceInner2 = Convert.FromHexString("005374c10602a1016b5401005375a00102");

    [Fact]
    public async Task Node_event_hubs_reader_sees_each_message_of_a_batch_with_its_own_properties()
    {
        RequireNodeModules();
        using var hub = Hubs.Start();
        await using var client = await TestClient.ConnectDeviceAsync(hub, "dev1");
        var sections = new List<Data>
        {
            new() { Value = new ArraySegment<byte>(DeviceInner1) },
            new() { Value = new ArraySegment<byte>(DeviceInner2) },
        };
        for (var i = 0; i < 2; i++)
        {
            using var inner = TestClient.Telemetry($"{{\"n\":{i}}}", $"batch-{i}");
            inner.Properties.CorrelationId = $"corr-{i}";
            inner.ApplicationProperties.Map["index"] = i;
            var stream = (BufferListStream)inner.ToStream();
            sections.Add(new Data { Value = new ArraySegment<byte>(stream.ReadBytes((int)stream.Length).ToArray()) });
        }
        var batch = AmqpMessage.Create(sections);
        batch.MessageFormat = 0x80013700;
        var link = await client.SenderAsync("/devices/dev1/messages/events");
        Assert.IsType<Accepted>(await TestClient.SendAsync(link, batch));
        var partition = hub.GetTelemetry("dev1")[0].Partition;

        var (exit, output, errors) = await RunAsync(hub, "batch-reader.js", new()
        {
            ["EVENTHUB_CONNECTION_STRING"] = hub.EventHubConnectionString,
            ["HUB_PORT"] = hub.Port.ToString(),
            ["PARTITION_ID"] = partition.ToString(),
            ["EXPECTED_COUNT"] = "4",
        });
        Assert.True(exit == 0, $"exit {exit}\nstdout:\n{output}\nstderr:\n{errors}");
        var events = output.Split('\n').Where(l => l.StartsWith("EVENT ", StringComparison.Ordinal)).ToList();
        Assert.Equal(4, events.Count);
        Assert.StartsWith("EVENT a corr=undefined type=undefined app={} device=dev1 body=01", events[0]);
        Assert.StartsWith("EVENT undefined corr=undefined type=undefined app={\"k\":1} device=dev1 body=02", events[1]);
        Assert.Contains("EVENT batch-0 corr=corr-0", events[2]);
        Assert.Contains("\"index\":0", events[2]);
        Assert.Contains("EVENT batch-1 corr=corr-1", events[3]);
        Assert.Contains("\"index\":1", events[3]);
        Assert.Contains("COUNT 4", output);
    }
}
