// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
using System.Globalization;

namespace IotHubAmqp.SimulatedDevice;

/// <summary>Output redirected (a file, a pipe, CI): one plain line per event, no cursor movement.</summary>
internal sealed class PlainLineView : IEventView
{
    private readonly TextWriter output;
    private readonly object sync = new();

    public PlainLineView(TextWriter output) => this.output = output;

    public void Show(DeviceEvent e, RunSnapshot stats)
    {
        // "sent" is implied by the accepted or rejected line that follows it.
        if (e.Type == EventType.Sent) return;
        string line = e.Time.ToLocalTime().ToString("HH:mm:ss.fff", CultureInfo.InvariantCulture) + "  " + Describe(e);
        lock (sync)
        {
            output.WriteLine(line);
            output.Flush();
        }
    }

    public void Dispose()
    {
    }

    /// <summary>One event as a short sentence (shared with the live view's recent-events list).</summary>
    public static string Describe(DeviceEvent e)
    {
        switch (e.Type)
        {
            case EventType.Connected:
                return $"connected to {e.HostName} via {e.Endpoint} as {e.DeviceId} (auth {e.Auth}{(e.InProcessHub == true ? ", in-process hub" : "")})"
                    + (e.WebConsole is null ? "" : $"; web console {e.WebConsole} (sign in with the connection string in {e.WebConsoleCredentialFile})");
            case EventType.Sent:
                return $"#{e.Counter} sent {e.Bytes} bytes ({e.MessageId})";
            case EventType.Accepted:
                return $"#{e.Counter} accepted in {Ms(e.LatencyMs)} ({e.MessageId})";
            case EventType.Rejected:
                return $"#{e.Counter} not accepted: {e.Outcome}{(e.Reason == null ? "" : " - " + e.Reason)} ({e.MessageId})";
            case EventType.CommandSent:
                return $"service sent command {e.MessageId} (ack=full): {e.Body}";
            case EventType.C2d:
                return $"command {e.MessageId} received: {e.Body} -> {e.Action}{(e.Reason == null ? "" : " failed: " + e.Reason)}";
            case EventType.Feedback:
                return $"feedback for {e.MessageId}: {e.Status}";
            case EventType.Renewed:
                return e.Reason ?? "token renewed";
            case EventType.RenewalFailed:
                return "token renewal failed: " + e.Reason;
            case EventType.Disconnected:
                return "disconnected: " + e.Reason;
            case EventType.Reconnected:
                return "reconnected: " + e.Reason;
            case EventType.Method:
                return $"method {e.Method} called: {e.Body} -> {e.MethodStatus}{(e.Reason == null ? "" : " - " + e.Reason)}";
            case EventType.Desired:
                return $"desired properties (version {e.Version}): {e.Applied}";
            case EventType.Reported:
                return $"reported {e.Applied} (version {e.Version})";
            case EventType.Rebooted:
                return "rebooted: " + e.Reason;
            case EventType.ServiceMethod:
                return $"service called {e.Method}: {(e.MethodStatus is int st ? st.ToString(CultureInfo.InvariantCulture) : "failed")} {e.Body}{(e.Reason == null ? "" : " - " + e.Reason)}";
            case EventType.ServiceDesired:
                return $"service set desired {e.Body} (version {e.Version})";
            case EventType.ServiceTwin:
                return $"service reads the twin: reported {e.Body} (version {e.Version})";
            case EventType.Provisioned:
                return $"provisioned by {e.Endpoint}: hub {e.HostName}, device {e.DeviceId} in {Ms(e.LatencyMs)}, {e.Counter} round trips{(e.Body == null ? "" : ", payload " + e.Body)}";
            case EventType.Summary:
                RunSnapshot t = e.Totals!;
                return $"done: sent {t.Sent}, accepted {t.Accepted}, not accepted {t.Rejected}, avg latency {Ms(t.AverageLatencyMs)}, "
                    + $"token renewals {t.Renewals}, reconnects {t.Reconnects}, commands received {t.CommandsReceived}, feedback {t.Feedbacks}, "
                    + $"method calls {t.MethodCalls}, desired changes {t.DesiredChanges}, reported updates {t.ReportedUpdates}; exit code {e.ExitCode}";
            default:
                return e.Type + (e.Reason == null ? "" : ": " + e.Reason);
        }
    }

    public static string Ms(double? ms) => ms is double v ? v.ToString("0.0", CultureInfo.InvariantCulture) + " ms" : "-";
}
