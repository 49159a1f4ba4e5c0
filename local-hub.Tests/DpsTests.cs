using System.Text;
using Microsoft.Azure.Amqp;
using Microsoft.Azure.Amqp.Framing;

namespace IotHubAmqp.LocalHub.Tests;

/// <summary>The local DPS endpoint's own rules, with a Microsoft.Azure.Amqp client (the Node and SDK tests cover registration).</summary>
public class DpsTests
{
    private const string Scope = "0ne000TEST1";

    private static LocalHub Start() => Hubs.Start(o => o.Dps = new DpsOptions { IdScope = Scope, RetryAfterSeconds = 0 });

    private static string Token(string registrationId, string key) =>
        SasToken.Create($"{Scope}/registrations/{registrationId}", Convert.FromBase64String(key), DateTimeOffset.UtcNow.AddHours(1), "registration");

    private static Task<TestClient> Connect(LocalHub hub, string registrationId, string key) =>
        TestClient.ConnectAsync(hub, SaslMode.Plain, $"{Scope}/registrations/{registrationId}", Token(registrationId, key), "localhost", port: hub.Dps!.Port);

    private static AmqpMessage Request(string type, string? operationId = null)
    {
        var m = AmqpMessage.Create(new Data { Value = new ArraySegment<byte>(Encoding.UTF8.GetBytes("{}")) });
        m.Properties.CorrelationId = "c-" + type;
        m.ApplicationProperties.Map["iotdps-operation-type"] = type;
        if (operationId is not null) m.ApplicationProperties.Map["iotdps-operation-id"] = operationId;
        return m;
    }

    private static string Body(AmqpMessage m) =>
        Encoding.UTF8.GetString(m.DataBody.Single().Value is ArraySegment<byte> seg ? seg.ToArray() : (byte[])m.DataBody.Single().Value);

    [Fact]
    public void Command_line_flags_build_the_dps_options()
    {
        var key = DeviceRegistry.NewKey();
        var o = CommandLine.Parse(new[] { "--dps-port", "0", "--dps-scope", "0neABC", "--enrollment", $"r1:{key}", "--enrollment", "r2",
            "--enrollment-group", "g1", "--disable-enrollment", "r2" })!;
        Assert.NotNull(o.Dps);
        Assert.Equal("0neABC", o.Dps!.IdScope);
        Assert.Contains(o.Dps.Enrollments.Individual, e => e.RegistrationId == "r1" && e.Key == key && e.Enabled);
        Assert.Contains(o.Dps.Enrollments.Individual, e => e.RegistrationId == "r2" && !e.Enabled);
        Assert.Single(o.Dps.Enrollments.Groups);
        Assert.Null(CommandLine.Parse(new[] { "--port", "0" })!.Dps);
        Assert.Throws<ArgumentException>(() => CommandLine.Parse(new[] { "--disable-enrollment", "nobody" }));
    }

    [Fact]
    public void Registry_file_may_carry_enrollments_and_the_scope()
    {
        var set = new DpsEnrollments();
        var scope = set.LoadJson("{\"idScope\":\"0neFILE\",\"enrollments\":[{\"registrationId\":\"a\",\"deviceId\":\"dev-a\",\"payload\":{\"x\":1}}],"
            + "\"enrollmentGroups\":[{\"name\":\"g\",\"enabled\":false}]}");
        Assert.Equal("0neFILE", scope);
        var a = Assert.Single(set.Individual);
        Assert.Equal("dev-a", a.DeviceId);
        Assert.Equal("{\"x\":1}", a.PayloadJson);
        Assert.False(Assert.Single(set.Groups).Enabled);
    }

    [Fact]
    public void Derived_key_matches_the_documented_vector()
    {
        // Same vector as the device tests (device-sdk.Tests/Provisioning/DpsWireTests.cs): group key = bytes 0..31.
        Assert.Equal("zISK7nhtBNk0sbJNRSxNr3mhOa+KbHCUh26exQf3xjI=", DpsEnrollments.DeriveDeviceKey("AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=", "sensor-042"));
    }

    [Fact]
    public async Task A_link_to_another_registration_is_refused()
    {
        using var hub = Start();
        var key = hub.Dps!.Enrollments.AddIndividual("r-own");
        hub.Dps.Enrollments.AddIndividual("r-other");
        await using var c = await Connect(hub, "r-own", key);
        var e = await Assert.ThrowsAnyAsync<Exception>(() => c.ReceiverAsync($"{Scope}/registrations/r-other"));
        Assert.Contains("registrations/r-own", e.Message);
    }

    [Fact]
    public async Task Unknown_operation_type_is_rejected_and_an_unknown_operation_id_fails()
    {
        using var hub = Start();
        var key = hub.Dps!.Enrollments.AddIndividual("r-ops");
        await using var c = await Connect(hub, "r-ops", key);
        var address = $"{Scope}/registrations/r-ops";
        var answers = await c.ReceiverAsync(address, SettleMode.SettleOnSend);
        var requests = await c.SenderAsync(address);
        var outcome = await TestClient.SendAsync(requests, Request("iotdps-nonsense"));
        var rejected = Assert.IsType<Rejected>(outcome);
        Assert.Equal("amqp:invalid-field", rejected.Error.Condition.Value);
        Assert.IsType<Accepted>(await TestClient.SendAsync(requests, Request("iotdps-get-operationstatus", "4.no.such")));
        var answer = await answers.ReceiveMessageAsync(TestClient.Timeout) ?? throw new TimeoutException("no answer");
        Assert.Equal("c-iotdps-get-operationstatus", answer.Properties.CorrelationId?.ToString());
        var json = Body(answer);
        Assert.Contains("\"status\":\"failed\"", json);
        Assert.Contains("404202", json);
    }

    [Fact]
    public async Task Register_answers_assigning_with_both_retry_after_spellings()
    {
        using var hub = Hubs.Start(o => o.Dps = new DpsOptions { IdScope = Scope, RetryAfterSeconds = 3 });
        var key = hub.Dps!.Enrollments.AddIndividual("r-ra");
        await using var c = await Connect(hub, "r-ra", key);
        var address = $"{Scope}/registrations/r-ra";
        var answers = await c.ReceiverAsync(address, SettleMode.SettleOnSend);
        var requests = await c.SenderAsync(address);
        Assert.IsType<Accepted>(await TestClient.SendAsync(requests, Request("iotdps-register")));
        var answer = await answers.ReceiveMessageAsync(TestClient.Timeout) ?? throw new TimeoutException("no answer");
        Assert.Equal("3", answer.ApplicationProperties.Map["retry-after"]);
        Assert.Equal("3", answer.ApplicationProperties.Map["Retry-After"]);
        Assert.Contains("\"status\":\"assigning\"", Body(answer));
        Assert.False(hub.Registry.Contains("r-ra"), "assigned only on a poll");
    }
}
