using System.Diagnostics;

namespace IotHubAmqp.LocalHub.Tests;

/// <summary>The seed's uamqp snippets, run with Debian's python3-uamqp under /usr/bin/python3.</summary>
public class PythonClientTests
{
    private static readonly TimeSpan ScriptTimeout = TimeSpan.FromSeconds(40);

    [Fact]
    public async Task Uamqp_send_all_messages_completes_because_the_hub_settles_its_outcome()
    {
        using var hub = Hubs.Start();
        var (exit, output) = await RunAsync("uamqp_send.py", new()
        {
            ["HUB_HOST"] = hub.HostName, ["HUB_PORT"] = hub.Port.ToString(), ["DEVICE_ID"] = "dev1",
            ["DEVICE_TOKEN"] = hub.CreateDeviceToken("dev1", TimeSpan.FromHours(1)), ["HUB_CA"] = hub.CaCertificatePath,
        });
        Assert.True(exit == 0, output);
        Assert.Single(hub.GetTelemetry("dev1"));
    }

    [Fact]
    public async Task Uamqp_SASTokenAuth_authenticates_with_sasl_MSSBCBS_and_a_cbs_put_token()
    {
        using var hub = Hubs.Start();
        var (exit, output) = await RunAsync("uamqp_cbs_send.py", new()
        {
            ["HUB_HOST"] = hub.HostName, ["HUB_PORT"] = hub.Port.ToString(), ["DEVICE_ID"] = "dev1",
            ["DEVICE_TOKEN"] = hub.CreateDeviceToken("dev1", TimeSpan.FromHours(1)), ["HUB_CA"] = hub.CaCertificatePath,
        });
        Assert.True(exit == 0, output);
        Assert.Equal("via MSSBCBS", System.Text.Encoding.UTF8.GetString(Assert.Single(hub.GetTelemetry("dev1")).Body));
    }

    [Theory]
    [InlineData("service")]
    [InlineData("iothubowner")]
    public async Task Azure_eventhub_consumer_reads_the_hubs_telemetry_over_the_event_hubs_compatible_endpoint(string policy)
    {
        using var hub = Hubs.Start();
        await using (var device = await TestClient.ConnectDeviceAsync(hub, "dev1"))
        {
            var link = await device.SenderAsync("/devices/dev1/messages/events");
            for (var i = 0; i < 3; i++) await TestClient.SendAsync(link, TestClient.Telemetry("py-" + i));
        }
        var (exit, output) = await RunAsync("eventhub_consume.py", new()
        {
            ["EH_CONNECTION_STRING"] = hub.EventHubPolicyConnectionString(policy), ["EH_HOST"] = hub.EventHubHostName, ["HUB_PORT"] = hub.Port.ToString(),
            ["HUB_CA"] = hub.CaCertificatePath, ["EXPECTED"] = "3",
        });
        Assert.True(exit == 0, output);
        for (var i = 0; i < 3; i++) Assert.Contains("py-" + i, output);
    }

    [Fact]
    public async Task Uamqp_service_sends_c2d_with_full_ack_and_reads_its_feedback_as_the_seed_does()
    {
        using var hub = Hubs.Start();
        await using var device = await TestClient.ConnectDeviceAsync(hub, "dev1");
        var receiver = await device.ReceiverAsync("/devices/dev1/messages/devicebound");
        var script = RunAsync("uamqp_service_c2d.py", new()
        {
            ["HUB_HOST"] = hub.HostName, ["HUB_PORT"] = hub.Port.ToString(), ["DEVICE_ID"] = "dev1", ["MESSAGE_ID"] = "seed-c2d-1",
            ["POLICY"] = "service", ["POLICY_TOKEN"] = hub.CreatePolicyToken("service", TimeSpan.FromHours(1)), ["HUB_CA"] = hub.CaCertificatePath,
        });
        var c2d = await receiver.ReceiveMessageAsync(TimeSpan.FromSeconds(30));
        Assert.NotNull(c2d);
        Assert.Equal("seed-c2d-1", c2d!.Properties.MessageId?.ToString());
        receiver.AcceptMessage(c2d, false);
        var (exit, output) = await script;
        Assert.True(exit == 0, output);
        Assert.Contains("\"statusCode\": \"Success\"", output);
    }

    [Fact]
    public async Task Uamqp_follows_the_seeds_redirect_and_reads_telemetry_with_SASTokenAuth()
    {
        using var hub = Hubs.Start();
        await using (var device = await TestClient.ConnectDeviceAsync(hub, "dev1"))
        {
            var link = await device.SenderAsync("/devices/dev1/messages/events");
            for (var i = 0; i < 2; i++) await TestClient.SendAsync(link, TestClient.Telemetry("seed-" + i));
        }
        var partition = hub.GetTelemetry("dev1")[0].Partition;
        var (exit, output) = await RunAsync("uamqp_redirect_read.py", new()
        {
            ["HUB_HOST"] = hub.HostName, ["HUB_PORT"] = hub.Port.ToString(), ["PARTITION"] = partition.ToString(),
            ["POLICY"] = "service", ["POLICY_KEY"] = hub.Registry.ServicePolicyKey,
            ["POLICY_TOKEN"] = hub.CreatePolicyToken("service", TimeSpan.FromHours(1)), ["HUB_CA"] = hub.CaCertificatePath, ["EXPECTED"] = "2",
        });
        Assert.True(exit == 0, output);
        Assert.Contains($"redirect: amqps://{hub.EventHubHostName}:5671/{hub.EventHubName}/ConsumerGroups/$Default/Partitions/{partition}", output);
        Assert.Contains("body seed-0 0", output);
        Assert.Contains("body seed-1 1", output);
    }

    private static async Task<(int Exit, string Output)> RunAsync(string script, Dictionary<string, string> env)
    {
        var path = Path.Combine(AppContext.BaseDirectory, "python", script);
        var psi = new ProcessStartInfo("/usr/bin/python3", path) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var kv in env) psi.Environment[kv.Key] = kv.Value;
        using var process = Process.Start(psi)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(ScriptTimeout);
        try { await process.WaitForExitAsync(cts.Token); }
        catch (OperationCanceledException) { process.Kill(entireProcessTree: true); return (-1, "timed out: " + await stdout + await stderr); }
        var output = await stdout + await stderr;
        if (output.Contains("No module named 'uamqp'"))
            output = "python3-uamqp is missing: apt-get install -y python3-uamqp python3-azure\n" + output;
        return (process.ExitCode, output);
    }
}
