// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;

namespace IotHubAmqp.Device.InteropTests.TestSupport
{
    /// <summary>What a <see cref="TlsEchoServer"/> does with a connection once the handshake is done.</summary>
    internal enum EchoBehavior
    {
        /// <summary>Writes back every byte it reads until the client closes.</summary>
        Echo,

        /// <summary>Closes the connection right after the handshake (TLS close_notify, then FIN).</summary>
        CloseAfterHandshake,

        /// <summary>Keeps the connection open and never sends anything.</summary>
        Silent,

        /// <summary>Accepts TCP but never answers the TLS handshake.</summary>
        NoHandshake,
    }

    /// <summary>
    /// A tiny loopback server for platform tests: listens on 127.0.0.1 (ephemeral port), completes a TLS
    /// handshake with the given certificate and protocols (or none, for plain TCP), then behaves as told.
    /// </summary>
    internal sealed class TlsEchoServer : IDisposable
    {
        private readonly TcpListener listener;
        private readonly X509Certificate2 certificate;
        private readonly SslProtocols protocols;
        private readonly EchoBehavior behavior;
        private readonly CancellationTokenSource stopping = new();
        private readonly List<Socket> connections = new();
        private readonly Task acceptLoop;
        private int handshakes;

        private TlsEchoServer(X509Certificate2 certificate, SslProtocols protocols, EchoBehavior behavior)
        {
            this.certificate = certificate;
            this.protocols = protocols;
            this.behavior = behavior;
            listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            Port = ((IPEndPoint)listener.LocalEndpoint).Port;
            acceptLoop = Task.Run(AcceptLoopAsync);
        }

        /// <summary>The port the server listens on (127.0.0.1).</summary>
        public int Port { get; }

        /// <summary>TLS handshakes that completed on the server side.</summary>
        public int Handshakes => Volatile.Read(ref handshakes);

        /// <summary>The last server-side handshake failure, if any.</summary>
        public Exception LastHandshakeError { get; private set; }

        /// <summary>Starts a TLS server presenting <paramref name="certificate"/>.</summary>
        public static TlsEchoServer StartTls(X509Certificate2 certificate, EchoBehavior behavior = EchoBehavior.Echo,
            SslProtocols protocols = SslProtocols.Tls12 | SslProtocols.Tls13)
        {
            ArgumentNullException.ThrowIfNull(certificate);
            return new TlsEchoServer(certificate, protocols, behavior);
        }

        /// <summary>Starts a plain TCP server.</summary>
        public static TlsEchoServer StartPlain(EchoBehavior behavior = EchoBehavior.Echo)
            => new TlsEchoServer(null, SslProtocols.None, behavior);

        public void Dispose()
        {
            stopping.Cancel();
            listener.Stop();
            lock (connections)
            {
                foreach (var socket in connections)
                {
                    socket.Dispose();
                }
            }

            try
            {
                acceptLoop.Wait(TimeSpan.FromSeconds(5));
            }
            catch (AggregateException)
            {
            }

            stopping.Dispose();
        }

        private async Task AcceptLoopAsync()
        {
            while (!stopping.IsCancellationRequested)
            {
                Socket socket;
                try
                {
                    socket = await listener.AcceptSocketAsync(stopping.Token);
                }
                catch (Exception e) when (e is OperationCanceledException || e is SocketException || e is ObjectDisposedException)
                {
                    return;
                }

                lock (connections)
                {
                    connections.Add(socket);
                }

                _ = Task.Run(() => ServeAsync(socket));
            }
        }

        private async Task ServeAsync(Socket socket)
        {
            try
            {
                using var network = new NetworkStream(socket, ownsSocket: true);
                Stream stream = network;
                SslStream ssl = null;
                if (certificate != null)
                {
                    if (behavior == EchoBehavior.NoHandshake)
                    {
                        await Task.Delay(Timeout.Infinite, stopping.Token);
                        return;
                    }

                    ssl = new SslStream(network, leaveInnerStreamOpen: true);
                    try
                    {
                        await ssl.AuthenticateAsServerAsync(new SslServerAuthenticationOptions
                        {
                            ServerCertificate = certificate,
                            EnabledSslProtocols = protocols,
                            ClientCertificateRequired = false,
                        }, stopping.Token);
                    }
                    catch (Exception e) when (e is not OperationCanceledException)
                    {
                        LastHandshakeError = e;
                        ssl.Dispose();
                        return;
                    }

                    Interlocked.Increment(ref handshakes);
                    stream = ssl;
                }

                using (ssl)
                {
                    await BehaveAsync(stream, ssl);
                }
            }
            catch (Exception e) when (e is IOException || e is OperationCanceledException || e is ObjectDisposedException || e is SocketException)
            {
                // The client went away or the server is stopping.
            }
        }

        private async Task BehaveAsync(Stream stream, SslStream ssl)
        {
            switch (behavior)
            {
                case EchoBehavior.CloseAfterHandshake:
                    if (ssl != null)
                    {
                        await ssl.ShutdownAsync();
                    }

                    return;
                case EchoBehavior.Silent:
                    await Task.Delay(Timeout.Infinite, stopping.Token);
                    return;
                default:
                    var buffer = new byte[16 * 1024];
                    int read;
                    while ((read = await stream.ReadAsync(buffer, stopping.Token)) > 0)
                    {
                        await stream.WriteAsync(buffer.AsMemory(0, read), stopping.Token);
                    }

                    return;
            }
        }
    }
}
