// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.RegularExpressions;
using IotHubAmqp.Device.InteropTests.TestSupport;
using IotHubAmqp.Device.IotHub;
using IotHubAmqp.Device.Messaging;
using IotHubAmqp.LocalHub;
using Xunit.Abstractions;

namespace IotHubAmqp.Device.InteropTests.Reliability
{
    /// <summary>
    /// Every place the SDK, the local hub and the simulated device write text (status reasons, exception messages
    /// and stack traces, send results, the hub's log, connection strings, the program's output) is scanned for
    /// the keys and tokens in use: none may appear.
    /// </summary>
    public class SecretsTests
    {
        private const string DeviceId = "dev1";

        private readonly ITestOutputHelper output;

        public SecretsTests(ITestOutputHelper output) => this.output = output;

        [Fact]
        public void EveryOutputPath_OfAFullScenario_ShowsNoKeyNoSignatureNoToken()
        {
            var texts = new ConcurrentQueue<(string Where, string Text)>();
            var secrets = new List<string>();
            using var f = new HubFixture(o => o.Log = line => texts.Enqueue(("hub log", line)));
            string cs = HubFixture.WithGateway(f.AddDevice(DeviceId));
            string key = KeyOf(cs);
            AddSecret(secrets, key);
            var platform = new SigningRecorder(DeviceConnector.Platform);
            var options = new DeviceClientOptions
            {
                Port = f.Hub.Port,
                TokenLifetimeSeconds = 3,
                RenewalPoint = 0.5,
                Retry = new RetryPolicy { MinDelayMs = 20, MaxDelayMs = 100 },
                OperationTimeoutMs = 10000,
            };
            var client = new DeviceClient(cs, f.Transports, platform, options);
            var statuses = new ConcurrentQueue<ClientStatus>();
            client.StatusChanged += (s, status, reason) =>
            {
                statuses.Enqueue(status);
                texts.Enqueue(("status", ClientStatusName.Of(status) + ": " + reason));
            };
            texts.Enqueue(("connection string", IotHubConnectionString.Parse(cs).ToString()));

            // Connect, telemetry (accepted and throttled), C2D complete.
            client.Open();
            Send(client, texts, "t-1");
            f.Hub.RejectNextTelemetry(1);
            Assert.Equal(SendOutcome.Throttled, Send(client, texts, "t-2").Outcome);
            Assert.Equal(C2dEnqueueResult.Enqueued, f.Hub.SendCloudToDevice(DeviceId, new CloudToDeviceMessage { Body = new byte[] { 1, 2 }, MessageId = "c2d-1", Ack = "full" }));
            C2dMessage c2d = Assert.Single(client.ReceiveCloudToDevice(1, 10000));
            texts.Enqueue(("c2d", c2d.MessageId + " " + c2d.LockToken + " " + c2d.BodyAsString));
            client.Complete(c2d);

            // A CBS renewal in place.
            WaitFor(() => statuses.Contains(ClientStatus.TokenRenewed), "a token renewal");

            // A forced detach with unauthorized-access, then a cut connection: two reconnects.
            Assert.True(f.Hub.DetachDeviceLinks(DeviceId, "amqp:unauthorized-access", "Token Invalid.") > 0);
            WaitFor(() => client.Reconnects >= 1 && client.Status == ClientStatus.Connected, "the reconnect after the detach");
            Assert.True(f.Hub.AbortDeviceConnections(DeviceId) > 0);
            WaitFor(() => client.Reconnects >= 2 && client.Status == ClientStatus.Connected, "the reconnect after the cut");
            Send(client, texts, "t-3");

            // A wrong key fails Open, with CBS and with PLAIN.
            string wrongKey = Convert.ToBase64String(Guid.NewGuid().ToByteArray().Concat(Guid.NewGuid().ToByteArray()).ToArray());
            AddSecret(secrets, wrongKey);
            string wrongCs = cs.Replace(key, wrongKey);
            foreach (AuthenticationMode mode in new[] { AuthenticationMode.Cbs, AuthenticationMode.SaslPlain })
            {
                var wrong = new DeviceClient(wrongCs, f.Transports, platform, new DeviceClientOptions { Port = f.Hub.Port, Authentication = mode });
                wrong.StatusChanged += (s, status, reason) => texts.Enqueue(("wrong-key status", ClientStatusName.Of(status) + ": " + reason));
                Exception e = Record.Exception(() => wrong.Open());
                Assert.NotNull(e);
                AddException(texts, "wrong key " + mode, e);
            }

            // Malformed connection strings that carry a key or a token.
            string token = f.Hub.CreateDeviceToken(DeviceId, TimeSpan.FromHours(1));
            AddSecret(secrets, Regex.Match(token, "sig=([^&]+)").Groups[1].Value);
            AddSecret(secrets, Uri.UnescapeDataString(Regex.Match(token, "sig=([^&]+)").Groups[1].Value));
            string tokenCs = "HostName=" + f.Hub.HostName + ";DeviceId=" + DeviceId + ";SharedAccessSignature=" + token;
            texts.Enqueue(("token connection string", IotHubConnectionString.Parse(tokenCs).ToString()));
            foreach (string bad in new[]
            {
                "HostName=" + f.Hub.HostName + ";SharedAccessKey=" + key,
                "HostName=" + f.Hub.HostName + ";DeviceId=" + DeviceId + ";SharedAccessKey=" + key + ";SharedAccessSignature=" + token,
                "HostName=" + f.Hub.HostName + ";DeviceId=" + DeviceId + ";SharedAccessKey=" + key + ";SharedAccessKey=" + key,
                "HostName=" + f.Hub.HostName + ";DeviceId=" + DeviceId + ";SharedAccessSignature=" + token.Replace("&se=", "&xx="),
                "HostName=" + f.Hub.HostName + ";DeviceId=" + DeviceId + ";SharedAccessKey=" + key + ";junk",
            })
            {
                Exception e = Record.Exception(() => new DeviceClient(bad, f.Transports, platform));
                Assert.IsAssignableFrom<ArgumentException>(e);
                AddException(texts, "malformed connection string", e);
            }

            client.Close();
            Assert.Equal(ClientStatus.Closed, client.Status);

            // Every token the SDK signed in this scenario is a secret too.
            var signings = platform.Signings;
            Assert.True(signings.Count >= 5, "signatures made: " + signings.Count);
            foreach (var s in signings) AddSecret(secrets, s.Signature);

            var all = texts.ToList();
            Assert.Contains(all, t => t.Where == "hub log");
            Assert.Contains(all, t => t.Where == "status" && t.Text.StartsWith("TokenRenewed", StringComparison.Ordinal));
            Assert.Contains(all, t => t.Where == "status" && t.Text.Contains("unauthorized-access", StringComparison.Ordinal));
            Leaks.AssertNone(all, secrets);
            // The scan can fail: the connection string itself, or a token, is caught.
            Assert.ThrowsAny<Exception>(() => Leaks.AssertNone(new[] { ("probe", cs) }, secrets));
            Assert.ThrowsAny<Exception>(() => Leaks.AssertNone(new[] { ("probe", token) }, Array.Empty<string>()));
            output.WriteLine($"scanned {all.Count} texts ({all.Sum(t => t.Text.Length)} characters) for {secrets.Count} secrets; {signings.Count} signatures made");
        }

        [Fact]
        public void SimulatedDevice_Output_ShowsNoKeyNoSignatureNoToken()
        {
            using var f = new HubFixture();
            string cs = HubFixture.WithGateway(f.AddDevice(DeviceId));
            string key = KeyOf(cs);
            var secrets = new List<string>();
            AddSecret(secrets, key);
            string wrongKey = Convert.ToBase64String(Guid.NewGuid().ToByteArray().Concat(Guid.NewGuid().ToByteArray()).ToArray());
            AddSecret(secrets, wrongKey);
            var texts = new List<(string Where, string Text)>();

            // In-process hub: its key is not known here, so the scan looks for anything shaped like one.
            SimulatedDevice.Result inProcess = SimulatedDevice.Run("--messages", "5", "--interval", "100", "--json");
            Assert.True(inProcess.ExitCode == 0, inProcess.ToString());
            texts.AddRange(inProcess.Lines("in-process"));

            // Against this hub (its key known), with 2 s tokens so a renewal happens while it runs.
            SimulatedDevice.Result remote = SimulatedDevice.Run("--connection-string", cs, "--trusted-ca", f.Hub.CaCertificatePath,
                "--messages", "5", "--interval", "600", "--token-ttl", "2", "--json");
            Assert.True(remote.ExitCode == 0, remote.ToString());
            texts.AddRange(remote.Lines("remote"));

            // A malformed connection string (no DeviceId) and a wrong key.
            SimulatedDevice.Result malformed = SimulatedDevice.Run("--connection-string", "HostName=" + f.Hub.HostName + ";SharedAccessKey=" + key,
                "--trusted-ca", f.Hub.CaCertificatePath, "--json");
            Assert.True(malformed.ExitCode == 2, malformed.ToString());
            texts.AddRange(malformed.Lines("malformed"));
            SimulatedDevice.Result wrong = SimulatedDevice.Run("--connection-string", cs.Replace(key, wrongKey), "--trusted-ca", f.Hub.CaCertificatePath,
                "--messages", "1", "--connect-timeout", "10000", "--json");
            Assert.True(wrong.ExitCode == 1, wrong.ToString());
            texts.AddRange(wrong.Lines("wrong key"));

            Leaks.AssertNone(texts, secrets);
            Assert.ThrowsAny<Exception>(() => Leaks.AssertNone(new[] { ("probe", "key " + DeviceRegistry.NewKey()) }, Array.Empty<string>()));
            output.WriteLine($"scanned {texts.Count} lines of the simulated device's output for {secrets.Count} secrets and key-shaped strings");
        }

        private static SendResult Send(DeviceClient client, ConcurrentQueue<(string, string)> texts, string id)
        {
            SendResult r = client.SendTelemetry(new Message(new byte[] { 7 }) { Properties = new MessageProperties { MessageId = id } });
            texts.Enqueue(("send result", r.ToString()));
            return r;
        }

        private static void AddException(ConcurrentQueue<(string, string)> texts, string where, Exception e)
        {
            texts.Enqueue((where + " message", e.Message));
            texts.Enqueue((where + " ToString", e.ToString()));
        }

        private static string KeyOf(string cs) => Regex.Match(cs, "SharedAccessKey=([^;]+)").Groups[1].Value;

        // The key or signature as it is, and as it would look URL-encoded inside a token.
        private static void AddSecret(List<string> secrets, string secret)
        {
            Assert.False(string.IsNullOrEmpty(secret));
            secrets.Add(secret);
            secrets.Add(Uri.EscapeDataString(secret));
        }

        private static void WaitFor(Func<bool> condition, string what)
        {
            var watch = Stopwatch.StartNew();
            while (!condition())
            {
                Assert.True(watch.Elapsed < TimeSpan.FromSeconds(15), "timed out waiting for " + what);
                Thread.Sleep(20);
            }
        }
    }

    /// <summary>The scan: known secrets, and the shapes a key or token takes in text.</summary>
    internal static class Leaks
    {
        // A 32-byte key in base64 (44 characters ending in '='), or URL-encoded (ending in %3D).
        private static readonly Regex KeyShaped = new(@"[A-Za-z0-9+/]{43}=|[A-Za-z0-9%]{43,}%3D", RegexOptions.Compiled);

        public static void AssertNone(IEnumerable<(string Where, string Text)> texts, IEnumerable<string> secrets)
        {
            var found = new List<string>();
            foreach (var (where, text) in texts)
            {
                if (text == null) continue;
                foreach (string s in secrets)
                {
                    if (text.Contains(s, StringComparison.Ordinal)) found.Add(where + ": a key or signature");
                }
                if (text.Contains("sig=", StringComparison.OrdinalIgnoreCase)) found.Add(where + ": sig=");
                if (text.Contains("SharedAccessSignature sr=", StringComparison.OrdinalIgnoreCase)) found.Add(where + ": SharedAccessSignature sr=");
                if (KeyShaped.IsMatch(text)) found.Add(where + ": a key-shaped string");
            }
            // The finding names where, never the secret itself.
            Assert.True(found.Count == 0, "secrets in the output: " + string.Join(" | ", found.Distinct()));
        }
    }

    /// <summary>Runs the built simulated device (<c>dotnet IotHubAmqp.SimulatedDevice.dll</c>) of the same configuration as this assembly.</summary>
    internal static class SimulatedDevice
    {
        private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

        public sealed class Result
        {
            public int ExitCode { get; init; }

            public List<string> Stdout { get; init; }

            public List<string> Stderr { get; init; }

            public IEnumerable<(string, string)> Lines(string run) =>
                Stdout.Select(l => (run + " stdout", l)).Concat(Stderr.Select(l => (run + " stderr", l)));

            // For assertion messages: the exit code and stderr only (stderr of a failing run is what the user sees).
            public override string ToString() => "exit " + ExitCode + ", " + Stdout.Count + " stdout lines; stderr: " + string.Join(" / ", Stderr);
        }

        public static Result Run(params string[] args)
        {
            var start = new ProcessStartInfo("dotnet")
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                RedirectStandardInput = true,
                UseShellExecute = false,
            };
            start.ArgumentList.Add(Dll());
            foreach (string a in args) start.ArgumentList.Add(a);
            start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
            var stdout = new ConcurrentQueue<string>();
            var stderr = new ConcurrentQueue<string>();
            using var process = new Process { StartInfo = start };
            process.OutputDataReceived += (_, e) => { if (e.Data != null) stdout.Enqueue(e.Data); };
            process.ErrorDataReceived += (_, e) => { if (e.Data != null) stderr.Enqueue(e.Data); };
            process.Start();
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            if (!process.WaitForExit(Timeout))
            {
                process.Kill(entireProcessTree: true);
                process.WaitForExit();
                Assert.Fail("the simulated device did not exit within " + Timeout.TotalSeconds + " s (killed)");
            }
            process.WaitForExit(); // drains the redirected streams
            return new Result { ExitCode = process.ExitCode, Stdout = stdout.ToList(), Stderr = stderr.ToList() };
        }

        // simulated-device/bin/<configuration>/net10.0/ under the repository root (the folder holding nano.props);
        // the configuration is that of this assembly (.../bin/<configuration>/net10.0/).
        private static string Dll()
        {
            var baseDir = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
            string configuration = baseDir.Parent.Name;
            for (DirectoryInfo dir = baseDir; dir != null; dir = dir.Parent)
            {
                if (!File.Exists(Path.Combine(dir.FullName, "nano.props"))) continue;
                string dll = Path.Combine(dir.FullName, "simulated-device", "bin", configuration, "net10.0", "IotHubAmqp.SimulatedDevice.dll");
                Assert.True(File.Exists(dll), "build the simulated device first: " + dll);
                return dll;
            }
            throw new InvalidOperationException("nano.props not found above " + AppContext.BaseDirectory);
        }
    }
}
