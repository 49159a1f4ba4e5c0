// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
using System.Text;
using IotHubAmqp.LocalHub;
using IotHubAmqp.SimulatedDevice.Tests.TestSupport;

namespace IotHubAmqp.SimulatedDevice.Tests;

/// <summary>Cloud-to-device commands sent by the test (the back end) while the program runs.</summary>
public class CommandTests
{
    [Theory]
    [InlineData(null, "complete", "Success")]
    [InlineData("reject", "reject", "Rejected")]
    public void Command_WhileRunning_IsSettledAsToldAndTheHubReportsFeedback(string? c2dOption, string action, string feedback)
    {
        using var hub = new TestHub();
        const string commandId = "test-command-1";
        int enqueued = 0;
        var args = new List<string> { "--messages", "30", "--interval", "100", "--json" };
        if (c2dOption != null) args.AddRange(new[] { "--c2d", c2dOption });

        RunResult run = SimulatedDeviceProcess.Run(hub.Args(args.ToArray()), line =>
        {
            // Once the device is sending, its C2D link is attached: the back end sends it a command.
            if (line.Contains("\"accepted\"", StringComparison.Ordinal) && Interlocked.Exchange(ref enqueued, 1) == 0)
            {
                var message = new CloudToDeviceMessage { Body = Encoding.UTF8.GetBytes("{\"command\":\"reboot\"}"), MessageId = commandId, Ack = "full" };
                Assert.Equal(C2dEnqueueResult.Enqueued, hub.Hub.SendCloudToDevice(TestHub.DeviceId, message));
            }
        });

        Assert.True(run.ExitCode == 0, run.ToString());
        var c2d = Assert.Single(run.EventsOf("c2d"));
        Assert.Equal(commandId, c2d.GetProperty("messageId").GetString());
        Assert.Equal(action, c2d.GetProperty("action").GetString());
        Assert.Equal("{\"command\":\"reboot\"}", c2d.GetProperty("body").GetString());
        Assert.False(c2d.TryGetProperty("reason", out _), run.ToString());
        FeedbackRecord? record = hub.WaitForFeedback(commandId, TimeSpan.FromSeconds(10));
        Assert.NotNull(record);
        Assert.Equal(feedback, record.StatusCode);
        Assert.Equal(1, run.EventsOf("summary").Single().GetProperty("commandsReceived").GetInt32());
    }
}
