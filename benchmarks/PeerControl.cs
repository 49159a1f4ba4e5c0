// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
using System.Diagnostics;

namespace IotHubAmqp.Benchmarks
{
    /// <summary>Starts the peer process (this executable in peer mode) and sends it one-line commands.</summary>
    internal sealed class PeerControl : IDisposable
    {
        private readonly Process process;

        public PeerControl()
        {
            var info = new ProcessStartInfo(Environment.ProcessPath, "--peer")
            {
                RedirectStandardInput = true,
                RedirectStandardOutput = true,
                UseShellExecute = false,
            };
            if (Path.GetFileNameWithoutExtension(Environment.ProcessPath) == "dotnet")
                info.Arguments = "\"" + typeof(PeerControl).Assembly.Location + "\" --peer";
            process = Process.Start(info);
            string ready = process.StandardOutput.ReadLine() ?? throw new InvalidOperationException("the peer process exited");
            string[] p = ready.Split(' ');
            if (p[0] != "ready") throw new InvalidOperationException("peer: " + ready);
            PlainPort = int.Parse(p[1]);
            TlsPort = int.Parse(p[2]);
            AnonymousPort = int.Parse(p[3]);
            HubPort = int.Parse(p[4]);
            CaPemPath = p[5];
            HubCaPemPath = p[6];
            HubDeviceConnectionString = p[7];
        }

        /// <summary>CPU time the peer process has used so far (diagnostics).</summary>
        public TimeSpan Cpu
        {
            get
            {
                process.Refresh();
                return process.TotalProcessorTime;
            }
        }

        /// <summary>AMQP.Net Lite listener, no TLS, no SASL.</summary>
        public int PlainPort { get; }

        /// <summary>AMQP.Net Lite listener, TLS, no SASL.</summary>
        public int TlsPort { get; }

        /// <summary>AMQP.Net Lite listener, no TLS, SASL ANONYMOUS.</summary>
        public int AnonymousPort { get; }

        /// <summary>The local hub (TLS; CBS, SASL PLAIN or ANONYMOUS + CBS).</summary>
        public int HubPort { get; }

        public string CaPemPath { get; }

        public string HubCaPemPath { get; }

        public string HubDeviceConnectionString { get; }

        /// <summary>Starts a proxy to <paramref name="targetPort"/> adding <paramref name="delayMs"/> each way; returns its port.</summary>
        public int Proxy(int targetPort, int delayMs) => int.Parse(Command($"proxy {targetPort} {delayMs}")[1]);

        /// <summary>Bytes and reads client to peer, bytes and reads peer to client, connections, since the last reset.</summary>
        public long[] Stats(int proxyPort)
        {
            string[] p = Command("stats " + proxyPort);
            return new[] { long.Parse(p[1]), long.Parse(p[2]), long.Parse(p[3]), long.Parse(p[4]), long.Parse(p[5]) };
        }

        public void Reset(int proxyPort) => Command("reset " + proxyPort);

        private string[] Command(string line)
        {
            lock (process)
            {
                process.StandardInput.WriteLine(line);
                process.StandardInput.Flush();
                string answer = process.StandardOutput.ReadLine() ?? throw new InvalidOperationException("the peer process exited");
                string[] p = answer.Split(' ');
                if (p[0] != "ok") throw new InvalidOperationException("peer: " + answer);
                return p;
            }
        }

        public void Dispose()
        {
            try
            {
                Command("quit");
                if (!process.WaitForExit(5000)) process.Kill();
            }
            catch (Exception)
            {
                if (!process.HasExited) process.Kill();
            }
            process.Dispose();
        }
    }
}
