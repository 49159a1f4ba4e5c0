// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
using System;
using System.Net.Security;
using System.Net.Sockets;
using System.Threading;

namespace IotHubAmqp.Device.Platform.Nano
{
    /// <summary>
    /// A connected TCP stream, plain or TLS, made by <see cref="NanoTransportFactory"/>.
    /// One thread may receive while another sends; concurrent sends are serialized.
    /// </summary>
    /// <remarks>
    /// The first receive is bounded: if no byte arrives within the time given at construction, a timer closes the
    /// transport and that receive returns 0 (end of stream), so a peer that completes TLS and then stays silent
    /// fails Open instead of hanging it. Later receives block until data arrives or the transport is closed.
    /// </remarks>
    public sealed class NanoTransport : ITransport, IDisposable
    {
        private readonly Socket socket;
        private readonly SslStream ssl; // null for plain TCP
        private readonly object sendLock = new object();
        private int closed;
        private readonly object watchdogLock = new object();
        private Timer firstReceiveWatchdog;

        internal NanoTransport(Socket socket, SslStream ssl, int firstReceiveTimeoutMilliseconds)
        {
            this.socket = socket;
            this.ssl = ssl;
            firstReceiveWatchdog = new Timer(CloseSilentPeer, null, firstReceiveTimeoutMilliseconds, Timeout.Infinite);
        }

        /// <summary>True once <see cref="Close"/> has been called.</summary>
        public bool IsClosed => Interlocked.CompareExchange(ref closed, 0, 0) != 0;

        /// <inheritdoc />
        public void Send(byte[] buffer, int offset, int count)
        {
            CheckRange(buffer, offset, count);
            if (IsClosed)
            {
                throw new ObjectDisposedException();
            }

            lock (sendLock)
            {
                if (ssl != null)
                {
                    // SslStream.Write throws IOException when the record could not be written.
                    ssl.Write(buffer, offset, count);
                    return;
                }

                int sent = 0;
                while (sent < count)
                {
                    sent += socket.Send(buffer, offset + sent, count - sent, SocketFlags.None);
                }
            }
        }

        /// <inheritdoc />
        public int Receive(byte[] buffer, int offset, int count)
        {
            CheckRange(buffer, offset, count);
            if (count == 0)
            {
                throw new ArgumentOutOfRangeException("count");
            }

            if (IsClosed)
            {
                return 0;
            }

            try
            {
                int n = ssl != null
                    ? ssl.Read(buffer, offset, count)
                    : socket.Receive(buffer, offset, count, SocketFlags.None);
                if (n > 0)
                {
                    StopFirstReceiveWatchdog();
                }

                return n;
            }
            catch (Exception)
            {
                // Closed under our feet by Close(): report end of stream, as the peer closing would.
                if (IsClosed)
                {
                    return 0;
                }

                throw;
            }
        }

        /// <inheritdoc />
        public void Close()
        {
            if (Interlocked.Exchange(ref closed, 1) != 0)
            {
                return;
            }

            StopFirstReceiveWatchdog();

            if (ssl != null)
            {
                ssl.Dispose(); // SslStream owns the socket: this closes both
            }
            else
            {
                socket.Close();
            }
        }

        /// <summary>Same as <see cref="Close"/>.</summary>
        public void Dispose()
        {
            Close();
        }

        private void StopFirstReceiveWatchdog()
        {
            Timer t;
            lock (watchdogLock)
            {
                t = firstReceiveWatchdog;
                firstReceiveWatchdog = null;
            }

            if (t != null)
            {
                t.Dispose();
            }
        }

        private void CloseSilentPeer(object unused)
        {
            Close();
        }

        private static void CheckRange(byte[] buffer, int offset, int count)
        {
            if (buffer == null)
            {
                throw new ArgumentNullException("buffer");
            }

            if (offset < 0 || count < 0 || count > buffer.Length - offset)
            {
                throw new ArgumentOutOfRangeException("count");
            }
        }
    }
}
