using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Azure.Amqp;
using Microsoft.Azure.Amqp.Encoding;
using Microsoft.Azure.Amqp.Framing;

namespace IotHubAmqp.LocalHub.Tests;

/// <summary>Field-level checks of the method and twin messages the hub sends (wire-2 §1.3, §2.3, §2.4).</summary>
public class MethodsTwinAmqpTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    private static string Body(AmqpMessage m) => Encoding.UTF8.GetString(HubCore.ReadBody(m));

    [Fact]
    public async Task A_method_request_is_presettled_with_a_uuid_correlation_id_the_method_name_and_one_data_section()
    {
        using var hub = Hubs.Start();
        await using var device = await TestClient.ConnectDeviceAsync(hub, "dev1");
        var requests = await device.ReceiverAsync("/devices/dev1/methods/devicebound");
        var responses = await device.SenderAsync("/devices/dev1/methods/devicebound", SettleMode.SettleOnSend);
        Assert.Equal((byte)SenderSettleMode.Settled, requests.Settings.SndSettleMode);   // the hub's attach said settled

        var call = hub.InvokeMethodAsync("dev1", null, "reboot", "{\"delay\":1}", Wait, TimeSpan.Zero);
        var request = await requests.ReceiveMessageAsync(Wait) ?? throw new TimeoutException("no method request");
        Assert.True(request.Settled);
        Assert.Equal("MessageIdUuid", request.Properties.CorrelationId.GetType().Name);   // uuid-typed, not a string (C needs it)
        Assert.Equal("reboot", request.ApplicationProperties.Map["IoThub-methodname"]);
        Assert.Equal(SectionFlag.Data, request.BodyType & SectionFlag.Data);
        Assert.Equal("{\"delay\":1}", Body(request));

        var answer = AmqpMessage.Create(new Data { Value = new ArraySegment<byte>("{\"ok\":true}"u8.ToArray()) });
        answer.Properties.CorrelationId = request.Properties.CorrelationId;
        answer.ApplicationProperties.Map["IoThub-status"] = 202;
        await responses.SendMessageAsync(answer, new ArraySegment<byte>(new byte[] { 1 }), AmqpConstants.NullBinary, Wait);
        var (http, status, payload) = await call;
        Assert.Equal((200, 202, "{\"ok\":true}"), (http, status, payload));
    }

    [Fact]
    public void The_built_method_request_carries_the_uuid_typed_correlation_id()
    {
        var id = Guid.Parse("0f8fad5b-d9cb-469f-a165-70867728950e");
        using var message = HubCore.BuildMethodRequest(id, "m", "null");
        Assert.Equal("MessageIdUuid", message.Properties.CorrelationId.GetType().Name);
        Assert.Equal(id.ToString(), message.Properties.CorrelationId.ToString());
        Assert.Equal("null", Encoding.UTF8.GetString(HubCore.ReadBody(message)));
        using var twin = HubCore.BuildTwinMessage((MessageId)"Get123", 204, 5L, null);
        Assert.IsType<int>(twin.MessageAnnotations.Map[(AmqpSymbol)"status"]);
        Assert.IsType<long>(twin.MessageAnnotations.Map[(AmqpSymbol)"version"]);
        Assert.Equal(0, (int)(twin.BodyType & SectionFlag.Data));
        foreach (var pair in twin.MessageAnnotations.Map) Assert.IsType<AmqpSymbol>(pair.Key.Key);
    }

    private static AmqpMessage TwinRequest(string operation, string? resource, string? correlationId, string body)
    {
        var m = AmqpMessage.Create(new Data { Value = new ArraySegment<byte>(Encoding.UTF8.GetBytes(body)) });
        if (correlationId is not null) m.Properties.CorrelationId = correlationId;
        m.MessageAnnotations.Map[(AmqpSymbol)"operation"] = operation;
        if (resource is not null) m.MessageAnnotations.Map[(AmqpSymbol)"resource"] = resource;
        return m;
    }

    [Fact]
    public async Task Twin_get_patch_and_subscribe_answer_with_int_status_long_version_and_the_request_correlation_id()
    {
        using var hub = Hubs.Start();
        await using var device = await TestClient.ConnectDeviceAsync(hub, "dev1");
        var responses = await device.ReceiverAsync("/devices/dev1/twin");
        var requests = await device.SenderAsync("/devices/dev1/twin", SettleMode.SettleOnSend);
        var tag = 0;
        async Task<AmqpMessage> RoundTrip(AmqpMessage m)
        {
            await requests.SendMessageAsync(m, new ArraySegment<byte>(new[] { (byte)++tag }), AmqpConstants.NullBinary, Wait);
            return await responses.ReceiveMessageAsync(Wait) ?? throw new TimeoutException("no twin response");
        }

        var get = await RoundTrip(TwinRequest("GET", null, "Get1", " "));
        Assert.Equal("Get1", get.Properties.CorrelationId.ToString());
        Assert.Equal("MessageIdString", get.Properties.CorrelationId.GetType().Name);   // echoed with the same AMQP type
        Assert.Equal(200, Assert.IsType<int>(get.MessageAnnotations.Map[(AmqpSymbol)"status"]));
        var twin = JsonNode.Parse(Body(get))!;
        Assert.Equal(1, twin["desired"]!["$version"]!.GetValue<long>());
        Assert.Equal(1, twin["reported"]!["$version"]!.GetValue<long>());

        var patch = await RoundTrip(TwinRequest("PATCH", "/properties/reported", "Patch1", "{\"temp\":21}"));
        Assert.Equal("Patch1", patch.Properties.CorrelationId.ToString());
        Assert.Equal(204, Assert.IsType<int>(patch.MessageAnnotations.Map[(AmqpSymbol)"status"]));
        Assert.Equal(2L, Assert.IsType<long>(patch.MessageAnnotations.Map[(AmqpSymbol)"version"]));
        Assert.Equal(0, (int)(patch.BodyType & SectionFlag.Data));

        var bad = await RoundTrip(TwinRequest("PATCH", "/properties/reported", "Patch2", "{\"list\":[1]}"));
        Assert.Equal(400, bad.MessageAnnotations.Map[(AmqpSymbol)"status"]);
        Assert.Contains("array", JsonNode.Parse(Body(bad))!["message"]!.GetValue<string>());

        var put = await RoundTrip(TwinRequest("PUT", "/notifications/twin/properties/desired", "Put1", " "));
        Assert.Equal(200, put.MessageAnnotations.Map[(AmqpSymbol)"status"]);

        // A service-side desired patch now arrives unsolicited: no correlation-id, $version in the body.
        Assert.Equal(1, NotifyDesired(hub, "dev1", "{\"fan\":3}"));
        var note = await responses.ReceiveMessageAsync(Wait) ?? throw new TimeoutException("no desired notification");
        Assert.Null(note.Properties?.CorrelationId);
        Assert.Equal("{\"fan\":3,\"$version\":2}", Body(note));
        Assert.Equal(2L, note.MessageAnnotations.Map[(AmqpSymbol)"version"]);

        var delete = await RoundTrip(TwinRequest("DELETE", "/notifications/twin/properties/desired", "Del1", " "));
        Assert.Equal(200, delete.MessageAnnotations.Map[(AmqpSymbol)"status"]);
        Assert.Equal(0, NotifyDesired(hub, "dev1", "{\"fan\":4}"));
    }

    [Fact]
    public async Task Settled_twin_requests_past_the_links_first_credit_are_all_answered()
    {
        // A device that sends its requests settled (Lite does when no outcome callback is given) still gets credit back.
        using var hub = Hubs.Start();
        await using var device = await TestClient.ConnectDeviceAsync(hub, "dev1");
        var responses = await device.ReceiverAsync("/devices/dev1/twin");
        var requests = await device.SenderAsync("/devices/dev1/twin", SettleMode.SettleOnSend);
        for (var i = 0; i < 300; i++)
        {
            await requests.SendMessageAsync(TwinRequest("GET", null, "g" + i, " "), new ArraySegment<byte>(BitConverter.GetBytes(i)), AmqpConstants.NullBinary, Wait);
            var reply = await responses.ReceiveMessageAsync(Wait) ?? throw new TimeoutException("no reply to request " + i);
            Assert.Equal("g" + i, reply.Properties.CorrelationId.ToString());
            responses.AcceptMessage(reply, false);
        }
    }

    [Fact]
    public async Task A_module_link_needs_the_module_key_when_the_module_is_registered()
    {
        using var hub = Hubs.Start(o => o.Registry.AddModule("dev1", "mod1"));
        await using var device = await TestClient.ConnectDeviceAsync(hub, "dev1");
        await Assert.ThrowsAnyAsync<Exception>(() => device.ReceiverAsync("/devices/dev1/modules/mod1/twin"));
    }

    [Fact]
    public async Task Method_and_twin_links_of_an_unregistered_module_are_refused_as_not_found()
    {
        using var hub = Hubs.Start();
        await using var device = await TestClient.ConnectDeviceAsync(hub, "dev1");
        var ex = await Assert.ThrowsAnyAsync<AmqpException>(() => device.ReceiverAsync("/devices/dev1/modules/ghost/methods/devicebound"));
        Assert.Equal(AmqpErrorCode.NotFound, ex.Error.Condition);
    }

    // The desired patch the REST API would apply, applied on the hub's core (internal, InternalsVisibleTo).
    private static int NotifyDesired(LocalHub hub, string id, string patchJson)
    {
        var core = hub.Core;
        var twin = core.Twins.Get(id, null);
        lock (twin)
        {
            var note = twin.PatchDesired(JsonNode.Parse(patchJson)!.AsObject(), DateTimeOffset.UtcNow);
            return core.NotifyDesired(id, null, note, twin.DesiredVersion);
        }
    }
}
