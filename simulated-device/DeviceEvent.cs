// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
namespace IotHubAmqp.SimulatedDevice;

/// <summary>Event type names, as written in the "type" field of --json output.</summary>
internal static class EventType
{
    public const string Connected = "connected";
    public const string Sent = "sent";
    public const string Accepted = "accepted";
    public const string Rejected = "rejected";
    public const string C2d = "c2d";
    public const string CommandSent = "command";
    public const string Feedback = "feedback";
    public const string Renewed = "renewed";
    public const string RenewalFailed = "renewal-failed";
    public const string Disconnected = "disconnected";
    public const string Reconnected = "reconnected";
    public const string Method = "method";
    public const string Desired = "desired";
    public const string Reported = "reported";
    public const string Rebooted = "rebooted";
    public const string ServiceMethod = "service-method";
    public const string ServiceDesired = "service-desired";
    public const string ServiceTwin = "service-twin";
    public const string Summary = "summary";
    public const string Provisioned = "provisioned";
}

/// <summary>Something that happened during a run; unused fields stay null. Never holds a key or token.</summary>
internal sealed class DeviceEvent
{
    public DeviceEvent(string type) => Type = type;

    public string Type { get; }

    public DateTimeOffset Time { get; init; } = DateTimeOffset.UtcNow;

    /// <summary>Telemetry sequence number (1-based).</summary>
    public long? Counter { get; init; }

    public string? MessageId { get; init; }

    /// <summary>Time from send to the hub's outcome.</summary>
    public double? LatencyMs { get; init; }

    /// <summary>Body size in bytes.</summary>
    public int? Bytes { get; init; }

    /// <summary>A rejected send's outcome (Rejected, Throttled, Released, TimedOut).</summary>
    public string? Outcome { get; init; }

    /// <summary>Why: an error condition and description, or the client's status reason.</summary>
    public string? Reason { get; init; }

    /// <summary>For c2d: what the device did (complete, reject, abandon).</summary>
    public string? Action { get; init; }

    /// <summary>For c2d: the command body as text (shortened).</summary>
    public string? Body { get; init; }

    /// <summary>For c2d: times the hub delivered it before.</summary>
    public int? DeliveryCount { get; init; }

    /// <summary>For feedback: Success, Rejected, Expired, DeliveryCountExceeded or Purged.</summary>
    public string? Status { get; init; }

    /// <summary>For connected: the hub's host name, the address dialled, the device id and auth mode.</summary>
    public string? HostName { get; init; }

    public string? Endpoint { get; init; }

    public string? DeviceId { get; init; }

    public string? Auth { get; init; }

    public bool? InProcessHub { get; init; }

    /// <summary>For connected with the in-process hub: the web console's address and the file with its sign-in credential.</summary>
    public string? WebConsole { get; init; }

    public string? WebConsoleCredentialFile { get; init; }

    /// <summary>For method and service-method: the direct method's name.</summary>
    public string? Method { get; init; }

    /// <summary>For method and service-method: the status answered (200, 400, 501...).</summary>
    public int? MethodStatus { get; init; }

    /// <summary>For desired, reported, service-desired and service-twin: the twin section's $version.</summary>
    public long? Version { get; init; }

    /// <summary>For desired: what the device did with the patch; for reported: what it reported.</summary>
    public string? Applied { get; init; }

    /// <summary>For summary: the counters at the end, and the exit code.</summary>
    public RunSnapshot? Totals { get; init; }

    public int? ExitCode { get; init; }
}
