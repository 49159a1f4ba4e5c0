// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;

namespace IotHubAmqp.Device.InteropTests.TestSupport
{
    /// <summary>
    /// A TLS server on 127.0.0.1 that plays hand-written bytes to one client: for peer misbehaviour no real
    /// AMQP library will produce (silence, garbage, oversized frames). What the client sent is kept for asserts.
    /// </summary>
    internal sealed class ScriptedPeer : IDisposable
    {
        private readonly TcpListener listener = new(IPAddress.Loopback, 0);
        private readonly Task task;
        private readonly MemoryStream fromClient = new();

        public ScriptedPeer(Action<ScriptedPeer, SslStream> script)
        {
            listener.Start();
            Port = ((IPEndPoint)listener.LocalEndpoint).Port;
            task = Task.Run(async () =>
            {
                using TcpClient client = await listener.AcceptTcpClientAsync();
                using var tls = new SslStream(client.GetStream());
                await tls.AuthenticateAsServerAsync(TestCertificates.Server, false, SslProtocols.Tls12 | SslProtocols.Tls13, false);
                Stream = tls;
                script(this, tls);
            });
        }

        public int Port { get; }

        public SslStream Stream { get; private set; }

        /// <summary>The open frame a minimal peer sends: container-id "p", no other field (AMQP 1.0 2.7.1).</summary>
        public static readonly byte[] HeaderAndOpen = Hex("414d5150 00010000" + "00000011 02000000" + "005310 c0 04 01 a1 01 70");

        /// <summary>Reads at least <paramref name="count"/> bytes from the client (or until it closes).</summary>
        public byte[] Read(int count, int timeoutMs = 5000)
        {
            var buffer = new byte[4096];
            Stream.ReadTimeout = timeoutMs;
            while (fromClient.Length < count)
            {
                int n;
                try
                {
                    n = Stream.Read(buffer, 0, buffer.Length);
                }
                catch (IOException)
                {
                    break;
                }
                if (n <= 0) break;
                fromClient.Write(buffer, 0, n);
            }
            return fromClient.ToArray();
        }

        /// <summary>Reads until the client closes the stream or the timeout passes; returns everything it sent.</summary>
        public byte[] ReadToEnd(int timeoutMs = 5000) => Read(int.MaxValue, timeoutMs);

        public void Write(byte[] bytes) => Stream.Write(bytes, 0, bytes.Length);

        public void Wait(int timeoutMs = 10000) => task.Wait(timeoutMs);

        public void Dispose()
        {
            listener.Stop();
            try
            {
                task.Wait(2000);
            }
            catch (AggregateException)
            {
                // The script's own failure was reported by the test that cares.
            }
        }

        public static byte[] Hex(string hex) => Convert.FromHexString(hex.Replace(" ", ""));
    }
}
