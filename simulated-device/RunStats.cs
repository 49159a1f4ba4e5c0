// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
namespace IotHubAmqp.SimulatedDevice;

/// <summary>The counters of a run at one moment.</summary>
internal sealed record RunSnapshot(
    long Sent,
    long Accepted,
    long Rejected,
    double LastLatencyMs,
    double AverageLatencyMs,
    int Renewals,
    int Reconnects,
    int CommandsReceived,
    int CommandsSent,
    int Feedbacks,
    int MethodCalls,
    int DesiredChanges,
    int ReportedUpdates,
    int Reboots,
    int IntervalMs,
    string State,
    TimeSpan Uptime);

/// <summary>Counters of a run, updated from the send loop and the client's threads.</summary>
internal sealed class RunStats
{
    private readonly object sync = new();
    private readonly DateTime started = DateTime.UtcNow;
    private long sent;
    private long accepted;
    private long rejected;
    private double lastLatency;
    private double latencySum;
    private int renewals;
    private int reconnects;
    private int commandsReceived;
    private int commandsSent;
    private int feedbacks;
    private int methodCalls;
    private int desiredChanges;
    private int reportedUpdates;
    private int reboots;
    private int intervalMs;
    private string state = "connecting";

    public void Sent() { lock (sync) sent++; }

    public void Outcome(bool wasAccepted, double latencyMs)
    {
        lock (sync)
        {
            lastLatency = latencyMs;
            if (wasAccepted)
            {
                accepted++;
                latencySum += latencyMs;
            }
            else
            {
                rejected++;
            }
        }
    }

    public void Renewed() { lock (sync) renewals++; }

    public void Reconnects(int count) { lock (sync) reconnects = count; }

    public void CommandReceived() { lock (sync) commandsReceived++; }

    public void CommandSent() { lock (sync) commandsSent++; }

    public void Feedback() { lock (sync) feedbacks++; }

    public void MethodCall() { lock (sync) methodCalls++; }

    public void DesiredChange() { lock (sync) desiredChanges++; }

    public void ReportedUpdate() { lock (sync) reportedUpdates++; }

    public void Rebooted() { lock (sync) reboots++; }

    public void Interval(int ms) { lock (sync) intervalMs = ms; }

    public void State(string value) { lock (sync) state = value; }

    public RunSnapshot Snapshot()
    {
        lock (sync)
        {
            return new RunSnapshot(sent, accepted, rejected, lastLatency, accepted == 0 ? 0 : latencySum / accepted,
                renewals, reconnects, commandsReceived, commandsSent, feedbacks,
                methodCalls, desiredChanges, reportedUpdates, reboots, intervalMs, state, DateTime.UtcNow - started);
        }
    }
}
