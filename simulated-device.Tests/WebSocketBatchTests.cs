// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
using System.Text.RegularExpressions;
using IotHubAmqp.SimulatedDevice.Tests.TestSupport;

namespace IotHubAmqp.SimulatedDevice.Tests;

/// <summary>--websockets and --batch N, against a hub given by --connection-string and in-process.</summary>
public class WebSocketBatchTests
{
    [Fact]
    public void Batch_TwelveMessagesInBatchesOfFive_AllAcceptedAndStoredFromBatches()
    {
        using var hub = new TestHub();

        RunResult run = SimulatedDeviceProcess.Run(hub.Args("--messages", "12", "--batch", "5", "--interval", "0", "--json"));

        Assert.True(run.ExitCode == 0, run.ToString());
        var accepted = run.EventsOf("accepted").Select(e => e.GetProperty("messageId").GetString()!).ToList();
        Assert.Equal(12, accepted.Count);
        var stored = hub.Hub.GetTelemetry(TestHub.DeviceId);
        Assert.Equal(12, stored.Count);
        Assert.All(stored, t => Assert.True(t.FromBatch));
        Assert.Equal(accepted, stored.Select(t => t.MessageId!));
        Assert.All(stored, t => Assert.Equal("application/json", t.ContentType));
        Assert.All(stored, t => Assert.True(t.ApplicationProperties.ContainsKey("temperatureAlert")));
    }

    [Fact]
    public void WebSockets_RemoteHub_MessagesGoThroughItsWebSocketEndpoint()
    {
        using var hub = new TestHub(webSockets: true);
        string cs = Regex.Replace(hub.ConnectionString, "GatewayHostName=[^;]*", "GatewayHostName=127.0.0.1");

        RunResult run = SimulatedDeviceProcess.Run("--connection-string", cs, "--trusted-ca", hub.CaPemPath, "--websockets",
            "--port", hub.Hub.WebSocketPort.ToString(), "--messages", "3", "--interval", "0", "--json");

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal(3, run.EventsOf("accepted").Count());
        Assert.Equal(3, hub.Hub.GetTelemetry(TestHub.DeviceId).Count);
        Assert.Contains(hub.Hub.GetEvents(), e => e.Kind == LocalHub.HubEventKind.Connected && (e.Reason ?? "").StartsWith("wss://", StringComparison.Ordinal));
    }

    [Fact]
    public void WebSocketsAndBatch_InProcessHub_AllAccepted()
    {
        RunResult run = SimulatedDeviceProcess.Run("--websockets", "--batch", "3", "--messages", "6", "--interval", "100", "--json");

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal(6, run.EventsOf("accepted").Count());
        Assert.True(run.EventsOf("connected").Single().GetProperty("inProcessHub").GetBoolean());
    }

    [Theory]
    [InlineData("--batch", "0")]
    [InlineData("--batch", "501")]
    [InlineData("--websockets", "--websockets=yes")]
    public void BadBatchOrWebSocketsOption_ExitTwoNamingIt(string named, string value)
    {
        RunResult run = value.StartsWith("--", StringComparison.Ordinal) ? SimulatedDeviceProcess.Run(value) : SimulatedDeviceProcess.Run(named, value);

        Assert.True(run.ExitCode == 2, run.ToString());
        Assert.Contains(named, Assert.Single(run.Stderr));
    }
}
