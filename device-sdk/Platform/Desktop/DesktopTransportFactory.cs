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
    /// certificate validation off. With a client certificate (X.509 device identity) the handshake is mutual:
    /// the device presents its certificate, chain and proof of its key.
    /// </summary>
    public sealed class DesktopTransportFactory : ITransportFactory
    {
        // TLS 1.0/1.1 are deprecated (RFC 8996) and IoT Hub refuses them; TLS 1.3 where both sides have it.
        internal const SslProtocols AllowedProtocols = SslProtocols.Tls12 | SslProtocols.Tls13;
        private const int MaxPort = 65535;

        private readonly X509Certificate2 trustedRoot;
        private readonly SslStreamCertificateContext clientContext;

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

        /// <summary>
        /// Creates a factory for an X.509 device: TLS trusts <paramref name="trustedRoot"/> only and presents
        /// <paramref name="clientCertificate"/> (with its private key) and <paramref name="intermediates"/> to the hub.
        /// Use it with an <c>x509=true</c> connection string.
        /// </summary>
        public DesktopTransportFactory(X509Certificate2 trustedRoot, X509Certificate2 clientCertificate, X509Certificate2Collection intermediates = null)
            : this(trustedRoot)
        {
            if (clientCertificate == null)
            {
                throw new ArgumentNullException(nameof(clientCertificate));
            }

            if (!clientCertificate.HasPrivateKey)
            {
                throw new ArgumentException("The device certificate has no private key: load it with its key (see FromPemFiles).", nameof(clientCertificate));
            }

            ClientCertificate = clientCertificate;
            clientContext = SslStreamCertificateContext.Create(clientCertificate, intermediates ?? new X509Certificate2Collection(), offline: true);
        }

        /// <summary>The device certificate presented in the handshake, or null (SAS devices).</summary>
        public X509Certificate2 ClientCertificate { get; }

        /// <summary>
        /// Creates an X.509 device's factory from PEM files: the trusted root CA, the device certificate (leaf first,
        /// then any intermediates) and its unencrypted private key (PKCS#8, SEC1 or PKCS#1). Errors name the file.
        /// </summary>
        public static DesktopTransportFactory FromPemFiles(string trustedRootPath, string certificatePath, string keyPath)
        {
            X509Certificate2 root = FromPemFile(trustedRootPath).TrustedRoot;
            X509Certificate2 leaf = ClientCertificatePem.LoadFiles(certificatePath, keyPath, out X509Certificate2Collection intermediates);
            return new DesktopTransportFactory(root, leaf, intermediates);
        }

        /// <summary>
        /// Loads a device certificate (leaf first, then any intermediates) and its unencrypted private key from PEM
        /// files, for <see cref="DesktopTransportFactory(X509Certificate2, X509Certificate2, X509Certificate2Collection)"/>;
        /// throws <see cref="ArgumentException"/> naming the file that is wrong (never showing key material).
        /// </summary>
        public static X509Certificate2 LoadClientCertificate(string certificatePath, string keyPath, out X509Certificate2Collection intermediates) =>
            ClientCertificatePem.LoadFiles(certificatePath, keyPath, out intermediates);

        /// <summary>As <see cref="FromPemFiles"/>, from PEM text.</summary>
        public static DesktopTransportFactory FromPem(string trustedRootPem, string certificatePem, string keyPem)
        {
            X509Certificate2 root = FromPem(trustedRootPem).TrustedRoot;
            X509Certificate2 leaf = ClientCertificatePem.Load(certificatePem, keyPem, "(PEM text)", "(PEM text)", out X509Certificate2Collection intermediates);
            return new DesktopTransportFactory(root, leaf, intermediates);
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

                // Only TLS 1.3 lets the hub refuse our certificate after the client's handshake has completed.
                bool refusalMayFollow = clientContext != null && ssl.SslProtocol == SslProtocols.Tls13;
                return new DesktopTransport(socket, ssl, ssl.SslProtocol, refusalMayFollow ? host : null, port);
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
            bool serverChecked = false;
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
                    serverChecked = true;
                    rejection = DescribeRejection(errors, chain, host);
                    return rejection == null;
                },
                ClientCertificateContext = clientContext,
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

                if (serverChecked && clientContext != null)
                {
                    // The server's certificate was fine; what failed after it is the hub checking ours (TLS 1.2).
                    throw new AuthenticationException(ClientCertificateRefused(host, port, e), e);
                }

                // No certificate was seen: the peers could not agree on a protocol version or cipher suite,
                // or the server closed the connection during the handshake.
                throw new AuthenticationException(
                    $"TLS handshake with {host}:{port} failed before the server certificate was checked " +
                    $"(protocol version or cipher negotiation; this client allows TLS 1.2 and 1.3 only): {InnermostMessage(e)}", e);
            }
        }

        /// <summary>What a device reports when the hub ends the handshake over its certificate.</summary>
        internal static string ClientCertificateRefused(string host, int port, Exception e) => e == null
            ? $"The hub at {host}:{port} closed the connection right after the TLS handshake, before any AMQP byte: most likely it " +
              "refused the device certificate (expired or not yet valid, unknown thumbprint, or not signed by a CA the hub knows; the hub's log names which)"
            : $"TLS with {host}:{port} failed: the hub refused the device certificate (expired or not yet valid, " +
              $"unknown thumbprint, or not signed by a CA the hub knows; the hub's log names which): {InnermostMessage(e)}";

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
