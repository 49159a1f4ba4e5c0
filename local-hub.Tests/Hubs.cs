namespace IotHubAmqp.LocalHub.Tests;

/// <summary>Starts a hub on an ephemeral port with devices dev1 and dev2.</summary>
internal static class Hubs
{
    public static LocalHub Start(Action<LocalHubOptions>? configure = null)
    {
        var options = new LocalHubOptions { Port = 0, HubName = "testhub" };
        options.Registry.AddDevice("dev1");
        options.Registry.AddDevice("dev2");
        configure?.Invoke(options);
        var hub = new LocalHub(options);
        hub.Start();
        return hub;
    }
}
