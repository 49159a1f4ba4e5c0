// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Reflection;
using System.Text.Json;

namespace IotHubAmqp.SimulatedDevice.Tests.TestSupport;

/// <summary>What one run of the program printed and returned.</summary>
internal sealed class RunResult
{
    public required int ExitCode { get; init; }
    public required IReadOnlyList<string> Stdout { get; init; }
    public required IReadOnlyList<string> Stderr { get; init; }
    public required TimeSpan Duration { get; init; }

    /// <summary>stdout parsed as JSON lines (--json); fails the test on a line that is not a JSON object.</summary>
    public IReadOnlyList<JsonElement> Events => Stdout.Select(line =>
    {
        using var doc = JsonDocument.Parse(line);
        Assert.Equal(JsonValueKind.Object, doc.RootElement.ValueKind);
        return doc.RootElement.Clone();
    }).ToList();

    public IReadOnlyList<JsonElement> EventsOf(string type) => Events.Where(e => e.GetProperty("type").GetString() == type).ToList();

    /// <summary>Everything printed, for assertion messages.</summary>
    public override string ToString() =>
        $"exit {ExitCode} after {Duration.TotalSeconds:0.0} s\nstdout:\n{string.Join("\n", Stdout.TakeLast(40))}\nstderr:\n{string.Join("\n", Stderr)}";
}

/// <summary>Runs the built simulated device (<c>dotnet IotHubAmqp.SimulatedDevice.dll</c>) as a script would.</summary>
internal static class SimulatedDeviceProcess
{
    /// <summary>A hang fails the test instead of blocking the run.</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    private static readonly Lazy<string> Dll = new(FindDll);

    /// <summary>Runs with <paramref name="args"/>; <paramref name="onLine"/> sees each stdout line as it arrives.</summary>
    public static RunResult Run(IEnumerable<string> args, Action<string>? onLine = null) =>
        Run(args, onLine == null ? null : (line, _) => onLine(line));

    /// <summary>Runs with <paramref name="args"/>; <paramref name="onLine"/> sees each stdout line and the process.</summary>
    public static RunResult Run(IEnumerable<string> args, Action<string, Process>? onLine)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Dll.Value);
        foreach (string a in args) start.ArgumentList.Add(a);
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";

        var stdout = new ConcurrentQueue<string>();
        var stderr = new ConcurrentQueue<string>();
        var clock = Stopwatch.StartNew();
        using var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data == null) return;
            stdout.Enqueue(e.Data);
            onLine?.Invoke(e.Data, process);
        };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data != null) stderr.Enqueue(e.Data);
        };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        if (!process.WaitForExit(Timeout))
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
            Assert.Fail($"the simulated device did not exit within {Timeout.TotalSeconds} s (killed)\nstdout:\n{string.Join("\n", stdout.TakeLast(20))}\nstderr:\n{string.Join("\n", stderr)}");
        }

        process.WaitForExit(); // drains the redirected streams
        return new RunResult { ExitCode = process.ExitCode, Stdout = stdout.ToList(), Stderr = stderr.ToList(), Duration = clock.Elapsed };
    }

    public static RunResult Run(params string[] args) => Run(args, (Action<string>?)null);

    // simulated-device/bin/<same configuration>/net10.0/, found from the repository root above the test assembly.
    private static string FindDll()
    {
        string configuration = typeof(SimulatedDeviceProcess).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .Single(a => a.Key == "Configuration").Value!;
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
        {
            string project = Path.Combine(dir.FullName, "simulated-device", "IotHubAmqp.SimulatedDevice.csproj");
            if (!File.Exists(project)) continue;
            string dll = Path.Combine(dir.FullName, "simulated-device", "bin", configuration, "net10.0", "IotHubAmqp.SimulatedDevice.dll");
            Assert.True(File.Exists(dll), "build the simulated device first: " + dll);
            return dll;
        }

        throw new InvalidOperationException("simulated-device/ not found above " + AppContext.BaseDirectory);
    }
}
