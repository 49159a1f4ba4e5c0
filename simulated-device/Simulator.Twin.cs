// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
using System.Globalization;
using System.Text.Json;
using IotHubAmqp.Device.IotHub;
using IotHubAmqp.Device.Twin;

namespace IotHubAmqp.SimulatedDevice;

/// <summary>
/// The device's direct methods (setTelemetryInterval, reboot) and its twin (desired telemetryIntervalSeconds,
/// reported telemetryIntervalSeconds/sdkVersion/uptimeSeconds), through the optional IotHubAmqp.Device.Twin assembly.
/// </summary>
internal sealed partial class Simulator
{
    public const string SetIntervalMethod = "setTelemetryInterval";
    public const string RebootMethod = "reboot";
    public const string IntervalProperty = "telemetryIntervalSeconds";
    public const int MinIntervalSeconds = 1;
    public const int MaxIntervalSeconds = 3600;

    private const int TwinTimeoutMs = 10000;

    // The in-process service side's demo: the method sets one interval, then the desired property another.
    private const int DemoMethodSeconds = 2;
    private const int DemoDesiredSeconds = 1;
    private const int DemoWaitMs = 15000;

    // Lets the method answer leave before the client closes.
    private const int RebootDelayMs = 300;

    private readonly DateTime startedAt = DateTime.UtcNow;
    private DeviceTwinClient? twinClient;
    private int intervalMs;

    private int IntervalMs => Volatile.Read(ref intervalMs);

    // Registers the methods and the twin on a client (before Open: its links attach with the connection).
    private void AttachTwin(DeviceClient client)
    {
        var t = new DeviceTwinClient(client);
        t.AddMethodCallback(SetIntervalMethod, OnSetInterval);
        t.AddMethodCallback(RebootMethod, OnReboot);
        t.TwinUpdated += OnDesired;
        twinClient = t;
    }

    // After Open: read the twin, apply the desired interval if any, and report.
    private void StartTwin(DeviceTwinClient t)
    {
        try
        {
            Twin twin = t.GetTwin(TwinTimeoutMs);
            TwinCollection desired = twin.Properties.Desired;
            if (desired.Contains(IntervalProperty)) ApplyDesired(desired, "at start");
            Report(t);
        }
        catch (Exception e)
        {
            Report(new DeviceEvent(EventType.Desired) { Applied = "could not read the twin", Reason = Describe(e) });
        }
    }

    private MethodResponse OnSetInterval(string name, string payload)
    {
        int status;
        string answer;
        string? reason = null;
        int? seconds = ParseSeconds(payload, out string? problem);
        if (seconds is int s)
        {
            SetInterval(s * 1000);
            status = 200;
            answer = $"{{\"{IntervalProperty}\":{s}}}";
            ThreadPool.QueueUserWorkItem(_ => ReportCurrent());
        }
        else
        {
            status = 400;
            reason = problem;
            answer = JsonSerializer.Serialize(new Dictionary<string, string> { ["message"] = problem! });
        }

        stats.MethodCall();
        Report(new DeviceEvent(EventType.Method) { Method = name, MethodStatus = status, Body = payload, Reason = reason });
        return new MethodResponse(status, answer);
    }

    private MethodResponse OnReboot(string name, string payload)
    {
        stats.MethodCall();
        Report(new DeviceEvent(EventType.Method) { Method = name, MethodStatus = 200, Body = payload });
        // Not on the handler thread: closing the client waits for that thread.
        ThreadPool.QueueUserWorkItem(_ => Reboot());
        return new MethodResponse(200, "{\"rebooting\":true}");
    }

    // Like a device reboot: the client is closed and a new one connects, with its methods and twin.
    private void Reboot()
    {
        Thread.Sleep(RebootDelayMs);
        string outcome;
        DeviceTwinClient? t;
        lock (clientGate)
        {
            if (stopping) return;
            Volatile.Read(ref client)!.Close();
            DeviceClient next = NewClient();
            AttachTwin(next);
            t = twinClient;
            // Published before Open, so Ctrl+C closes it and unblocks a slow connect.
            Volatile.Write(ref client, next);
            try
            {
                next.Open();
                outcome = "closed the client and connected a new one";
            }
            catch (Exception e)
            {
                outcome = "the new client could not connect: " + Describe(e);
                t = null;
            }
        }

        stats.Rebooted();
        Report(new DeviceEvent(EventType.Rebooted) { Reason = outcome });
        if (t != null) StartTwin(t);
    }

    private void OnDesired(DeviceTwinClient sender, TwinCollection desired)
    {
        ApplyDesired(desired, null);
        ThreadPool.QueueUserWorkItem(_ => Report(sender));
    }

    private void ApplyDesired(TwinCollection desired, string? when)
    {
        object? value = desired[IntervalProperty];
        string applied;
        if (value == null)
        {
            applied = $"no {IntervalProperty}, nothing to apply";
        }
        else if (value is long s && s >= MinIntervalSeconds && s <= MaxIntervalSeconds)
        {
            SetInterval((int)s * 1000);
            applied = $"{IntervalProperty} {s} applied";
        }
        else
        {
            applied = $"{IntervalProperty} {Text(value)} ignored ({MinIntervalSeconds}..{MaxIntervalSeconds} seconds)";
        }

        stats.DesiredChange();
        Report(new DeviceEvent(EventType.Desired) { Version = desired.Version, Applied = when == null ? applied : applied + " " + when });
    }

    private void ReportCurrent()
    {
        DeviceTwinClient? t = twinClient;
        if (t != null) Report(t);
    }

    private void Report(DeviceTwinClient t)
    {
        var patch = new TwinCollection();
        int ms = IntervalMs;
        patch[IntervalProperty] = ms % 1000 == 0 ? (object)(long)(ms / 1000) : ms / 1000.0;
        patch["sdkVersion"] = DeviceClient.ClientVersion;
        patch["uptimeSeconds"] = (long)(DateTime.UtcNow - startedAt).TotalSeconds;
        try
        {
            long version = t.UpdateReportedProperties(patch, TwinTimeoutMs);
            stats.ReportedUpdate();
            Report(new DeviceEvent(EventType.Reported) { Version = version, Applied = patch.ToJson() });
        }
        catch (Exception e)
        {
            Report(new DeviceEvent(EventType.Reported) { Applied = patch.ToJson(), Reason = Describe(e) });
        }
    }

    // In-process, next to the first command: what a back end does with methods and the twin.
    private void ServiceDemo()
    {
        Report(hub!.InvokeMethod(SetIntervalMethod, "{\"seconds\":" + DemoMethodSeconds + "}"));
        Report(hub.UpdateDesired("{\"" + IntervalProperty + "\":" + DemoDesiredSeconds + "}"));
    }

    // Before closing: the demo done, and the hub's reported interval caught up with the desired one.
    private void WaitForServiceDemo(CancellationToken stop)
    {
        if (serviceDemo == null) return;
        try
        {
            if (!serviceDemo.Wait(DemoWaitMs, stop)) return;
        }
        catch (OperationCanceledException)
        {
            return; // Ctrl+C: no need to wait
        }
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (true)
        {
            var (reported, version) = hub!.ReadReported();
            bool caughtUp = reported[IntervalProperty]?.ToJsonString() == DemoDesiredSeconds.ToString(CultureInfo.InvariantCulture);
            if (caughtUp || clock.ElapsedMilliseconds >= DemoWaitMs || stop.IsCancellationRequested)
            {
                Report(new DeviceEvent(EventType.ServiceTwin) { Body = reported.ToJsonString(), Version = version });
                return;
            }

            stop.WaitHandle.WaitOne(FeedbackPollMs);
        }
    }

    private void SetInterval(int ms)
    {
        Volatile.Write(ref intervalMs, ms);
        stats.Interval(ms);
    }

    // {"seconds":N} with N a whole number in 1..3600; otherwise null and what is wrong.
    private static int? ParseSeconds(string payload, out string? problem)
    {
        problem = null;
        try
        {
            using JsonDocument doc = JsonDocument.Parse(payload);
            if (doc.RootElement.ValueKind == JsonValueKind.Object
                && doc.RootElement.TryGetProperty("seconds", out JsonElement v)
                && v.ValueKind == JsonValueKind.Number && v.TryGetInt32(out int s))
            {
                if (s >= MinIntervalSeconds && s <= MaxIntervalSeconds) return s;
                problem = $"seconds must be {MinIntervalSeconds}..{MaxIntervalSeconds}, got {s}";
                return null;
            }
        }
        catch (JsonException)
        {
        }

        problem = "the payload must be {\"seconds\":N} with N a whole number of seconds";
        return null;
    }

    private static string Text(object value) => value switch
    {
        string s => "\"" + s + "\"",
        double d => d.ToString(CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "null",
    };
}
