// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
using System;
using System.IO;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Threading;
using IotHubAmqp.Device.IotHub;

namespace IotHubAmqp.Device.Platform.Desktop
{
    /// <summary>
    /// A connected TCP stream, plain or TLS, made by <see cref="DesktopTransportFactory"/>.
    /// One thread may receive while another sends; concurrent sends are serialized. The device client's driver
    /// has it hold the frames of one pass over the engine's output and write them at once.
    /// </summary>
    public sealed class DesktopTransport : ITransport, ITransportBatch, IDisposable
    {
        /// <summary>
        /// The most bytes held between <see cref="Hold"/> and <see cref="Flush"/> before they are written: a full TLS
        /// record's plaintext (RFC 8446 5.1, RFC 5246 6.2.1).
        /// </summary>
        public const int MaxHeldBytes = 16384;
        private const int FirstHeldBytes = 4096;

        private readonly Socket socket;
        private readonly Stream stream;
        private readonly object sendLock = new object();
        private int closed;

        // Between Hold and Flush: the bytes of several Sends, written as one (one syscall, one TLS record, instead
        // of one of each per frame). Made when a hold first gets a second piece; grows to what the traffic needs,
        // at most MaxHeldBytes.
        private bool holding;
        private bool heldFirst;
        private byte[] held;
        private int heldCount;

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
                if (!holding || (held == null && !heldFirst))
                {
                    // Until a pass has had a second piece, the first goes at once: a client that never sends
                    // more than one piece per pass (an idle one, one message at a time) never needs the buffer.
                    heldFirst = holding;
                    stream.Write(buffer, offset, count);
                    return;
                }

                if (heldCount + count > MaxHeldBytes)
                {
                    WriteHeld();
                    if (count > MaxHeldBytes / 2)
                    {
                        // A large piece (a body written from the caller's array) goes as it is, uncopied.
                        stream.Write(buffer, offset, count);
                        return;
                    }
                }

                if (held == null || heldCount + count > held.Length)
                {
                    Grow(heldCount + count);
                }

                Buffer.BlockCopy(buffer, offset, held, heldCount, count);
                heldCount += count;
            }
        }

        /// <summary>Holds what the next <see cref="Send"/> calls give until <see cref="Flush"/> (or until a record's worth is held).</summary>
        public void Hold()
        {
            lock (sendLock)
            {
                holding = true;
            }
        }

        /// <summary>Writes what is held in one write and stops holding.</summary>
        public void Flush()
        {
            if (IsClosed)
            {
                throw new ObjectDisposedException(nameof(DesktopTransport));
            }

            lock (sendLock)
            {
                holding = false;
                heldFirst = false;
                WriteHeld();
            }
        }

        private void WriteHeld()
        {
            int n = heldCount;
            if (n == 0)
            {
                return;
            }

            heldCount = 0;
            stream.Write(held, 0, n);
        }

        private void Grow(int needed)
        {
            int size = held == null ? FirstHeldBytes : held.Length;
            while (size < needed)
            {
                size *= 2;
            }

            var bigger = new byte[size > MaxHeldBytes ? MaxHeldBytes : size];
            if (heldCount > 0)
            {
                Buffer.BlockCopy(held, 0, bigger, 0, heldCount);
            }

            held = bigger;
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
