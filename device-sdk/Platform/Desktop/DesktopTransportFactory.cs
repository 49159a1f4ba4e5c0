// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
using System;
using System.IO;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using System.Threading;

namespace IotHubAmqp.Device.Platform.Desktop
{
    /// <summary>
    /// Opens TCP (optionally TLS) connections on desktop .NET. TLS is 1.2 or 1.3 only, the server certificate
    /// chain must end at the one trusted root CA given here (the system store is never consulted), and the
    /// certificate must be issued for the host name that was dialled. There is deliberately no way to turn
    /// certificate validation off.
    /// </summary>
    public sealed class DesktopTransportFactory : ITransportFactory
    {
        // TLS 1.0/1.1 are deprecated (RFC 8996) and IoT Hub refuses them; TLS 1.3 where both sides have it.
        internal const SslProtocols AllowedProtocols = SslProtocols.Tls12 | SslProtocols.Tls13;
        private const int MaxPort = 65535;

        private readonly X509Certificate2 trustedRoot;

        /// <summary>Creates a factory whose TLS connections trust <paramref name="trustedRoot"/> and nothing else.</summary>
        /// <param name="trustedRoot">The root CA certificate the server's chain must end at.</param>
        public DesktopTransportFactory(X509Certificate2 trustedRoot)
        {
            if (trustedRoot == null)
            {
                throw new ArgumentNullException(nameof(trustedRoot));
            }

            this.trustedRoot = trustedRoot;
        }

        /// <summary>The only root CA that TLS connections from this factory trust.</summary>
        public X509Certificate2 TrustedRoot => trustedRoot;

        /// <summary>Creates a factory from a PEM file holding the trusted root CA certificate (the first certificate in the file).</summary>
        /// <param name="path">Path of a file containing <c>-----BEGIN CERTIFICATE-----</c>.</param>
        public static DesktopTransportFactory FromPemFile(string path)
        {
            if (path == null)
            {
                throw new ArgumentNullException(nameof(path));
            }

            return FromPem(File.ReadAllText(path));
        }

        /// <summary>Creates a factory from PEM text holding the trusted root CA certificate (the first certificate in the text).</summary>
        /// <param name="pem">Text containing <c>-----BEGIN CERTIFICATE-----</c>.</param>
        public static DesktopTransportFactory FromPem(string pem)
        {
            if (pem == null)
            {
                throw new ArgumentNullException(nameof(pem));
            }

            return new DesktopTransportFactory(X509Certificate2.CreateFromPem(pem));
        }

        /// <summary>
        /// Connects to <paramref name="host"/>:<paramref name="port"/> within <paramref name="timeoutMilliseconds"/>
        /// (TCP connect and TLS handshake together).
        /// </summary>
        /// <exception cref="TimeoutException">The connect or the handshake did not finish in time.</exception>
        /// <exception cref="IOException">The TCP connection could not be made.</exception>
        /// <exception cref="AuthenticationException">
        /// The TLS handshake failed; the message names the cause (certificate name mismatch, untrusted root,
        /// expired certificate, or protocol negotiation).
        /// </exception>
        public ITransport Connect(string host, int port, bool useTls, int timeoutMilliseconds)
        {
            if (string.IsNullOrEmpty(host))
            {
                throw new ArgumentException("A host name is required.", nameof(host));
            }

            if (port <= 0 || port > MaxPort)
            {
                throw new ArgumentOutOfRangeException(nameof(port));
            }

            if (timeoutMilliseconds <= 0)
            {
                throw new ArgumentOutOfRangeException(nameof(timeoutMilliseconds));
            }

            using var deadline = new CancellationTokenSource(timeoutMilliseconds);
            var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
            try
            {
                socket.NoDelay = true; // AMQP frames are small and latency-bound: do not wait for Nagle.
                ConnectSocket(socket, host, port, timeoutMilliseconds, deadline.Token);
                var network = new NetworkStream(socket, ownsSocket: true);
                if (!useTls)
                {
                    return new DesktopTransport(socket, network, SslProtocols.None);
                }

                var ssl = new SslStream(network, leaveInnerStreamOpen: false);
                try
                {
                    Authenticate(ssl, host, port, timeoutMilliseconds, deadline.Token);
                }
                catch
                {
                    ssl.Dispose();
                    throw;
                }

                return new DesktopTransport(socket, ssl, ssl.SslProtocol);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        }

        // Connects with blocking calls only: once a socket has run an async operation, .NET on Unix keeps it
        // non-blocking and every later synchronous Receive goes through the async engine (an extra thread hop and
        // an allocation per read, measured in docs/performance.md). The deadline closes the socket to time out.
        private static void ConnectSocket(Socket socket, string host, int port, int timeoutMilliseconds, CancellationToken deadline)
        {
            using (deadline.Register(() => socket.Close()))
            {
                try
                {
                    socket.Connect(host, port);
                }
                catch (Exception e) when (deadline.IsCancellationRequested && (e is SocketException || e is ObjectDisposedException))
                {
                    throw new TimeoutException($"TCP connect to {host}:{port} timed out after {timeoutMilliseconds} ms.");
                }
                catch (SocketException e)
                {
                    throw new IOException($"TCP connect to {host}:{port} failed: {e.SocketErrorCode}.", e);
                }
            }
        }

        private void Authenticate(SslStream ssl, string host, int port, int timeoutMilliseconds, CancellationToken deadline)
        {
            string rejection = null;
            var options = new SslClientAuthenticationOptions
            {
                TargetHost = host, // SNI, and the name the certificate must carry
                EnabledSslProtocols = AllowedProtocols,
                // A private or hub CA usually publishes no revocation list reachable from a device; the
                // nanoFramework side (mbedTLS) does not check revocation either, so both behave alike.
                CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
                CertificateChainPolicy = CreateChainPolicy(),
                RemoteCertificateValidationCallback = (sender, certificate, chain, errors) =>
                {
                    rejection = DescribeRejection(errors, chain, host);
                    return rejection == null;
                },
            };

            try
            {
                // Synchronous for the reason given at ConnectSocket; the deadline closes the socket to time out.
                using (deadline.Register(() => ssl.Dispose()))
                {
                    try
                    {
                        ssl.AuthenticateAsClient(options);
                    }
                    catch (Exception) when (deadline.IsCancellationRequested)
                    {
                        throw new OperationCanceledException();
                    }
                }
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"TLS handshake with {host}:{port} timed out after {timeoutMilliseconds} ms.");
            }
            catch (Exception e) when (e is AuthenticationException || e is IOException)
            {
                if (rejection != null)
                {
                    throw new AuthenticationException($"TLS handshake with {host}:{port} failed: {rejection}.", e);
                }

                // No certificate was seen: the peers could not agree on a protocol version or cipher suite,
                // or the server closed the connection during the handshake.
                throw new AuthenticationException(
                    $"TLS handshake with {host}:{port} failed before the server certificate was checked " +
                    $"(protocol version or cipher negotiation; this client allows TLS 1.2 and 1.3 only): {InnermostMessage(e)}", e);
            }
        }

        internal X509ChainPolicy CreateChainPolicy()
        {
            var policy = new X509ChainPolicy
            {
                // Trust exactly the caller's root: no system store, no certificate download (AIA).
                TrustMode = X509ChainTrustMode.CustomRootTrust,
                RevocationMode = X509RevocationMode.NoCheck,
                DisableCertificateDownloads = true,
            };
            policy.CustomTrustStore.Add(trustedRoot);
            return policy;
        }

        internal static string DescribeRejection(SslPolicyErrors errors, X509Chain chain, string host)
        {
            if (errors == SslPolicyErrors.None)
            {
                return null;
            }

            if ((errors & SslPolicyErrors.RemoteCertificateNotAvailable) != 0)
            {
                return "the server sent no certificate";
            }

            string reasons = null;
            if ((errors & SslPolicyErrors.RemoteCertificateNameMismatch) != 0)
            {
                reasons = Append(reasons, $"certificate name mismatch: the server certificate was not issued for '{host}'");
            }

            if ((errors & SslPolicyErrors.RemoteCertificateChainErrors) != 0)
            {
                reasons = Append(reasons, DescribeChain(chain));
            }

            return reasons;
        }

        private static string DescribeChain(X509Chain chain)
        {
            var flags = X509ChainStatusFlags.NoError;
            if (chain != null)
            {
                foreach (var status in chain.ChainStatus)
                {
                    flags |= status.Status;
                }
            }

            string reasons = null;
            if ((flags & X509ChainStatusFlags.NotTimeValid) != 0)
            {
                reasons = Append(reasons, "the server certificate (or a certificate in its chain) has expired or is not yet valid");
            }

            if ((flags & (X509ChainStatusFlags.UntrustedRoot | X509ChainStatusFlags.PartialChain)) != 0)
            {
                reasons = Append(reasons, "untrusted root: the server certificate does not chain to the trusted root CA");
            }

            var other = flags & ~(X509ChainStatusFlags.NotTimeValid | X509ChainStatusFlags.UntrustedRoot | X509ChainStatusFlags.PartialChain);
            if (other != X509ChainStatusFlags.NoError || reasons == null)
            {
                reasons = Append(reasons, $"certificate chain validation failed ({other})");
            }

            return reasons;
        }

        private static string Append(string list, string reason) => list == null ? reason : list + "; " + reason;

        internal static string InnermostMessage(Exception e)
        {
            while (e.InnerException != null)
            {
                e = e.InnerException;
            }

            return e.Message;
        }
    }
}
