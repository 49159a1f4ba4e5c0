// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
using System;
using System.IO;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Threading;

namespace IotHubAmqp.Device.Platform.Nano
{
    /// <summary>
    /// Opens TCP (optionally TLS 1.2) connections on nanoFramework. The server certificate is verified by
    /// mbedTLS against the one root CA given here (<see cref="SslVerification.CertificateRequired"/>), and the
    /// host name is sent as SNI and checked against the certificate. There is no way to turn verification off.
    /// With a client certificate (an X.509 device, <c>x509=true</c> connection string) the handshake is mutual.
    /// </summary>
    /// <remarks>
    /// Certificate validity is checked against the device clock: set it (SNTP) before connecting, or every
    /// handshake fails as "not yet valid" or "expired".
    /// </remarks>
    public sealed class NanoTransportFactory : ITransportFactory
    {
        private const int MaxPort = 65535;

        private readonly X509Certificate trustedRoot;
        private readonly X509Certificate2 clientCertificate;

        /// <summary>Creates a factory whose TLS connections trust <paramref name="trustedRoot"/> only.</summary>
        /// <param name="trustedRoot">The root CA certificate the server's chain must end at.</param>
        public NanoTransportFactory(X509Certificate trustedRoot)
        {
            if (trustedRoot == null)
            {
                throw new ArgumentNullException("trustedRoot");
            }

            this.trustedRoot = trustedRoot;
        }

        /// <summary>
        /// Creates a factory for an X.509 device: trusts <paramref name="trustedRoot"/> only and presents
        /// <paramref name="clientCertificate"/>, which must carry its private key
        /// (<c>new X509Certificate2(certificatePem, keyPem, null)</c>, see <see cref="FromPem(string, string, string)"/>).
        /// </summary>
        public NanoTransportFactory(X509Certificate trustedRoot, X509Certificate2 clientCertificate)
            : this(trustedRoot)
        {
            if (clientCertificate == null)
            {
                throw new ArgumentNullException("clientCertificate");
            }

            if (!clientCertificate.HasPrivateKey)
            {
                throw new ArgumentException("The device certificate has no private key: create it with its key PEM.", "clientCertificate");
            }

            this.clientCertificate = clientCertificate;
        }

        /// <summary>
        /// Creates an X.509 device's factory from PEM text: the trusted root CA, the device certificate and its
        /// unencrypted private key. mbedTLS parses both here, so a malformed PEM fails now, not at the first connect.
        /// </summary>
        public static NanoTransportFactory FromPem(string trustedRootPem, string certificatePem, string keyPem)
        {
            if (certificatePem == null)
            {
                throw new ArgumentNullException("certificatePem");
            }

            if (keyPem == null)
            {
                throw new ArgumentNullException("keyPem");
            }

            X509Certificate2 device;
            try
            {
                device = new X509Certificate2(certificatePem, keyPem, null);
            }
            catch (Exception e)
            {
                throw new ArgumentException("The device certificate or key is not valid unencrypted PEM: " + Describe(e));
            }

            return new NanoTransportFactory(FromPem(trustedRootPem).trustedRoot, device);
        }

        /// <summary>Creates a factory from the root CA certificate in PEM (<c>-----BEGIN CERTIFICATE-----</c>).</summary>
        /// <param name="pem">The PEM text, for example from a resource or a constant.</param>
        public static NanoTransportFactory FromPem(string pem)
        {
            if (pem == null)
            {
                throw new ArgumentNullException("pem");
            }

            return new NanoTransportFactory(new X509Certificate(pem));
        }

        /// <summary>
        /// Resolves <paramref name="host"/>, connects, and when <paramref name="useTls"/> is true completes a
        /// TLS 1.2 handshake, all within <paramref name="timeoutMilliseconds"/>; the transport's first receive
        /// gets the same time again (see <see cref="NanoTransport"/>).
        /// </summary>
        /// <remarks>
        /// On the device <c>Socket.ReceiveTimeout</c> does not reach the native TLS code and
        /// <c>SslStream.AuthenticateAsClient</c> runs the mbedTLS handshake with no read timeout, so a server that
        /// accepts TCP and then stalls would block here for ever. A watchdog timer closes the socket when the
        /// deadline passes, which makes the blocked connect or handshake fail; that failure is reported as a timeout.
        /// </remarks>
        /// <exception cref="IOException">Resolution, connect or handshake failed; the message says which.</exception>
        public ITransport Connect(string host, int port, bool useTls, int timeoutMilliseconds)
        {
            if (host == null || host.Length == 0)
            {
                throw new ArgumentException("A host name is required.", "host");
            }

            if (port <= 0 || port > MaxPort)
            {
                throw new ArgumentOutOfRangeException("port");
            }

            if (timeoutMilliseconds <= 0)
            {
                throw new ArgumentOutOfRangeException("timeoutMilliseconds");
            }

            IPAddress address = Resolve(host);
            var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            SslStream ssl = null;
            var watchdog = new ConnectWatchdog(socket, timeoutMilliseconds);
            try
            {
                // AMQP frames are small and latency-bound: do not wait for Nagle.
                socket.SetSocketOption(SocketOptionLevel.Tcp, SocketOptionName.NoDelay, true);
                socket.SendTimeout = timeoutMilliseconds;
                socket.ReceiveTimeout = timeoutMilliseconds; // bounds the handshake's reads

                try
                {
                    socket.Connect(new IPEndPoint(address, port));
                }
                catch (Exception e)
                {
                    if (watchdog.Fired) throw TimedOut("TCP connect to", host, port, timeoutMilliseconds);
                    throw new IOException("TCP connect to " + host + ":" + port + " failed: " + Describe(e), e);
                }

                if (useTls)
                {
                    ssl = new SslStream(socket);
                    // Never NoVerification: the certificate must chain to trustedRoot and carry the host name.
                    ssl.SslVerification = SslVerification.CertificateRequired;
                    try
                    {
                        // targetHost is both the SNI name and the name mbedTLS checks in the certificate.
                        // The client certificate (null for SAS devices) goes out when the hub asks for one (TLS 1.2).
                        ssl.AuthenticateAsClient(host, clientCertificate, trustedRoot, SslProtocols.Tls12);
                    }
                    catch (Exception e)
                    {
                        if (watchdog.Fired) throw TimedOut("TLS handshake with", host, port, timeoutMilliseconds);
                        throw new IOException(
                            "TLS handshake with " + host + ":" + port + " failed (untrusted root, name mismatch, " +
                            "expired certificate or wrong device clock, or no common protocol" +
                            (clientCertificate == null ? "" : "; or the hub refused the device certificate: expired, unknown thumbprint or CA") +
                            "): " + Describe(e), e);
                    }
                }

                if (!watchdog.Disarm()) throw TimedOut("Connecting to", host, port, timeoutMilliseconds);

                // Later receives block until data arrives or the transport is closed (an idle AMQP connection is
                // kept alive by the engine's heartbeats); the transport bounds the first one, so a peer that
                // completes TLS and then says nothing cannot hang Open (issue 10).
                socket.ReceiveTimeout = Timeout.Infinite;
                return new NanoTransport(socket, ssl, timeoutMilliseconds);
            }
            catch
            {
                watchdog.Disarm();
                if (ssl != null)
                {
                    ssl.Dispose(); // also closes the socket
                }
                else
                {
                    socket.Close();
                }

                throw;
            }
        }

        private static IOException TimedOut(string what, string host, int port, int timeoutMilliseconds)
        {
            return new IOException(what + " " + host + ":" + port + " timed out after " + timeoutMilliseconds + " ms.");
        }

        /// <summary>Closes the socket if <see cref="Disarm"/> is not called before the deadline.</summary>
        private sealed class ConnectWatchdog
        {
            private readonly Socket socket;
            private readonly Timer timer;
            private int state; // 0 armed, 1 disarmed, 2 fired

            public ConnectWatchdog(Socket socket, int timeoutMilliseconds)
            {
                this.socket = socket;
                timer = new Timer(Fire, null, timeoutMilliseconds, Timeout.Infinite);
            }

            public bool Fired => Interlocked.CompareExchange(ref state, 0, 0) == 2;

            /// <summary>Stops the timer; false when it had already fired (the socket is closed).</summary>
            public bool Disarm()
            {
                timer.Dispose();
                return Interlocked.CompareExchange(ref state, 1, 0) != 2;
            }

            private void Fire(object unused)
            {
                if (Interlocked.CompareExchange(ref state, 2, 0) == 0)
                {
                    socket.Close();
                }
            }
        }

        private static IPAddress Resolve(string host)
        {
            IPHostEntry entry;
            try
            {
                entry = Dns.GetHostEntry(host);
            }
            catch (Exception e)
            {
                throw new IOException("DNS lookup of " + host + " failed: " + Describe(e), e);
            }

            // The socket is made for IPv4 (AddressFamily.InterNetwork) and IoT Hub's host names resolve to IPv4, so an
            // IPv4 address is taken. nanoFramework's System.Net (1.11.54) handles IPv6 too; connecting to IPv6-only
            // hosts would need the socket made for the address's family, which this factory does not do yet.
            IPAddress[] addresses = entry.AddressList;
            for (int i = 0; i < addresses.Length; i++)
            {
                if (addresses[i] != null && addresses[i].AddressFamily == AddressFamily.InterNetwork)
                {
                    return addresses[i];
                }
            }

            throw new IOException("DNS lookup of " + host + " returned no IPv4 address.");
        }

        private static string Describe(Exception e)
        {
            // Native exceptions often carry no message on the device: the type name is the useful part.
            string message = e.Message;
            string type = e.GetType().FullName;
            return message == null || message.Length == 0 ? type : type + ": " + message;
        }
    }
}
