using System.Security.Cryptography;

namespace IotHubAmqp.LocalHub.Tests;

/// <summary>The web console driven in headless Chromium (node/web-console.js, playwright-core) against a real device.</summary>
public partial class NodeClientTests
{
    private const string Chromium = "/usr/bin/chromium";

    // The screenshots go to docs/ only when asked (UPDATE_SCREENSHOTS=1), so a test run leaves the checkout as it was.
    private static string ScreenshotFolder()
    {
        if (Environment.GetEnvironmentVariable("UPDATE_SCREENSHOTS") == "1")
            return Path.GetFullPath(Path.Combine(NodeFolder(), "..", "..", "docs"));
        string dir = Path.Combine(Path.GetTempPath(), "local-hub-screenshots-" + Environment.ProcessId);
        Directory.CreateDirectory(dir);
        return dir;
    }

    [Fact]
    public async Task Web_console_shows_telemetry_and_drives_c2d_methods_and_twin_in_chromium()
    {
        RequireNodeModules();
        Assert.True(File.Exists(Chromium), $"{Chromium} is missing: the browser test needs Debian's chromium package.");
        string shots = ScreenshotFolder();
        using var hub = Hubs.Start();
        // Chromium trusts this hub's certificate by its public key hash only: TLS stays validated.
        var spki = Convert.ToBase64String(SHA256.HashData(hub.Core.Certificates!.Server.PublicKey.ExportSubjectPublicKeyInfo()));
        var (exit, output, errors) = await RunAsync(hub, "web-console.js", new()
        {
            ["WEB_URL"] = hub.WebConsoleAddress,
            ["OWNER_CONNECTION_STRING"] = hub.PolicyConnectionString("iothubowner"),
            ["DEVICE_CONNECTION_STRING"] = hub.DeviceConnectionString("dev1"),
            ["SERVER_SPKI"] = spki,
            ["HUB_PORT"] = hub.Port.ToString(),
            ["SCREENSHOT_DIR"] = shots,
        });
        Assert.True(exit == 0, $"exit {exit}\nstdout:\n{output}\nstderr:\n{errors}");
        Assert.Contains("OK all", output);
        // What the page did, as the hub saw it.
        Assert.True(hub.Registry.Contains("web-added"));
        Assert.Contains(hub.GetFeedback(), f => f.OriginalMessageId == "web-c2d-1" && f.StatusCode == "Success" && f.DeviceId == "dev1");
        Assert.Contains("\"appliedBy\":\"device\"", hub.GetTwinJson("dev1"));
        Assert.Contains(hub.GetTelemetry("dev1"), t => t.Body.Length == 256 * 1024);
        foreach (var view in new[] { "devices", "telemetry", "commands", "health", "phone" })
            Assert.True(new FileInfo(Path.Combine(shots, $"local-hub-{view}.png")) is { Exists: true, Length: > 0 }, view + " screenshot");
        // Kept only on failure (above), for a look at what the page showed.
        if (Environment.GetEnvironmentVariable("UPDATE_SCREENSHOTS") != "1") Directory.Delete(shots, true);
    }
}
