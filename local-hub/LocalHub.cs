using Microsoft.Azure.Amqp;
using Microsoft.Azure.Amqp.Framing;

namespace IotHubAmqp.LocalHub;

/// <summary>
/// A local Azure IoT Hub speaking IoT Hub's AMQP dialect (device and service sides) on 127.0.0.1,
/// with an Event Hubs-compatible telemetry endpoint on the same port. Use it from tests:
/// <code>using var hub = new LocalHub(new LocalHubOptions { Port = 0 }); hub.Registry.AddDevice("dev1"); hub.Start();</code>
/// </summary>
public sealed class LocalHub : IDisposable
{
    private readonly HubCore _core;
    private bool _started;

    /// <summary>Creates a hub (not yet listening).</summary>
    public LocalHub(LocalHubOptions? options = null) : this(options ?? new LocalHubOptions(), TimeProvider.System) { }

    /// <summary>Creates a hub with a custom clock (used for token and TTL checks).</summary>
    public LocalHub(LocalHubOptions options, TimeProvider time) => _core = new HubCore(options, time);

    internal HubCore Core => _core;
    /// <summary>The options in use.</summary>
    public LocalHubOptions Options => _core.Options;
    /// <summary>Devices and the service policy.</summary>
    public DeviceRegistry Registry => _core.Options.Registry;
    /// <summary>Port actually listened on (after <see cref="Start"/>).</summary>
    public int Port => _core.Port;
    /// <summary>HTTPS port of the service REST API (methods and twins, after <see cref="Start"/>).</summary>
    public int RestPort => _core.RestPort;
    /// <summary>HTTPS port of the AMQP-over-WebSockets endpoint (after <see cref="Start"/>; 0 when <see cref="LocalHubOptions.WebSocketPort"/> is null).</summary>
    public int WebSocketPort => _core.WebSocketPort;

    /// <summary>Address of the web console (<c>https://127.0.0.1:{RestPort}/ui/</c>, after <see cref="Start"/>).</summary>
    public string WebConsoleAddress => Web.WebConsole.Address(Options.BindAddress, RestPort);
    /// <summary><c>{hub}.azure-devices.net</c>.</summary>
    public string HostName => _core.HostName;
    /// <summary>Host name of the Event Hubs-compatible endpoint (served on the same port).</summary>
    public string EventHubHostName => _core.EventHubHostName;
    /// <summary>Event Hubs-compatible entity name (the hub name).</summary>
    public string EventHubName => _core.EventHubName;
    /// <summary>Partition count.</summary>
    public int PartitionCount => _core.Telemetry.Count;
    /// <summary>Path of the generated CA certificate (PEM) devices must trust.</summary>
    public string CaCertificatePath => _core.Certificates?.CaPemPath ?? throw new InvalidOperationException("Start the hub first.");
    /// <summary>The generated CA certificate.</summary>
    public System.Security.Cryptography.X509Certificates.X509Certificate2 CaCertificate =>
        _core.Certificates?.Ca ?? throw new InvalidOperationException("Start the hub first.");
    /// <summary>True between <see cref="Start"/> and <see cref="Stop"/>.</summary>
    public bool IsRunning => _started;

    /// <summary>The local DPS endpoint (when <see cref="LocalHubOptions.Dps"/> is set), listening after <see cref="Start"/>.</summary>
    public LocalDps? Dps { get; private set; }

    /// <summary>Raised for every <see cref="HubEvent"/> (on hub threads; keep handlers short).</summary>
    public event Action<HubEvent>? EventRaised
    {
        add => _core.EventRaised += value;
        remove => _core.EventRaised -= value;
    }

    /// <summary>Generates the certificates and starts listening.</summary>
    public void Start()
    {
        if (_started) return;
        _core.Start();
        if (Options.Dps is { } dps)
        {
            Dps ??= new LocalDps(dps, Registry, () => HostName, _core.Time, Options.Log);
            Dps.Start(_core.Certificates!.Server, Options.BindAddress);
        }
        _started = true;
    }

    /// <summary>Stops listening and closes every connection.</summary>
    public void Stop()
    {
        if (!_started) return;
        _started = false;
        Dps?.Stop();
        _core.Stop();
    }

    /// <inheritdoc />
    public void Dispose()
    {
        Stop();
        _core.Dispose();
    }

    // ---- connection strings and tokens ----

    /// <summary>
    /// Device connection string with <c>GatewayHostName=127.0.0.1</c> (Azure SDKs then connect locally);
    /// on a port other than 5671 the gateway is <c>127.0.0.1:PORT</c> (understood by the Node device SDK).
    /// </summary>
    public string DeviceConnectionString(string deviceId)
    {
        if (!Registry.TryGetDeviceKey(deviceId, out var key)) throw new ArgumentException($"Unknown device '{deviceId}'.");
        if (Registry.X509Of(deviceId) is not null) return X509ConnectionString(deviceId);
        var gateway = Port == 5671 ? "127.0.0.1" : $"127.0.0.1:{Port}";
        return $"HostName={HostName};DeviceId={deviceId};SharedAccessKey={key};GatewayHostName={gateway}";
    }

    /// <summary>
    /// Connection string of an X.509 device or module: <c>HostName=localhost:PORT;DeviceId=...;x509=true</c>
    /// (the Node SDK ignores GatewayHostName with x509=true, so the hub's address is the host name; the server
    /// certificate carries <c>localhost</c>). The certificate and key go to the client separately.
    /// </summary>
    public string X509ConnectionString(string deviceId, string? moduleId = null)
    {
        if (Registry.X509Of(deviceId, moduleId) is null)
            throw new ArgumentException($"'{deviceId}{(moduleId is null ? "" : "/" + moduleId)}' is not an X.509 identity.");
        var host = Port == 5671 ? "localhost" : $"localhost:{Port}";
        return $"HostName={host};DeviceId={deviceId};{(moduleId is null ? "" : $"ModuleId={moduleId};")}x509=true";
    }

    /// <summary>Module connection string (<c>ModuleId=</c>), gateway as for devices.</summary>
    public string ModuleConnectionString(string deviceId, string moduleId)
    {
        if (!Registry.TryGetModuleKey(deviceId, moduleId, out var key)) throw new ArgumentException($"Unknown module '{deviceId}/{moduleId}'.");
        if (Registry.X509Of(deviceId, moduleId) is not null) return X509ConnectionString(deviceId, moduleId);
        var gateway = Port == 5671 ? "127.0.0.1" : $"127.0.0.1:{Port}";
        return $"HostName={HostName};DeviceId={deviceId};ModuleId={moduleId};SharedAccessKey={key};GatewayHostName={gateway}";
    }

    /// <summary>Service connection string for the service policy.</summary>
    public string ServiceConnectionString =>
        $"HostName={HostName};SharedAccessKeyName={Registry.ServicePolicyName};SharedAccessKey={Registry.ServicePolicyKey}";

    /// <summary>Event Hubs-compatible connection string (what the redirect leads to).</summary>
    public string EventHubConnectionString =>
        $"Endpoint=sb://{EventHubHostName}/;SharedAccessKeyName={Registry.ServicePolicyName};SharedAccessKey={Registry.ServicePolicyKey};EntityPath={EventHubName}";

    /// <summary>IoT Hub connection string of a shared access policy (iothubowner, service, registryRead, ...).</summary>
    public string PolicyConnectionString(string policyName) =>
        AccessPolicies.Find(Registry, policyName) is { } p
            ? $"HostName={HostName};SharedAccessKeyName={p.Name};SharedAccessKey={p.Key}"
            : throw new ArgumentException($"Unknown policy '{policyName}'.");

    /// <summary>Event Hubs-compatible connection string signed by a policy (needs ServiceConnect to read).</summary>
    public string EventHubPolicyConnectionString(string policyName) =>
        AccessPolicies.Find(Registry, policyName) is { } p
            ? $"Endpoint=sb://{EventHubHostName}/;SharedAccessKeyName={p.Name};SharedAccessKey={p.Key};EntityPath={EventHubName}"
            : throw new ArgumentException($"Unknown policy '{policyName}'.");

    /// <summary>A SAS token signed by a policy for <paramref name="resource"/> (the hub host when null).</summary>
    public string CreatePolicyToken(string policyName, TimeSpan lifetime, string? resource = null) =>
        AccessPolicies.Find(Registry, policyName) is { } p
            ? SasToken.Create(resource ?? HostName, Convert.FromBase64String(p.Key), DateTimeOffset.UtcNow + lifetime, p.Name)
            : throw new ArgumentException($"Unknown policy '{policyName}'.");

    /// <summary>A device SAS token (audience <c>{host}/devices/{id}</c>).</summary>
    public string CreateDeviceToken(string deviceId, TimeSpan lifetime)
    {
        if (!Registry.TryGetDeviceKey(deviceId, out var key)) throw new ArgumentException($"Unknown device '{deviceId}'.");
        return SasToken.Create($"{HostName}/devices/{deviceId}", Convert.FromBase64String(key), DateTimeOffset.UtcNow + lifetime);
    }

    /// <summary>A service-policy SAS token (audience the hub host).</summary>
    public string CreateServiceToken(TimeSpan lifetime) =>
        SasToken.Create(HostName, Convert.FromBase64String(Registry.ServicePolicyKey), DateTimeOffset.UtcNow + lifetime, Registry.ServicePolicyName);

    // ---- observation ----

    /// <summary>Telemetry accepted from <paramref name="deviceId"/> (all devices when null), oldest first.</summary>
    public IReadOnlyList<ReceivedTelemetry> GetTelemetry(string? deviceId = null) => _core.TelemetryOf(deviceId);

    /// <summary>Feedback records produced so far (whether or not a service read them).</summary>
    public IReadOnlyList<FeedbackRecord> GetFeedback() => _core.Feedback.All;

    /// <summary>Hub events so far (connections, auth, links), oldest first.</summary>
    public IReadOnlyList<HubEvent> GetEvents() => _core.Events;

    /// <summary>Messages queued or locked for a device.</summary>
    public int GetC2dQueueDepth(string deviceId) => _core.C2d.Depth(deviceId);

    /// <summary>Open connections that act for a device.</summary>
    public int GetDeviceConnectionCount(string deviceId) => _core.Connections.Count(c => c.ServesDevice(deviceId));

    /// <summary>Waits (bounded) for an event matching <paramref name="predicate"/>, including past ones.</summary>
    public async Task<HubEvent> WaitForEventAsync(Func<HubEvent, bool> predicate, TimeSpan timeout)
    {
        var tcs = new TaskCompletionSource<HubEvent>(TaskCreationOptions.RunContinuationsAsynchronously);
        void Handler(HubEvent e) { if (predicate(e)) tcs.TrySetResult(e); }
        EventRaised += Handler;
        try
        {
            if (GetEvents().FirstOrDefault(predicate) is { } past) return past;
            return await tcs.Task.WaitAsync(timeout).ConfigureAwait(false);
        }
        finally { EventRaised -= Handler; }
    }

    /// <summary>Waits (bounded, polling) until <paramref name="count"/> telemetry messages arrived from a device.</summary>
    public async Task<IReadOnlyList<ReceivedTelemetry>> WaitForTelemetryAsync(string deviceId, int count, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var list = GetTelemetry(deviceId);
            if (list.Count >= count) return list;
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"{list.Count}/{count} telemetry messages from {deviceId}.");
            await Task.Delay(20).ConfigureAwait(false);
        }
    }

    // ---- service side from C# ----

    /// <summary>Enqueues a C2D message, as the service's <c>/messages/devicebound</c> sender would.</summary>
    public C2dEnqueueResult SendCloudToDevice(string deviceId, CloudToDeviceMessage message) => _core.EnqueueC2d(deviceId, message);

    /// <summary>Drops a device's queued C2D messages (Purged feedback for those that asked for negative/full acks).</summary>
    public int PurgeCloudToDevice(string deviceId) => _core.C2d.Purge(deviceId);

    /// <summary>Invokes a direct method as the REST API would (HTTP status, device status, payload JSON).</summary>
    public async Task<(int HttpStatus, int DeviceStatus, string PayloadJson)> InvokeMethodAsync(string deviceId, string? moduleId,
        string methodName, string payloadJson, TimeSpan responseTimeout, TimeSpan connectTimeout)
    {
        var o = await _core.InvokeMethodAsync(deviceId, moduleId, methodName, payloadJson, responseTimeout, connectTimeout).ConfigureAwait(false);
        return (o.HttpStatus, o.DeviceStatus, o.PayloadJson);
    }

    /// <summary>Patches a twin's desired properties as the REST PATCH does (subscribed devices are notified); returns the new desired <c>$version</c>.</summary>
    public long UpdateDesired(string deviceId, string? moduleId, string patchJson)
    {
        var patch = System.Text.Json.Nodes.JsonNode.Parse(patchJson) as System.Text.Json.Nodes.JsonObject
            ?? throw new ArgumentException("The desired patch must be a JSON object.", nameof(patchJson));
        var twin = _core.Twins.Get(deviceId, moduleId);
        lock (twin)
        {
            var note = twin.PatchDesired(patch, _core.Time.GetUtcNow());
            _core.NotifyDesired(deviceId, moduleId, note, twin.DesiredVersion);
            return twin.DesiredVersion;
        }
    }

    /// <summary>The twin as the service REST GET returns it (JSON text).</summary>
    public string GetTwinJson(string deviceId, string? moduleId = null)
    {
        var twin = _core.Twins.Get(deviceId, moduleId);
        lock (twin) return twin.ServiceView(_core.IsConnected(deviceId, moduleId)).ToJsonString();
    }

    // ---- fault injection ----

    /// <summary>Aborts (no close frame, socket dropped) every connection acting for the device. Returns how many.</summary>
    public int AbortDeviceConnections(string deviceId)
    {
        var hits = _core.Connections.Where(c => c.ServesDevice(deviceId)).ToList();
        foreach (var c in hits) c.Connection.Abort();
        return hits.Count;
    }

    /// <summary>Detaches every link of the device with the given error condition (e.g. <c>amqp:link:detach-forced</c>).</summary>
    public int DetachDeviceLinks(string deviceId, string condition, string? description = null)
    {
        var links = _core.Connections.SelectMany(c => c.LinksFor(deviceId: deviceId)).ToList();
        foreach (var link in links)
            link.SafeClose(new AmqpException(new Error { Condition = condition, Description = description ?? condition }));
        return links.Count;
    }

    /// <summary>Answers the next <paramref name="count"/> telemetry transfers with rejected <c>amqp:resource-limit-exceeded</c>.</summary>
    public void RejectNextTelemetry(int count) => Interlocked.Exchange(ref _core.TelemetryRejections, Math.Max(0, count));

    /// <summary>Rejects every telemetry transfer until <see cref="ResetTelemetryRejection"/>.</summary>
    public void RejectAllTelemetry() => Interlocked.Exchange(ref _core.TelemetryRejections, -1);

    /// <summary>Stops injected telemetry rejections.</summary>
    public void ResetTelemetryRejection() => Interlocked.Exchange(ref _core.TelemetryRejections, 0);

    /// <summary>Stops reading from and writing to the device's connections for <paramref name="duration"/>.</summary>
    public int StallDeviceConnections(string deviceId, TimeSpan duration)
    {
        var hits = _core.Connections.Where(c => c.ServesDevice(deviceId)).ToList();
        foreach (var c in hits) c.Transport.Stall(duration);
        return hits.Count;
    }
}
