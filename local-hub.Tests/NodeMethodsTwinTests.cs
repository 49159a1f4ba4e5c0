namespace IotHubAmqp.LocalHub.Tests;

/// <summary>Methods and twin with Azure's Node clients: azure-iot-device-amqp on the device, azure-iothub REST as the service.</summary>
public partial class NodeClientTests
{
    private Task<(int Exit, string Out, string Err)> RunMethodsTwinAsync(LocalHub hub, string deviceId, string? moduleId, string connectionString) =>
        RunAsync(hub, "methods-twin.js", new()
        {
            ["DEVICE_CONNECTION_STRING"] = connectionString,
            ["DEVICE_ID"] = deviceId,
            ["MODULE_ID"] = moduleId ?? "",
            ["REST_PORT"] = hub.RestPort.ToString(),
            ["SERVICE_TOKEN"] = hub.CreateServiceToken(TimeSpan.FromHours(1)),
        });

    private static void AssertMethodsTwinRun((int Exit, string Out, string Err) run)
    {
        var (exit, output, errors) = run;
        Assert.True(exit == 0, $"exit {exit}\nstdout:\n{output}\nstderr:\n{errors}");
        Assert.Contains("DEVICE_TWIN desired.$version=1 reported.$version=1", output);
        Assert.Contains("METHOD echo {\"n\":7}", output);
        Assert.Contains("\"status\":201", output);
        Assert.Contains("\"echoed\":{\"n\":7}", output);
        Assert.Contains("SERVICE_TWIN reported.firmware=1.2.3", output);
        Assert.Contains("TWIN_UPDATED desired.$version=2", output);
        Assert.Contains("DESIRED {\"fanSpeed\":3,\"$version\":2}", output);
    }

    [Fact]
    public async Task Node_device_answers_a_method_and_syncs_its_twin_with_the_node_service()
    {
        RequireNodeModules();
        using var hub = Hubs.Start();
        AssertMethodsTwinRun(await RunMethodsTwinAsync(hub, "dev1", null, hub.DeviceConnectionString("dev1")));
        await hub.WaitForEventAsync(e => e.Kind == HubEventKind.TwinRequest && e.Reason == "PATCH /properties/reported -> 204", TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task Node_module_answers_a_method_and_syncs_its_twin_with_the_node_service()
    {
        RequireNodeModules();
        using var hub = Hubs.Start(o => o.Registry.AddModule("dev1", "mod1"));
        AssertMethodsTwinRun(await RunMethodsTwinAsync(hub, "dev1", "mod1", hub.ModuleConnectionString("dev1", "mod1")));
    }
}
