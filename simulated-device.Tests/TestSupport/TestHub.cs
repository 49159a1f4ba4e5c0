// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
using IotHubAmqp.LocalHub;

namespace IotHubAmqp.SimulatedDevice.Tests.TestSupport;

/// <summary>
/// A local hub on an ephemeral port with one device, and its CA written to a PEM file of the test's own, as a
/// user would pass a hub's CA with --trusted-ca.
/// </summary>
internal sealed class TestHub : IDisposable
{
    public const string DeviceId = "sim-dev";

    private readonly string folder = Directory.CreateTempSubdirectory("simdev-test-").FullName;

    public TestHub(bool webSockets = false, Action<LocalHubOptions>? configure = null)
    {
        var options = new LocalHubOptions { Port = 0, HubName = "sim-test-hub" };
        if (webSockets) options.WebSocketPort = 0;
        DeviceKey = options.Registry.AddDevice(DeviceId);
        configure?.Invoke(options);
        Hub = new LocalHub.LocalHub(options);
        Hub.Start();
        CaPemPath = Path.Combine(folder, "hub-ca.pem");
        File.WriteAllText(CaPemPath, Hub.CaCertificate.ExportCertificatePem());
    }

    public LocalHub.LocalHub Hub { get; }

    public string DeviceKey { get; }

    public string CaPemPath { get; }

    /// <summary>The device's connection string, with GatewayHostName=127.0.0.1:port.</summary>
    public string ConnectionString => Hub.DeviceConnectionString(DeviceId);

    /// <summary>Arguments that point the program at this hub, followed by <paramref name="more"/>.</summary>
    public string[] Args(params string[] more) =>
        new[] { "--connection-string", ConnectionString, "--trusted-ca", CaPemPath }.Concat(more).ToArray();

    /// <summary>Waits (bounded) for the hub's feedback on a C2D message.</summary>
    public FeedbackRecord? WaitForFeedback(string messageId, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            FeedbackRecord? f = Hub.GetFeedback().FirstOrDefault(r => r.OriginalMessageId == messageId);
            if (f != null || DateTime.UtcNow > deadline) return f;
            Thread.Sleep(50);
        }
    }

    public void Dispose()
    {
        Hub.Dispose();
        try
        {
            Directory.Delete(folder, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
