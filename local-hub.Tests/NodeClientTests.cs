using System.Diagnostics;
using System.Text;
using Microsoft.Azure.Amqp;

namespace IotHubAmqp.LocalHub.Tests;

/// <summary>Fidelity: Azure's own Node clients (pinned in node/package.json) against the local hub.</summary>
public partial class NodeClientTests
{
    private static readonly TimeSpan ScriptTimeout = TimeSpan.FromSeconds(60);
    private readonly Xunit.Abstractions.ITestOutputHelper _output;

    public NodeClientTests(Xunit.Abstractions.ITestOutputHelper output) => _output = output;

    private static string NodeFolder()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "local-hub.Tests", "node");
            if (File.Exists(Path.Combine(candidate, "package.json"))) return candidate;
            if (File.Exists(Path.Combine(dir.FullName, "IotHubAmqp.LocalHub.Tests.csproj"))) return Path.Combine(dir.FullName, "node");
        }
        throw new InvalidOperationException("local-hub.Tests/node not found above " + AppContext.BaseDirectory);
    }

    /// <summary>Fails fast (before any hub or client starts) when the npm packages are not installed.</summary>
    private static string RequireNodeModules()
    {
        var folder = NodeFolder();
        Assert.True(Directory.Exists(Path.Combine(folder, "node_modules")),
            $"node_modules is missing in {folder}: run `npm ci` in that folder (from the repo root: npm ci --prefix local-hub.Tests/node).");
        return folder;
    }

    private async Task<(int Exit, string Out, string Err)> RunAsync(LocalHub hub, string script, Dictionary<string, string> env)
    {
        var folder = RequireNodeModules();
        var psi = new ProcessStartInfo("node", script)
        {
            WorkingDirectory = folder,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        psi.Environment["NODE_EXTRA_CA_CERTS"] = hub.CaCertificatePath; // validation stays on
        psi.Environment["SCRIPT_TIMEOUT_SECONDS"] = ((int)ScriptTimeout.TotalSeconds - 5).ToString();
        foreach (var kv in env) psi.Environment[kv.Key] = kv.Value;
        Process process;
        try { process = Process.Start(psi)!; }
        catch (System.ComponentModel.Win32Exception ex)
        {
            throw new InvalidOperationException("Could not start `node` (Node.js 20+ must be on PATH).", ex);
        }
        using var _ = process;
        var stdout = new StringBuilder();
        var stderr = new StringBuilder();
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (stdout) stdout.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (stderr) stderr.AppendLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using var cts = new CancellationTokenSource(ScriptTimeout);
        try { await process.WaitForExitAsync(cts.Token); }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"{script} did not finish in {ScriptTimeout}.\nstdout:\n{stdout}\nstderr:\n{stderr}");
        }
        process.WaitForExit(); // flush the output readers
        _output.WriteLine($"{script} exited {process.ExitCode}\n{stdout}\n{stderr}");
        return (process.ExitCode, stdout.ToString(), stderr.ToString());
    }

    [Fact]
    public async Task Node_device_sends_telemetry_and_completes_a_c2d_message()
    {
        RequireNodeModules();
        using var hub = Hubs.Start();
        var run = RunAsync(hub, "device-telemetry-c2d.js", new() { ["DEVICE_CONNECTION_STRING"] = hub.DeviceConnectionString("dev1") });
        var telemetry = (await hub.WaitForTelemetryAsync("dev1", 1, ScriptTimeout)).Single();
        Assert.Equal("node-telemetry-1", telemetry.MessageId);
        Assert.Equal("node", telemetry.ApplicationProperties["source"]);
        Assert.Equal("application/json", telemetry.ContentType);
        Assert.Contains("21.5", Encoding.UTF8.GetString(telemetry.Body));

        hub.SendCloudToDevice("dev1", new CloudToDeviceMessage { MessageId = "to-node-1", Body = "ping"u8.ToArray(), Ack = "full" });
        var (exit, output, errors) = await run;
        Assert.True(exit == 0, $"exit {exit}\nstdout:\n{output}\nstderr:\n{errors}");
        Assert.Contains("C2D_RECEIVED to-node-1 ping", output);
        Assert.Contains("C2D_COMPLETED to-node-1", output);
        await Wait.UntilAsync(() => hub.GetFeedback().Any(f => f.OriginalMessageId == "to-node-1" && f.StatusCode == "Success"), "Success feedback");
    }

    [Fact]
    public async Task Node_service_sends_c2d_with_full_ack_and_receives_feedback()
    {
        RequireNodeModules();
        using var hub = Hubs.Start();
        // The device side is played by a C# client that completes whatever arrives.
        await using var device = await TestClient.ConnectDeviceAsync(hub, "dev1");
        var receiver = await device.ReceiverAsync("/devices/dev1/messages/devicebound");
        var run = RunAsync(hub, "service-c2d-feedback.js", new()
        {
            ["SERVICE_CONNECTION_STRING"] = hub.ServiceConnectionString,
            ["HUB_PORT"] = hub.Port.ToString(),
            ["DEVICE_ID"] = "dev1",
        });
        var c2d = await receiver.ReceiveMessageAsync(ScriptTimeout) ?? throw new TimeoutException("no C2D from the node service");
        Assert.StartsWith("node-c2d-", c2d.Properties.MessageId.ToString());
        Assert.Equal("greeting", c2d.ApplicationProperties.Map["kind"]);
        receiver.AcceptMessage(c2d, false);
        var (exit, output, errors) = await run;
        Assert.True(exit == 0, $"exit {exit}\nstdout:\n{output}\nstderr:\n{errors}");
        Assert.Contains($"FEEDBACK Success {c2d.Properties.MessageId} dev1", output);
    }

    [Fact]
    public async Task Node_reader_follows_the_redirect_and_reads_after_a_sequence_number()
    {
        RequireNodeModules();
        using var hub = Hubs.Start();
        await using var device = await TestClient.ConnectDeviceAsync(hub, "dev1");
        var sender = await device.SenderAsync("/devices/dev1/messages/events");
        for (var i = 0; i < 5; i++) await TestClient.SendAsync(sender, TestClient.Telemetry($"{{\"n\":{i}}}", "m" + i));
        var partition = hub.GetTelemetry("dev1")[0].Partition;
        var (exit, output, errors) = await RunAsync(hub, "telemetry-reader.js", new()
        {
            ["SERVICE_CONNECTION_STRING"] = hub.ServiceConnectionString,
            ["HUB_PORT"] = hub.Port.ToString(),
            ["PARTITION_ID"] = partition.ToString(),
            ["AFTER_SEQUENCE"] = "2",
            ["EXPECTED_COUNT"] = "2",
        });
        Assert.True(exit == 0, $"exit {exit}\nstdout:\n{output}\nstderr:\n{errors}");
        Assert.Contains($"REDIRECT {hub.EventHubHostName}", output);
        Assert.Contains("PARTITIONS 0,1,2,3", output);
        Assert.Contains("SEQUENCES 3,4", output);
        Assert.Contains("EVENT 3 dev1", output);
    }
}
