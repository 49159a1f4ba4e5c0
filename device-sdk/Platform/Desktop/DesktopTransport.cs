// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
using System;
using System.IO;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Threading;

namespace IotHubAmqp.Device.Platform.Desktop
{
    /// <summary>
    /// A connected TCP stream, plain or TLS, made by <see cref="DesktopTransportFactory"/>.
    /// One thread may receive while another sends; concurrent sends are serialized.
    /// </summary>
    public sealed class DesktopTransport : ITransport, IDisposable
    {
        private readonly Socket socket;
        private readonly Stream stream;
        private readonly object sendLock = new object();
        private int closed;

        // The hub's host and port while a device certificate was sent and nothing has been read yet: under TLS 1.3
        // the hub checks the certificate after the client's handshake has completed, so its refusal (an alert, or
        // the stream closed) arrives on the first read.
        private string unconfirmedHost;
        private int unconfirmedPort;

        internal DesktopTransport(Socket socket, Stream stream, SslProtocols protocol, string clientCertificateHost = null, int clientCertificatePort = 0)
        {
            this.socket = socket;
            this.stream = stream;
            Protocol = protocol;
            unconfirmedHost = clientCertificateHost;
            unconfirmedPort = clientCertificatePort;
        }

        /// <summary>The negotiated TLS version, or <see cref="SslProtocols.None"/> for a plain TCP transport.</summary>
        public SslProtocols Protocol { get; }

        /// <summary>True once <see cref="Close"/> has been called.</summary>
        public bool IsClosed => Volatile.Read(ref closed) != 0;

        /// <inheritdoc />
        public void Send(byte[] buffer, int offset, int count)
        {
            CheckRange(buffer, offset, count);
            if (IsClosed)
            {
                throw new ObjectDisposedException(nameof(DesktopTransport));
            }

            // SslStream allows one writer at a time; Stream.Write writes every byte or throws.
            lock (sendLock)
            {
                stream.Write(buffer, offset, count);
            }
        }

        /// <inheritdoc />
        public int Receive(byte[] buffer, int offset, int count)
        {
            CheckRange(buffer, offset, count);
            if (count == 0)
            {
                throw new ArgumentOutOfRangeException(nameof(count), "Receive needs room for at least one byte.");
            }

            if (IsClosed)
            {
                return 0;
            }

            try
            {
                int n = stream.Read(buffer, offset, count);
                if (n == 0 && unconfirmedHost != null && !IsClosed)
                {
                    throw new AuthenticationException(DesktopTransportFactory.ClientCertificateRefused(unconfirmedHost, unconfirmedPort, null));
                }

                unconfirmedHost = null;
                return n;
            }
            catch (Exception e) when (IsClosed && (e is IOException || e is ObjectDisposedException || e is SocketException))
            {
                // Closed under our feet by Close(): report end of stream, as the peer closing would.
                return 0;
            }
            catch (IOException e) when (unconfirmedHost != null)
            {
                throw new AuthenticationException(DesktopTransportFactory.ClientCertificateRefused(unconfirmedHost, unconfirmedPort, e), e);
            }
        }

        /// <inheritdoc />
        public void Close()
        {
            if (Interlocked.Exchange(ref closed, 1) != 0)
            {
                return;
            }

            try
            {
                // Shutdown wakes a Receive blocked in another thread (recv returns 0) before the handle goes away.
                socket.Shutdown(SocketShutdown.Both);
            }
            catch (SocketException)
            {
                // Already reset by the peer: nothing left to shut down.
            }
            catch (ObjectDisposedException)
            {
            }

            stream.Dispose();
            socket.Dispose();
        }

        /// <summary>Same as <see cref="Close"/>.</summary>
        public void Dispose() => Close();

        private static void CheckRange(byte[] buffer, int offset, int count)
        {
            if (buffer == null)
            {
                throw new ArgumentNullException(nameof(buffer));
            }

            if (offset < 0 || count < 0 || count > buffer.Length - offset)
            {
                throw new ArgumentOutOfRangeException(nameof(count));
            }
        }
    }
}
