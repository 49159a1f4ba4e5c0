// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
using System;
using System.IO;
using System.Net;
using System.Net.Http;
using System.Net.Security;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using System.Threading;

namespace IotHubAmqp.Device.Platform.Desktop
{
    /// <summary>
    /// Opens AMQP-over-WebSockets connections (<c>wss://host:port/$iothub/websocket</c>, subprotocol <c>AMQPWSB10</c>)
    /// with <see cref="ClientWebSocket"/>. TLS is validated exactly as by <see cref="DesktopTransportFactory"/> (the
    /// same protocols, the one trusted root, the host name, the same failure messages). Use it with
    /// <c>DeviceClientOptions.Port = IotHubWebSocket.Port</c> (443), or the local hub's WebSocket port.
    /// </summary>
    public sealed class DesktopWebSocketTransportFactory : ITransportFactory
    {
        private readonly DesktopTransportFactory tls;

        /// <summary>Creates a factory whose connections trust <paramref name="trustedRoot"/> and nothing else.</summary>
        /// <param name="trustedRoot">The root CA certificate the server's chain must end at.</param>
        public DesktopWebSocketTransportFactory(X509Certificate2 trustedRoot)
        {
            tls = new DesktopTransportFactory(trustedRoot);
        }

        /// <summary>Creates a factory from PEM text holding the trusted root CA certificate.</summary>
        /// <param name="pem">Text containing <c>-----BEGIN CERTIFICATE-----</c>.</param>
        public static DesktopWebSocketTransportFactory FromPem(string pem) => new DesktopWebSocketTransportFactory(DesktopTransportFactory.FromPem(pem).TrustedRoot);

        /// <summary>Creates a factory from a PEM file holding the trusted root CA certificate.</summary>
        /// <param name="path">Path of a file containing <c>-----BEGIN CERTIFICATE-----</c>.</param>
        public static DesktopWebSocketTransportFactory FromPemFile(string path) => new DesktopWebSocketTransportFactory(DesktopTransportFactory.FromPemFile(path).TrustedRoot);

        /// <summary>
        /// Connects to <c>wss://host:port/$iothub/websocket</c> (<c>ws://</c> when <paramref name="useTls"/> is false:
        /// benchmarks and local tests) within <paramref name="timeoutMilliseconds"/> (TCP, TLS and the upgrade together).
        /// </summary>
        /// <exception cref="TimeoutException">The connection was not up in time.</exception>
        /// <exception cref="IOException">TCP failed, the server answered something else than 101, or without the <c>AMQPWSB10</c> subprotocol.</exception>
        /// <exception cref="AuthenticationException">The TLS handshake failed; the message names the cause, as on port 5671.</exception>
        public ITransport Connect(string host, int port, bool useTls, int timeoutMilliseconds)
        {
            if (string.IsNullOrEmpty(host)) throw new ArgumentException("A host name is required.", nameof(host));
            if (port <= 0 || port > 65535) throw new ArgumentOutOfRangeException(nameof(port));
            if (timeoutMilliseconds <= 0) throw new ArgumentOutOfRangeException(nameof(timeoutMilliseconds));

            string uri = (useTls ? "wss://" : "ws://") + host + ":" + port + IotHubWebSocket.Path;
            string rejection = null;
            var handler = new SocketsHttpHandler
            {
                UseProxy = false,
                ConnectTimeout = TimeSpan.FromMilliseconds(timeoutMilliseconds),
                SslOptions = new SslClientAuthenticationOptions
                {
                    TargetHost = host,
                    EnabledSslProtocols = DesktopTransportFactory.AllowedProtocols,
                    CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
                    CertificateChainPolicy = tls.CreateChainPolicy(),
                    RemoteCertificateValidationCallback = (sender, certificate, chain, errors) =>
                    {
                        rejection = DesktopTransportFactory.DescribeRejection(errors, chain, host);
                        return rejection == null;
                    },
                },
                ConnectCallback = async (context, token) =>
                {
                    // NoDelay as on 5671: AMQP frames are small and latency-bound.
                    var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                    try
                    {
                        await socket.ConnectAsync(context.DnsEndPoint, token).ConfigureAwait(false);
                        return new NetworkStream(socket, ownsSocket: true);
                    }
                    catch
                    {
                        socket.Dispose();
                        throw;
                    }
                },
            };
            var invoker = new HttpMessageInvoker(handler);
            var ws = new ClientWebSocket();
            ws.Options.AddSubProtocol(IotHubWebSocket.SubProtocol);
            ws.Options.KeepAliveInterval = TimeSpan.Zero; // AMQP's heartbeats keep the connection alive
            ws.Options.CollectHttpResponseDetails = true;
            ws.Options.HttpVersion = HttpVersion.Version11;
            ws.Options.HttpVersionPolicy = HttpVersionPolicy.RequestVersionExact;
            using var deadline = new CancellationTokenSource(timeoutMilliseconds);
            try
            {
                ws.ConnectAsync(new Uri(uri), invoker, deadline.Token).GetAwaiter().GetResult();
                if (ws.SubProtocol != IotHubWebSocket.SubProtocol)
                {
                    throw new IOException($"WebSocket upgrade at {uri} failed: the server accepted without the {IotHubWebSocket.SubProtocol} subprotocol (it chose '{ws.SubProtocol ?? "none"}').");
                }

                return new DesktopWebSocketTransport(ws, invoker);
            }
            catch (Exception e)
            {
                ws.Dispose();
                invoker.Dispose();
                throw Explain(e, uri, host, port, timeoutMilliseconds, rejection, ws, deadline.IsCancellationRequested);
            }
        }

        private static Exception Explain(Exception e, string uri, string host, int port, int timeoutMs, string rejection, ClientWebSocket ws, bool timedOut)
        {
            if (e is IOException && e.Message.StartsWith("WebSocket upgrade", StringComparison.Ordinal)) return e;
            if (rejection != null) return new AuthenticationException($"TLS handshake with {host}:{port} failed: {rejection}.", e);
            for (Exception x = e; x != null; x = x.InnerException)
            {
                if (x is AuthenticationException)
                {
                    return new AuthenticationException(
                        $"TLS handshake with {host}:{port} failed before the server certificate was checked " +
                        $"(protocol version or cipher negotiation; this client allows TLS 1.2 and 1.3 only): {DesktopTransportFactory.InnermostMessage(e)}", e);
                }

                if (x is SocketException s && !timedOut) return new IOException($"TCP connect to {host}:{port} failed: {s.SocketErrorCode}.", e);
            }

            if (timedOut || e is OperationCanceledException) return new TimeoutException($"WebSocket connect to {uri} timed out after {timeoutMs} ms.");
            int status = (int)ws.HttpStatusCode;
            if (status != 0 && status != 101)
            {
                return new IOException($"WebSocket upgrade at {uri} failed: the server answered HTTP {status} instead of 101 Switching Protocols.", e);
            }

            if (status == 101)
            {
                string chosen = null;
                if (ws.HttpResponseHeaders != null && ws.HttpResponseHeaders.TryGetValue("Sec-WebSocket-Protocol", out var values)) chosen = string.Join(",", values);
                return new IOException($"WebSocket upgrade at {uri} failed: the server chose subprotocol '{chosen ?? "none"}' instead of {IotHubWebSocket.SubProtocol}.", e);
            }

            return new IOException($"WebSocket connect to {uri} failed: {DesktopTransportFactory.InnermostMessage(e)}", e);
        }
    }
}
