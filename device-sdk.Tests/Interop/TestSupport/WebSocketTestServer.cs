// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using IotHubAmqp.Device.Platform;

namespace IotHubAmqp.Device.InteropTests.TestSupport
{
    /// <summary>How a <see cref="WebSocketTestServer"/> answers the upgrade.</summary>
    public enum UpgradeAnswer
    {
        /// <summary>HTTP 400 instead of 101.</summary>
        BadRequest,

        /// <summary>101 without a Sec-WebSocket-Protocol header.</summary>
        NoSubprotocol,

        /// <summary>101 with subprotocol <c>mqtt</c>.</summary>
        WrongSubprotocol,

        /// <summary>101 with AMQPWSB10, then relays AMQP to a TLS peer, cutting what it relays into odd-sized messages.</summary>
        RelayRechunked,
    }

    /// <summary>
    /// A loopback wss:// server written by hand (TLS, then an RFC 6455 handshake read and answered here, then .NET's
    /// server-side WebSocket), to test what a real hub never does: wrong answers, and AMQP frames cut across messages.
    /// </summary>
    internal sealed class WebSocketTestServer : IDisposable
    {
        // Message sizes the relay cycles through: 1 byte, a few bytes, then everything pending (several frames at once).
        private static readonly int[] Pieces = { 1, 3, 7, int.MaxValue };
        private readonly TcpListener listener = new(IPAddress.Loopback, 0);
        private readonly X509Certificate2 certificate;
        private readonly UpgradeAnswer answer;
        private readonly Func<ITransport> relayTo;
        private readonly CancellationTokenSource stopping = new();
        private int splitMessages;

        public WebSocketTestServer(X509Certificate2 certificate, UpgradeAnswer answer, Func<ITransport> relayTo = null)
        {
            this.certificate = certificate;
            this.answer = answer;
            this.relayTo = relayTo;
            listener.Start();
            _ = Task.Run(AcceptLoop);
        }

        public int Port => ((IPEndPoint)listener.LocalEndpoint).Port;

        /// <summary>Relayed messages that carried only part of what one read from the peer returned (so AMQP frames were cut).</summary>
        public int SplitMessages => Volatile.Read(ref splitMessages);

        /// <summary>The request line and headers of the last upgrade request.</summary>
        public string LastRequest { get; private set; }

        private async Task AcceptLoop()
        {
            while (!stopping.IsCancellationRequested)
            {
                TcpClient tcp;
                try { tcp = await listener.AcceptTcpClientAsync(stopping.Token); }
                catch (Exception) { return; }
                _ = Task.Run(() => Serve(tcp));
            }
        }

        private async Task Serve(TcpClient tcp)
        {
            using var _ = tcp;
            using var ssl = new SslStream(tcp.GetStream());
            try
            {
                await ssl.AuthenticateAsServerAsync(certificate, false, SslProtocols.Tls12 | SslProtocols.Tls13, false);
                string request = await ReadHead(ssl);
                LastRequest = request;
                string key = Header(request, "Sec-WebSocket-Key");
                string accept = Convert.ToBase64String(SHA1.HashData(Encoding.ASCII.GetBytes(key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11")));
                string head = answer == UpgradeAnswer.BadRequest
                    ? "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                    : "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: " + accept + "\r\n"
                      + (answer == UpgradeAnswer.NoSubprotocol ? "" : "Sec-WebSocket-Protocol: " + (answer == UpgradeAnswer.WrongSubprotocol ? "mqtt" : IotHubWebSocket.SubProtocol) + "\r\n")
                      + "\r\n";
                await ssl.WriteAsync(Encoding.ASCII.GetBytes(head));
                await ssl.FlushAsync();
                if (answer != UpgradeAnswer.RelayRechunked)
                {
                    await Task.Delay(2000, stopping.Token);
                    return;
                }

                using var ws = WebSocket.CreateFromStream(ssl, new WebSocketCreationOptions { IsServer = true, SubProtocol = IotHubWebSocket.SubProtocol, KeepAliveInterval = TimeSpan.Zero });
                ITransport peer = relayTo();
                var up = Task.Run(async () =>
                {
                    var buf = new byte[16384];
                    while (true)
                    {
                        var r = await ws.ReceiveAsync(buf, stopping.Token);
                        if (r.MessageType == WebSocketMessageType.Close) break;
                        peer.Send(buf, 0, r.Count);
                    }
                    peer.Close();
                });
                var down = Task.Run(async () =>
                {
                    var buf = new byte[16384];
                    int next = 0;
                    while (true)
                    {
                        int n = peer.Receive(buf, 0, buf.Length);
                        if (n == 0) break;
                        for (int at = 0; at < n;)
                        {
                            int size = Math.Min(Pieces[next++ % Pieces.Length], n - at);
                            if (size < n - at) Interlocked.Increment(ref splitMessages);
                            await ws.SendAsync(new ArraySegment<byte>(buf, at, size), WebSocketMessageType.Binary, true, stopping.Token);
                            at += size;
                        }
                    }
                    ws.Abort();
                });
                await Task.WhenAny(up, down);
                peer.Close();
                ws.Abort();
            }
            catch (Exception)
            {
                // A client that gave up, or the server stopping: nothing to report.
            }
        }

        private static async Task<string> ReadHead(Stream s)
        {
            var bytes = new List<byte>();
            var one = new byte[1];
            while (!(bytes.Count >= 4 && bytes[^1] == '\n' && bytes[^2] == '\r' && bytes[^3] == '\n' && bytes[^4] == '\r'))
            {
                if (await s.ReadAsync(one) == 0) throw new IOException("request ended early");
                bytes.Add(one[0]);
            }
            return Encoding.ASCII.GetString(bytes.ToArray());
        }

        private static string Header(string head, string name)
        {
            foreach (var line in head.Split("\r\n"))
            {
                int colon = line.IndexOf(':');
                if (colon > 0 && line[..colon].Trim().Equals(name, StringComparison.OrdinalIgnoreCase)) return line[(colon + 1)..].Trim();
            }
            return "";
        }

        public void Dispose()
        {
            stopping.Cancel();
            listener.Stop();
        }
    }
}
