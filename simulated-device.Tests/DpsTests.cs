// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
using System.Text.Json;
using IotHubAmqp.LocalHub;
using IotHubAmqp.SimulatedDevice.Tests.TestSupport;

namespace IotHubAmqp.SimulatedDevice.Tests;

/// <summary>--dps: register with the local DPS, then send telemetry to the hub it assigns.</summary>
public class DpsTests
{
    private static TestHub Start() => new(configure: o => o.Dps = new DpsOptions { IdScope = "0ne000SIM01", RetryAfterSeconds = 0 });

    private static string[] DpsArgs(TestHub hub, params string[] more) =>
        new[] { "--dps", hub.Hub.Dps!.IdScope, "--dps-endpoint", hub.Hub.Dps.Endpoint, "--gateway", "127.0.0.1:" + hub.Hub.Port, "--trusted-ca", hub.CaPemPath }
            .Concat(more).ToArray();

    [Fact]
    public void GroupEnrollment_ProvisionsThenSendsToTheAssignedHub()
    {
        using TestHub hub = Start();
        string groupKey = hub.Hub.Dps!.Enrollments.AddGroup("sim-fleet", payloadJson: "{\"interval\":5}");

        RunResult run = SimulatedDeviceProcess.Run(DpsArgs(hub, "--registration-id", "sim-grp-1", "--dps-group-key", groupKey, "--messages", "2", "--interval", "0", "--json"));

        Assert.True(run.ExitCode == 0, run.ToString());
        JsonElement provisioned = run.EventsOf("provisioned").Single();
        Assert.Equal(hub.Hub.HostName, provisioned.GetProperty("hostName").GetString());
        Assert.Equal("sim-grp-1", provisioned.GetProperty("deviceId").GetString());
        Assert.Equal("{\"interval\":5}", provisioned.GetProperty("body").GetString());
        Assert.Equal(2, hub.Hub.GetTelemetry("sim-grp-1").Count);
        Assert.DoesNotContain(run.Stdout, line => line.Contains(groupKey, StringComparison.Ordinal)
            || line.Contains(DpsEnrollments.DeriveDeviceKey(groupKey, "sim-grp-1"), StringComparison.Ordinal));
    }

    [Fact]
    public void WrongKey_ExitsOneNamingTheRefusal()
    {
        using TestHub hub = Start();
        hub.Hub.Dps!.Enrollments.AddIndividual("sim-ind-1");
        string wrong = DeviceRegistry.NewKey();

        RunResult run = SimulatedDeviceProcess.Run(DpsArgs(hub, "--registration-id", "sim-ind-1", "--dps-key", wrong, "--messages", "1", "--json"));

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("Unauthorized", string.Join("\n", run.Stderr));
        Assert.DoesNotContain(wrong, string.Join("\n", run.Stderr) + string.Join("\n", run.Stdout));
    }

    [Theory]
    [InlineData("--dps", "0ne1", "--trusted-ca", "x.pem")]
    [InlineData("--registration-id", "r1")]
    [InlineData("--dps", "0ne1", "--registration-id", "r1", "--dps-key", "not base64!", "--trusted-ca", "x.pem")]
    public void IncompleteDpsOptions_ExitTwo(params string[] args)
    {
        RunResult run = SimulatedDeviceProcess.Run(args);
        Assert.Equal(2, run.ExitCode);
    }
}
