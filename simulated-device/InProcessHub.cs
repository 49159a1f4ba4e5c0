// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
using System.Text;
using System.Text.Json.Nodes;
using IotHubAmqp.LocalHub;

namespace IotHubAmqp.SimulatedDevice;

/// <summary>
/// The local hub run inside this process for the no-options mode, with one registered device and a small
/// service side: it sends the device commands (ack=full) and reports the feedback the hub produces, calls a
/// direct method, changes a desired property and reads the twin back.
/// </summary>
internal sealed class InProcessHub : IDisposable
{
    public const string HubName = "simulated-hub";
    public const string DeviceName = "simulated-device-1";

    private static readonly TimeSpan MethodResponseTimeout = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan MethodConnectTimeout = TimeSpan.FromSeconds(5);

    private readonly LocalHub.LocalHub hub;
    private readonly string runId;
    private readonly HashSet<string> pending = new(StringComparer.Ordinal);
    private readonly object sync = new();
    private int commands;

    /// <summary>Starts the hub on 127.0.0.1:<paramref name="port"/> (0 = any free port) and registers the device.</summary>
    public InProcessHub(int port, string runId, bool webSockets = false, System.Security.Cryptography.X509Certificates.X509Certificate2? deviceCertificate = null)
    {
        this.runId = runId;
        var options = new LocalHubOptions { Port = port, HubName = HubName };
        if (webSockets) options.WebSocketPort = 0;
        // An X.509 device is registered by its certificate's thumbprint; its connection string then says x509=true.
        if (deviceCertificate != null) options.Registry.AddX509Device(DeviceName, deviceCertificate.Thumbprint);
        else options.Registry.AddDevice(DeviceName);
        hub = new LocalHub.LocalHub(options);
        try
        {
            hub.Start();
            WebConsoleCredentialFile = WriteWebConsoleCredential();
        }
        catch
        {
            hub.Dispose();
            throw;
        }
    }

    public int Port => hub.Port;

    /// <summary>Port of the hub's AMQP-over-WebSockets endpoint (0 when not served).</summary>
    public int WebSocketPort => hub.WebSocketPort;

    /// <summary>The hub's web console (https://127.0.0.1:{rest port}/ui/).</summary>
    public string WebConsoleAddress => hub.WebConsoleAddress;

    /// <summary>File (owner-only, beside the hub's temporary CA) holding the iothubowner connection string the page asks for.</summary>
    public string WebConsoleCredentialFile { get; private set; } = "";

    // The credential is a local secret: it goes to a file only the user can read, never to the console.
    private string WriteWebConsoleCredential()
    {
        string path = Path.Combine(Path.GetDirectoryName(hub.CaCertificatePath)!, "web-console-credential.txt");
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows()) options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        using (var writer = new StreamWriter(path, Encoding.UTF8, options)) writer.WriteLine(hub.PolicyConnectionString("iothubowner"));
        return path;
    }

    public string HostName => hub.HostName;

    public string CaCertificatePath => hub.CaCertificatePath;

    /// <summary>The device's connection string (GatewayHostName=127.0.0.1[:port]); a local secret, never printed.</summary>
    public string DeviceConnectionString => hub.DeviceConnectionString(DeviceName);

    /// <summary>Commands sent whose feedback has not arrived yet.</summary>
    public int PendingFeedback
    {
        get { lock (sync) return pending.Count; }
    }

    /// <summary>Enqueues a command for the device, as a back end would; returns its event, or null when the queue refused it.</summary>
    public DeviceEvent? SendCommand()
    {
        int n = Interlocked.Increment(ref commands);
        string id = $"cmd-{runId}-{n}";
        string body = $"{{\"command\":\"blink\",\"durationMs\":{500 * n}}}";
        var result = hub.SendCloudToDevice(DeviceName, new CloudToDeviceMessage { Body = Encoding.UTF8.GetBytes(body), MessageId = id, Ack = "full" });
        if (result != C2dEnqueueResult.Enqueued) return null;
        lock (sync) pending.Add(id);
        return new DeviceEvent(EventType.CommandSent) { MessageId = id, Body = body };
    }

    /// <summary>Feedback records for this run's commands that arrived since the last call.</summary>
    public List<DeviceEvent> TakeFeedback()
    {
        var found = new List<DeviceEvent>();
        lock (sync)
        {
            if (pending.Count == 0) return found;
            foreach (FeedbackRecord f in hub.GetFeedback())
            {
                if (f.OriginalMessageId != null && pending.Remove(f.OriginalMessageId))
                {
                    found.Add(new DeviceEvent(EventType.Feedback) { MessageId = f.OriginalMessageId, Status = f.StatusCode, Reason = f.Description == f.StatusCode ? null : f.Description, DeviceId = f.DeviceId });
                }
            }
        }

        return found;
    }

    /// <summary>Calls the device's method as a back end would; the event holds the hub's status and the device's answer.</summary>
    public DeviceEvent InvokeMethod(string method, string payloadJson)
    {
        try
        {
            var (status, _, payload) = hub.InvokeMethodAsync(DeviceName, null, method, payloadJson, MethodResponseTimeout, MethodConnectTimeout)
                .GetAwaiter().GetResult();
            return new DeviceEvent(EventType.ServiceMethod) { Method = method, MethodStatus = status, Body = payload };
        }
        catch (Exception e)
        {
            return new DeviceEvent(EventType.ServiceMethod) { Method = method, Reason = e.Message.ReplaceLineEndings(" ") };
        }
    }

    /// <summary>Patches the device twin's desired properties (the device is notified); the event holds the new desired $version.</summary>
    public DeviceEvent UpdateDesired(string patchJson)
    {
        try
        {
            return new DeviceEvent(EventType.ServiceDesired) { Body = patchJson, Version = hub.UpdateDesired(DeviceName, null, patchJson) };
        }
        catch (Exception e)
        {
            return new DeviceEvent(EventType.ServiceDesired) { Body = patchJson, Reason = e.Message.ReplaceLineEndings(" ") };
        }
    }

    /// <summary>The reported properties as the service sees them (without $metadata), and their $version.</summary>
    public (JsonObject Reported, long Version) ReadReported()
    {
        var twin = JsonNode.Parse(hub.GetTwinJson(DeviceName))!.AsObject();
        var reported = (JsonObject)twin["properties"]!["reported"]!.DeepClone();
        long version = reported["$version"]?.GetValue<long>() ?? -1;
        reported.Remove("$metadata");
        reported.Remove("$version");
        return (reported, version);
    }

    public void Dispose() => hub.Dispose();
}
