// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
using System.Text.Json;
using IotHubAmqp.SimulatedDevice.Tests.TestSupport;

namespace IotHubAmqp.SimulatedDevice.Tests;

/// <summary>Telemetry and token renewal against a hub given by --connection-string (no in-process hub).</summary>
public class TelemetryTests
{
    [Theory]
    [InlineData("cbs")]
    [InlineData("plain")]
    public void Messages_WithShortTokens_AllAcceptedRenewedAndStoredOnce(string auth)
    {
        const int count = 80;
        using var hub = new TestHub();

        // 80 x 100 ms = 8 s of sending with 5 s tokens: renewal falls due at least once.
        RunResult run = SimulatedDeviceProcess.Run(hub.Args("--auth", auth, "--messages", count.ToString(), "--interval", "100", "--token-ttl", "5", "--json"));

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Empty(run.Stderr);
        List<string> accepted = run.EventsOf("accepted").Select(e => e.GetProperty("messageId").GetString()!).ToList();
        Assert.Equal(count, accepted.Count);
        Assert.Equal(count, accepted.Distinct().Count());
        Assert.All(run.EventsOf("accepted"), e => Assert.True(e.GetProperty("latencyMs").GetDouble() >= 0));
        Assert.NotEmpty(run.EventsOf("renewed"));
        Assert.Equal(auth, run.EventsOf("connected").Single().GetProperty("auth").GetString());
        JsonElement summary = run.EventsOf("summary").Single();
        Assert.Equal(count, summary.GetProperty("accepted").GetInt32());
        Assert.Equal(0, summary.GetProperty("exitCode").GetInt32());

        var stored = hub.Hub.GetTelemetry(TestHub.DeviceId).Select(t => t.MessageId!).ToHashSet();
        Assert.Equal(accepted.ToHashSet(), stored);
        // Neither the key nor the connection string is ever printed.
        Assert.DoesNotContain(run.Stdout, line => line.Contains(hub.DeviceKey, StringComparison.Ordinal) || line.Contains("SharedAccess", StringComparison.Ordinal));
    }

    [Fact]
    public void PayloadBytes_PadsTheJsonBodyToExactlyThatSize()
    {
        using var hub = new TestHub();

        RunResult run = SimulatedDeviceProcess.Run(hub.Args("--messages", "3", "--interval", "0", "--payload-bytes", "1000", "--json"));

        Assert.True(run.ExitCode == 0, run.ToString());
        var bodies = hub.Hub.GetTelemetry(TestHub.DeviceId);
        Assert.Equal(3, bodies.Count);
        for (int i = 0; i < bodies.Count; i++)
        {
            Assert.Equal(1000, bodies[i].Body.Length);
            Assert.Equal("application/json", bodies[i].ContentType);
            using var json = JsonDocument.Parse(bodies[i].Body);
            Assert.Equal(i + 1, json.RootElement.GetProperty("counter").GetInt32());
            Assert.Equal(TestHub.DeviceId, json.RootElement.GetProperty("deviceId").GetString());
            Assert.True(json.RootElement.TryGetProperty("temperature", out _));
        }
    }

    [Fact]
    public void Messages_HubRejectsThem_ExitsOneWithRejectedEvents()
    {
        using var hub = new TestHub();
        hub.Hub.RejectAllTelemetry();

        RunResult run = SimulatedDeviceProcess.Run(hub.Args("--messages", "3", "--interval", "0", "--json"));

        Assert.True(run.ExitCode == 1, run.ToString());
        Assert.Empty(run.EventsOf("accepted"));
        var rejected = run.EventsOf("rejected");
        Assert.Equal(3, rejected.Count);
        Assert.All(rejected, e => Assert.Contains("amqp:resource-limit-exceeded", e.GetProperty("reason").GetString()));
        string error = Assert.Single(run.Stderr);
        Assert.Contains("0 of 3", error);
    }

    [Fact]
    public void ConnectionDropped_ReportsDisconnectAndReconnect_AndStillDeliversEveryMessage()
    {
        const int count = 30;
        using var hub = new TestHub();
        int accepted = 0;

        RunResult run = SimulatedDeviceProcess.Run(hub.Args("--messages", count.ToString(), "--interval", "100", "--json"), line =>
        {
            if (line.Contains("\"accepted\"", StringComparison.Ordinal) && Interlocked.Increment(ref accepted) == 5)
                hub.Hub.AbortDeviceConnections(TestHub.DeviceId);
        });

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.NotEmpty(run.EventsOf("disconnected"));
        Assert.NotEmpty(run.EventsOf("reconnected"));
        Assert.True(run.EventsOf("summary").Single().GetProperty("reconnects").GetInt32() >= 1, run.ToString());
        var ids = run.EventsOf("accepted").Select(e => e.GetProperty("messageId").GetString()!).ToHashSet();
        Assert.Equal(count, ids.Count);
        Assert.Subset(hub.Hub.GetTelemetry(TestHub.DeviceId).Select(t => t.MessageId!).ToHashSet(), ids);
    }
}
