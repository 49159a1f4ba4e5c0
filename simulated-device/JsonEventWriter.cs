// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
using System.Text.Encodings.Web;
using System.Text.Json;

namespace IotHubAmqp.SimulatedDevice;

/// <summary>
/// --json: one JSON object per line and per event, written whole (a line is never interleaved with
/// another), with "type" and "time" first and only the fields the event has.
/// </summary>
internal sealed class JsonEventWriter : IEventView
{
    // Readable quotes and non-ASCII text in bodies and reasons; the output is never embedded in HTML.
    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private readonly TextWriter output;
    private readonly object sync = new();

    public JsonEventWriter(TextWriter output) => this.output = output;

    public void Show(DeviceEvent e, RunSnapshot stats)
    {
        string line = Format(e);
        lock (sync)
        {
            output.WriteLine(line);
            output.Flush();
        }
    }

    public void Dispose()
    {
    }

    /// <summary>The event as one line of JSON.</summary>
    public static string Format(DeviceEvent e)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, WriterOptions))
        {
            json.WriteStartObject();
            json.WriteString("type", e.Type);
            json.WriteString("time", e.Time);
            Optional(json, "counter", e.Counter);
            Optional(json, "messageId", e.MessageId);
            if (e.LatencyMs is double latency) json.WriteNumber("latencyMs", Math.Round(latency, 2));
            Optional(json, "bytes", e.Bytes);
            Optional(json, "outcome", e.Outcome);
            Optional(json, "reason", e.Reason);
            Optional(json, "action", e.Action);
            Optional(json, "deliveryCount", e.DeliveryCount);
            Optional(json, "method", e.Method);
            Optional(json, "methodStatus", e.MethodStatus);
            Optional(json, "version", e.Version);
            Optional(json, "applied", e.Applied);
            Optional(json, "body", e.Body);
            Optional(json, "status", e.Status);
            Optional(json, "hostName", e.HostName);
            Optional(json, "endpoint", e.Endpoint);
            Optional(json, "deviceId", e.DeviceId);
            Optional(json, "auth", e.Auth);
            if (e.InProcessHub is bool inProcess) json.WriteBoolean("inProcessHub", inProcess);
            Optional(json, "webConsole", e.WebConsole);
            Optional(json, "webConsoleCredentialFile", e.WebConsoleCredentialFile);
            if (e.Totals is RunSnapshot t)
            {
                json.WriteNumber("sent", t.Sent);
                json.WriteNumber("accepted", t.Accepted);
                json.WriteNumber("rejected", t.Rejected);
                json.WriteNumber("avgLatencyMs", Math.Round(t.AverageLatencyMs, 2));
                json.WriteNumber("renewals", t.Renewals);
                json.WriteNumber("reconnects", t.Reconnects);
                json.WriteNumber("commandsReceived", t.CommandsReceived);
                json.WriteNumber("feedbacks", t.Feedbacks);
                json.WriteNumber("methodCalls", t.MethodCalls);
                json.WriteNumber("desiredChanges", t.DesiredChanges);
                json.WriteNumber("reportedUpdates", t.ReportedUpdates);
                json.WriteNumber("reboots", t.Reboots);
                json.WriteNumber("intervalMs", t.IntervalMs);
            }

            Optional(json, "exitCode", e.ExitCode);
            json.WriteEndObject();
        }

        return System.Text.Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }

    private static void Optional(Utf8JsonWriter json, string name, string? value)
    {
        if (value != null) json.WriteString(name, value);
    }

    private static void Optional(Utf8JsonWriter json, string name, long? value)
    {
        if (value is long v) json.WriteNumber(name, v);
    }

    private static void Optional(Utf8JsonWriter json, string name, int? value)
    {
        if (value is int v) json.WriteNumber(name, v);
    }
}
