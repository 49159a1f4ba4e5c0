// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
using System.Text.Json;
using System.Text.Json.Nodes;
using IotHubAmqp.SimulatedDevice.Tests.TestSupport;

namespace IotHubAmqp.SimulatedDevice.Tests;

/// <summary>Direct methods and the device twin: the in-process demo, and a back end (the test) calling the device.</summary>
public class TwinTests
{
    private static readonly TimeSpan MethodTimeout = TimeSpan.FromSeconds(10);

    [Fact]
    public void DefaultMode_ServiceCallsSetTelemetryInterval_Gets200_AndTheDesiredIntervalIsAppliedAndReported()
    {
        RunResult run = SimulatedDeviceProcess.Run("--messages", "5", "--interval", "200");

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Empty(run.Stderr);
        Assert.Contains(run.Stdout, l => l.Contains("method setTelemetryInterval called: {\"seconds\":2} -> 200", StringComparison.Ordinal));
        Assert.Contains(run.Stdout, l => l.Contains("service called setTelemetryInterval: 200 {\"telemetryIntervalSeconds\":2}", StringComparison.Ordinal));
        Assert.Contains(run.Stdout, l => l.Contains("service set desired {\"telemetryIntervalSeconds\":1} (version 2)", StringComparison.Ordinal));
        Assert.Contains(run.Stdout, l => l.Contains("desired properties (version 2): telemetryIntervalSeconds 1 applied", StringComparison.Ordinal));
        Assert.Contains(run.Stdout, l => l.Contains("service reads the twin: reported {\"telemetryIntervalSeconds\":1,", StringComparison.Ordinal));
        Assert.Contains(run.Stdout, l => l.Contains("method calls 1, desired changes 1", StringComparison.Ordinal));
    }

    [Fact]
    public void DefaultMode_Json_HasMethodDesiredReportedAndServiceEvents()
    {
        RunResult run = SimulatedDeviceProcess.Run("--messages", "4", "--interval", "100", "--json");

        Assert.True(run.ExitCode == 0, run.ToString());
        JsonElement method = run.EventsOf("method").Single();
        Assert.Equal("setTelemetryInterval", method.GetProperty("method").GetString());
        Assert.Equal(200, method.GetProperty("methodStatus").GetInt32());
        JsonElement service = run.EventsOf("service-method").Single();
        Assert.Equal(200, service.GetProperty("methodStatus").GetInt32());
        Assert.Equal(2, JsonDocument.Parse(service.GetProperty("body").GetString()!).RootElement.GetProperty("telemetryIntervalSeconds").GetInt32());
        JsonElement desired = run.EventsOf("desired").Single();
        Assert.Equal(run.EventsOf("service-desired").Single().GetProperty("version").GetInt64(), desired.GetProperty("version").GetInt64());
        Assert.Contains("applied", desired.GetProperty("applied").GetString());
        // At start, after the method, after the desired change: each reported with a growing version.
        var versions = run.EventsOf("reported").Select(e => e.GetProperty("version").GetInt64()).ToList();
        Assert.True(versions.Count >= 3, run.ToString());
        Assert.Equal(versions.OrderBy(v => v).ToList(), versions);
        JsonElement twin = run.EventsOf("service-twin").Single();
        Assert.Equal(versions[^1], twin.GetProperty("version").GetInt64());
        Assert.Equal(1, JsonDocument.Parse(twin.GetProperty("body").GetString()!).RootElement.GetProperty("telemetryIntervalSeconds").GetInt32());
        JsonElement summary = run.EventsOf("summary").Single();
        Assert.Equal(1000, summary.GetProperty("intervalMs").GetInt32());
        Assert.Equal(1, summary.GetProperty("methodCalls").GetInt32());
    }

    [Fact]
    public async Task BackEnd_BadPayloadGets400_UnknownMethodGets501_DesiredAtStartIsAppliedAndReportedAtTheHub()
    {
        using var hub = new TestHub();
        hub.Hub.UpdateDesired(TestHub.DeviceId, null, "{\"telemetryIntervalSeconds\":1}");
        Task<(int HttpStatus, int DeviceStatus, string PayloadJson)>? bad = null, unknown = null;

        RunResult run = SimulatedDeviceProcess.Run(hub.Args("--messages", "4", "--interval", "100", "--json"), line =>
        {
            // The first report follows Open: the method links are attached.
            if (line.Contains("\"reported\"", StringComparison.Ordinal) && bad == null)
            {
                bad = hub.Hub.InvokeMethodAsync(TestHub.DeviceId, null, "setTelemetryInterval", "{\"seconds\":0}", MethodTimeout, MethodTimeout);
                unknown = hub.Hub.InvokeMethodAsync(TestHub.DeviceId, null, "selfDestruct", "{}", MethodTimeout, MethodTimeout);
            }
        });

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.NotNull(bad);
        var badResult = await bad;
        Assert.Equal(400, badResult.DeviceStatus);
        Assert.Contains("1..3600", badResult.PayloadJson);
        Assert.Equal(501, (await unknown!).DeviceStatus);
        JsonElement method = run.EventsOf("method").Single();
        Assert.Equal(400, method.GetProperty("methodStatus").GetInt32());
        Assert.Contains("1..3600", method.GetProperty("reason").GetString());
        Assert.Contains("applied at start", run.EventsOf("desired").Single().GetProperty("applied").GetString());
        var reported = JsonNode.Parse(hub.Hub.GetTwinJson(TestHub.DeviceId))!["properties"]!["reported"]!;
        Assert.Equal(1, reported["telemetryIntervalSeconds"]!.GetValue<int>());
        Assert.Equal("IotHubAmqp.Device/0.2.0", reported["sdkVersion"]!.GetValue<string>());
        Assert.Equal(1000, run.EventsOf("summary").Single().GetProperty("intervalMs").GetInt32());
    }

    [Fact]
    public async Task Reboot_Answers200_ThenReconnectsWithANewClient_AndEveryMessageIsAccepted()
    {
        using var hub = new TestHub();
        Task<(int HttpStatus, int DeviceStatus, string PayloadJson)>? reboot = null;

        RunResult run = SimulatedDeviceProcess.Run(hub.Args("--messages", "15", "--interval", "200", "--json"), line =>
        {
            if (line.Contains("\"accepted\"", StringComparison.Ordinal) && reboot == null)
            {
                reboot = hub.Hub.InvokeMethodAsync(TestHub.DeviceId, null, "reboot", "null", MethodTimeout, MethodTimeout);
            }
        });

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal(200, (await reboot!).DeviceStatus);
        Assert.Contains("connected a new one", run.EventsOf("rebooted").Single().GetProperty("reason").GetString());
        var types = run.Events.Select(e => e.GetProperty("type").GetString()).ToList();
        Assert.Contains("accepted", types.Skip(types.IndexOf("rebooted")));
        // The new client reports again once it is open.
        Assert.True(types.LastIndexOf("reported") > types.IndexOf("rebooted"), run.ToString());
        JsonElement summary = run.EventsOf("summary").Single();
        Assert.Equal(15, summary.GetProperty("accepted").GetInt32());
        Assert.Equal(1, summary.GetProperty("reboots").GetInt32());
    }
}
