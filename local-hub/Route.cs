namespace IotHubAmqp.LocalHub;

/// <summary>Endpoints the hub serves.</summary>
internal enum RouteKind
{
    NotFound,
    Cbs,
    Telemetry,            // device sender
    C2dReceive,           // device receiver
    DeviceFeedback,       // device sender on /messages/serviceBound/feedback (accepted and dropped)
    ServiceC2dSend,       // service sender on /messages/devicebound
    ServiceFeedback,      // service receiver on /messages/serviceBound/feedback
    Redirect,             // /messages/events[/$management] on the IoT Hub side
    EventHubManagement,   // $management
    PartitionReceive,     // <eh>/ConsumerGroups/<cg>/Partitions/<p>
    MethodRequests,       // device receiver on /methods/devicebound (hub sends requests)
    MethodResponses,      // device sender on /methods/devicebound
    TwinResponses,        // device receiver on /twin (responses and desired notifications)
    TwinRequests,         // device sender on /twin
}

/// <summary>A parsed link address: what it is and whose.</summary>
internal sealed record Route(RouteKind Kind, string? DeviceId = null, string? ModuleId = null, int Partition = -1)
{
    /// <summary>For a redirect: the Event Hubs path to send the client to (after the entity name).</summary>
    public string RedirectPath { get; init; } = "$management";

    /// <param name="address">Target (client sender) or source (client receiver) address.</param>
    /// <param name="clientSends">True when the client is the sender (the hub's link receives).</param>
    /// <param name="eventHubName">Name of the Event Hubs-compatible entity.</param>
    /// <param name="partitions">Partition count.</param>
    public static Route Parse(string? address, bool clientSends, string eventHubName, int partitions)
    {
        if (string.IsNullOrEmpty(address) || address.Length > 1024) return new(RouteKind.NotFound);
        var path = address;
        var scheme = path.IndexOf("://", StringComparison.Ordinal);
        if (scheme >= 0)
        {
            // amqps://host[:port]/path -> /path
            var slash = path.IndexOf('/', scheme + 3);
            path = slash < 0 ? "/" : path[slash..];
        }
        if (path == "$cbs" || path == "/$cbs") return new(RouteKind.Cbs);
        if (path == "$management" || path == "/$management") return new(RouteKind.EventHubManagement);

        var parts = path.Trim('/').Split('/');
        static bool Is(string a, string b) => a.Equals(b, StringComparison.OrdinalIgnoreCase);

        if (parts.Length >= 3 && parts[0] == "devices")
        {
            var deviceId = Uri.UnescapeDataString(parts[1]);
            string? moduleId = null;
            var rest = parts.Skip(2).ToArray();
            if (rest.Length >= 3 && rest[0] == "modules")
            {
                moduleId = Uri.UnescapeDataString(rest[1]);
                rest = rest.Skip(2).ToArray();
            }
            if (rest.Length == 2 && Is(rest[0], "messages") && Is(rest[1], "events") && clientSends)
                return new(RouteKind.Telemetry, deviceId, moduleId);
            if (rest.Length == 2 && Is(rest[0], "messages") && Is(rest[1], "devicebound") && !clientSends && moduleId is null)
                return new(RouteKind.C2dReceive, deviceId);
            if (rest.Length == 2 && Is(rest[0], "methods") && Is(rest[1], "devicebound"))
                return new(clientSends ? RouteKind.MethodResponses : RouteKind.MethodRequests, deviceId, moduleId);
            if (rest.Length == 1 && Is(rest[0], "twin"))
                return new(clientSends ? RouteKind.TwinRequests : RouteKind.TwinResponses, deviceId, moduleId);
            return new(RouteKind.NotFound, deviceId, moduleId);
        }
        if (parts.Length == 3 && Is(parts[0], "messages") && Is(parts[1], "serviceBound") && Is(parts[2], "feedback"))
            return new(clientSends ? RouteKind.DeviceFeedback : RouteKind.ServiceFeedback);
        if (parts.Length == 2 && Is(parts[0], "messages") && Is(parts[1], "devicebound") && clientSends)
            return new(RouteKind.ServiceC2dSend);
        if ((parts.Length == 2 || (parts.Length == 3 && parts[2] == "$management")) && Is(parts[0], "messages") && Is(parts[1], "events"))
            return new(RouteKind.Redirect);
        // The seed's partition path: redirected to the same consumer group and partition.
        if (parts.Length == 6 && Is(parts[0], "messages") && Is(parts[1], "events") && Is(parts[2], "ConsumerGroups")
            && Is(parts[4], "Partitions") && int.TryParse(parts[5], out var rp) && rp >= 0 && rp < partitions && !clientSends)
            return new(RouteKind.Redirect) { RedirectPath = $"ConsumerGroups/{parts[3]}/Partitions/{rp}" };
        if (parts.Length == 2 && Is(parts[0], eventHubName) && parts[1] == "$management")
            return new(RouteKind.EventHubManagement);
        if (parts.Length == 5 && Is(parts[0], eventHubName) && Is(parts[1], "ConsumerGroups") && Is(parts[3], "Partitions")
            && int.TryParse(parts[4], out var p) && p >= 0 && p < partitions && !clientSends)
            return new(RouteKind.PartitionReceive, Partition: p);
        return new(RouteKind.NotFound);
    }
}
