namespace IotHubAmqp.LocalHub.Tests;

/// <summary>Fidelity: Azure's own provisioning client (azure-iot-provisioning-device-amqp) against the local DPS, over TLS with validation on.</summary>
public partial class NodeClientTests
{
    private static LocalHub StartWithDps(Action<DpsOptions>? configure = null) => Hubs.Start(o =>
    {
        o.Dps = new DpsOptions { IdScope = "0ne000DPS01", RetryAfterSeconds = 0 };
        configure?.Invoke(o.Dps);
    });

    private static Dictionary<string, string> DpsEnv(LocalHub hub, string registrationId) => new()
    {
        ["PROVISIONING_HOST"] = hub.Dps!.Endpoint,
        ["ID_SCOPE"] = hub.Dps.IdScope,
        ["REGISTRATION_ID"] = registrationId,
        ["GATEWAY"] = $"127.0.0.1:{hub.Port}",
    };

    [Fact]
    public async Task Node_provisioning_individual_enrollment_registers_then_sends_to_the_assigned_hub()
    {
        RequireNodeModules();
        using var hub = StartWithDps(d => d.PollsBeforeAssigned = 1);
        var key = hub.Dps!.Enrollments.AddIndividual("node-ind-1", payloadJson: "{\"fw\":\"2.0\"}");
        var env = DpsEnv(hub, "node-ind-1");
        env["SYMMETRIC_KEY"] = key;
        env["PAYLOAD"] = "{\"model\":\"thermo\"}";
        var (exit, stdout, stderr) = await RunAsync(hub, "dps-register.js", env);
        Assert.True(exit == 0, stdout + stderr);
        Assert.Contains($"ASSIGNED {hub.HostName} node-ind-1 {{\"fw\":\"2.0\"}}", stdout);
        Assert.True(hub.Registry.TryGetDeviceKey("node-ind-1", out var hubKey));
        Assert.Equal(key, hubKey);
        Assert.Equal("dps-node-ind-1", (await hub.WaitForTelemetryAsync("node-ind-1", 1, ScriptTimeout)).Single().MessageId);
        Assert.Contains(hub.Dps.Registrations, r => r.RegistrationId == "node-ind-1" && r.Status == "assigned" && r.Enrollment == "individual");
    }

    [Fact]
    public async Task Node_provisioning_group_enrollment_with_a_derived_key_registers_then_sends()
    {
        RequireNodeModules();
        using var hub = StartWithDps();
        var groupKey = hub.Dps!.Enrollments.AddGroup("line-a");
        var env = DpsEnv(hub, "node-grp-7");
        env["GROUP_KEY"] = groupKey;
        var (exit, stdout, stderr) = await RunAsync(hub, "dps-register.js", env);
        Assert.True(exit == 0, stdout + stderr);
        Assert.Contains($"ASSIGNED {hub.HostName} node-grp-7 null", stdout);
        Assert.True(hub.Registry.TryGetDeviceKey("node-grp-7", out var hubKey));
        Assert.Equal(DpsEnrollments.DeriveDeviceKey(groupKey, "node-grp-7"), hubKey);
        await hub.WaitForTelemetryAsync("node-grp-7", 1, ScriptTimeout);
        Assert.Contains(hub.Dps.Registrations, r => r.RegistrationId == "node-grp-7" && r.Enrollment == "group:line-a");
    }

    [Fact]
    public async Task Node_provisioning_retries_a_throttled_register_after_retry_after()
    {
        RequireNodeModules();
        using var hub = StartWithDps(d => { d.ThrottleNextRegistrations = 1; d.ThrottleRetryAfterSeconds = 1; });
        var key = hub.Dps!.Enrollments.AddIndividual("node-thr-1");
        var env = DpsEnv(hub, "node-thr-1");
        env["SYMMETRIC_KEY"] = key;
        var (exit, stdout, stderr) = await RunAsync(hub, "dps-register.js", env);
        Assert.True(exit == 0, stdout + stderr);
        Assert.Equal(new[] { "throttled", "assigned" }, hub.Dps.Registrations.Where(r => r.RegistrationId == "node-thr-1").Select(r => r.Status));
    }

    [Fact]
    public async Task Node_provisioning_with_a_wrong_key_is_refused()
    {
        RequireNodeModules();
        using var hub = StartWithDps();
        hub.Dps!.Enrollments.AddIndividual("node-bad-1");
        var env = DpsEnv(hub, "node-bad-1");
        env["SYMMETRIC_KEY"] = DeviceRegistry.NewKey();
        env["EXPECT_FAILURE"] = "1";
        var (exit, stdout, stderr) = await RunAsync(hub, "dps-register.js", env);
        Assert.True(exit == 0, stdout + stderr);
        Assert.Contains("REGISTER_FAILED", stdout);
        Assert.False(hub.Registry.Contains("node-bad-1"));
    }
}
