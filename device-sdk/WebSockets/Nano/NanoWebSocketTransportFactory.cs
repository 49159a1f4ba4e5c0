// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
using System;
using System.IO;
using System.Net.Security;
using System.Net.WebSockets;
using System.Net.WebSockets.WebSocketFrame;
using System.Security.Cryptography.X509Certificates;
using System.Threading;

namespace IotHubAmqp.Device.Platform.Nano
{
    /// <summary>
    /// Opens AMQP-over-WebSockets connections (<c>wss://host:port/$iothub/websocket</c>, subprotocol <c>AMQPWSB10</c>)
    /// with nanoFramework's <c>ClientWebSocket</c> (nanoFramework.System.Net.WebSockets.Client). TLS 1.2 with
    /// <see cref="SslVerification.CertificateRequired"/> against the one root CA given here, as on port 5671.
    /// Written against the package's public sources and never compiled or run: see docs/platform.md.
    /// </summary>
    /// <remarks>
    /// The nanoFramework client has no subprotocol API: the request carries <c>Sec-WebSocket-Protocol: AMQPWSB10</c>
    /// as a custom header, and the client does not check what the server answers (a hub answering another
    /// subprotocol is only noticed when AMQP fails). A non-101 answer makes <c>Connect</c> throw.
    /// </remarks>
    public sealed class NanoWebSocketTransportFactory : ITransportFactory
    {
        // Unread bytes one connection may hold: well above what the engine's window and frame size allow in flight.
        private const int MaxBuffered = 64 * 1024;

        private readonly X509Certificate trustedRoot;

        /// <summary>Creates a factory whose connections trust <paramref name="trustedRoot"/> only.</summary>
        /// <param name="trustedRoot">The root CA certificate the server's chain must end at.</param>
        public NanoWebSocketTransportFactory(X509Certificate trustedRoot)
        {
            if (trustedRoot == null)
            {
                throw new ArgumentNullException("trustedRoot");
            }

            this.trustedRoot = trustedRoot;
        }

        /// <summary>Creates a factory from the root CA certificate in PEM.</summary>
        /// <param name="pem">The PEM text.</param>
        public static NanoWebSocketTransportFactory FromPem(string pem)
        {
            if (pem == null)
            {
                throw new ArgumentNullException("pem");
            }

            return new NanoWebSocketTransportFactory(new X509Certificate(pem));
        }

        /// <summary>
        /// Connects to <c>wss://host:port/$iothub/websocket</c> (<c>ws://</c> when <paramref name="useTls"/> is false)
        /// within <paramref name="timeoutMilliseconds"/>: a watchdog aborts the WebSocket when the deadline passes.
        /// </summary>
        /// <exception cref="IOException">The connection or the upgrade failed or timed out; the message says which.</exception>
        public ITransport Connect(string host, int port, bool useTls, int timeoutMilliseconds)
        {
            if (host == null || host.Length == 0)
            {
                throw new ArgumentException("A host name is required.", "host");
            }

            if (port <= 0 || port > 65535 || timeoutMilliseconds <= 0)
            {
                throw new ArgumentOutOfRangeException(port <= 0 || port > 65535 ? "port" : "timeoutMilliseconds");
            }

            string uri = useTls ? IotHubWebSocket.Uri(host, port) : "ws://" + host + ":" + port.ToString() + IotHubWebSocket.Path;
            var options = new ClientWebSocketOptions();
            options.SslProtocol = SslProtocols.Tls12;
            options.SslVerification = SslVerification.CertificateRequired; // never NoVerification
            options.Certificate = trustedRoot;                              // the CA the server must chain to
            var ws = new ClientWebSocket(options);
            var transport = new NanoWebSocketTransport(ws, new WebSocketStream(MaxBuffered));
            var headers = new ClientWebSocketHeaders();
            headers["Sec-WebSocket-Protocol"] = IotHubWebSocket.SubProtocol;

            // Connect is synchronous and the TLS handshake has no read timeout on the device (see NanoTransportFactory).
            var timedOut = new ManualResetEvent(false);
            var watchdog = new Timer(
                state =>
                {
                    timedOut.Set();
                    try
                    {
                        ws.Abort(); // closes the socket under the blocked connect or handshake
                    }
                    catch (Exception)
                    {
                        // Not connected far enough to have anything to abort; Connect fails on its own.
                    }
                },
                null,
                timeoutMilliseconds,
                Timeout.Infinite);
            try
            {
                ws.Connect(uri, headers);
            }
            catch (Exception e)
            {
                watchdog.Dispose();
                transport.Close();
                if (timedOut.WaitOne(0, false))
                {
                    throw new IOException("WebSocket connect to " + uri + " timed out after " + timeoutMilliseconds.ToString() + " ms.");
                }

                // A bad handshake (not 101, wrong Upgrade/Connection/Accept) or a TLS failure from mbedTLS.
                throw new IOException("WebSocket connect to " + uri + " failed (TLS handshake or HTTP upgrade): "
                    + e.GetType().Name + (e.Message == null ? "" : ": " + e.Message));
            }

            watchdog.Dispose();
            if (timedOut.WaitOne(0, false) || ws.State != WebSocketState.Open)
            {
                // The client logs a SocketException during connect instead of throwing it: only the state tells.
                transport.Close();
                throw new IOException("WebSocket connect to " + uri + " failed: "
                    + (timedOut.WaitOne(0, false) ? "timed out after " + timeoutMilliseconds.ToString() + " ms" : "the TCP connection could not be made") + ".");
            }

            return transport;
        }
    }

    /// <summary>
    /// AMQP bytes over nanoFramework's <c>ClientWebSocket</c>: each <see cref="Send"/> queues one binary message; received
    /// binary messages (and fragments, delivered one event each) are read back as one byte stream by a
    /// <see cref="WebSocketStream"/>, whatever their boundaries.
    /// </summary>
    public sealed class NanoWebSocketTransport : ITransport, IDisposable
    {
        private readonly ClientWebSocket ws;
        private readonly WebSocketStream stream;
        private int closed;

        internal NanoWebSocketTransport(ClientWebSocket ws, WebSocketStream stream)
        {
            this.ws = ws;
            this.stream = stream;
            ws.MessageReceived += OnMessage;
            ws.ConnectionClosed += OnClosed;
        }

        /// <summary>Why the stream ended, when the WebSocket or the peer ended it.</summary>
        public string EndReason => stream.EndReason;

        /// <inheritdoc />
        public void Send(byte[] buffer, int offset, int count)
        {
            if (Interlocked.CompareExchange(ref closed, 0, 0) != 0)
            {
                throw new ObjectDisposedException();
            }

            // The client sends whole arrays from its own send thread: the engine's buffer is reused, so copy.
            var copy = new byte[count];
            Array.Copy(buffer, offset, copy, 0, count);
            if (!ws.Send(copy, WebSocketMessageType.Binary))
            {
                throw new IOException("the WebSocket refused to queue a message (it is closing or closed)");
            }
        }

        /// <inheritdoc />
        public int Receive(byte[] buffer, int offset, int count) => stream.Read(buffer, offset, count);

        /// <inheritdoc />
        public void Close()
        {
            if (Interlocked.Exchange(ref closed, 1) != 0)
            {
                return;
            }

            stream.End("closed by the client");
            try
            {
                ws.Abort();
            }
            catch (Exception)
            {
                // Already closed by the peer or the watchdog.
            }
        }

        /// <summary>Same as <see cref="Close"/>.</summary>
        public void Dispose()
        {
            Close();
        }

        private void OnMessage(object sender, MessageReceivedEventArgs e)
        {
            // Control frames (ping, pong, close) are handled by the client; only Text and Binary messages arrive here.
            ReceiveMessageFrame frame = e.Frame;
            stream.Append(frame.Buffer, 0, frame.MessageLength, frame.MessageType == WebSocketMessageType.Binary);
        }

        private void OnClosed(object sender, EventArgs e)
        {
            stream.End("the WebSocket connection closed");
        }
    }
}
