// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using IotHubAmqp.Device.InteropTests.TestSupport;
using IotHubAmqp.Device.Platform;
using IotHubAmqp.Device.Provisioning;
using IotHubAmqp.LocalHub;

namespace IotHubAmqp.Device.InteropTests.Provisioning
{
    /// <summary>
    /// The X.509 attestation path: no SASL, the credential is the TLS client certificate. The SDK's own transport
    /// factories do not present client certificates yet, so this test brings a minimal one (SslStream with a client
    /// certificate, server validated against the local hub's CA) to show the provisioning side needs nothing else.
    /// </summary>
    public class ProvisioningX509Tests
    {
        private sealed class ClientCertificateFactory : ITransportFactory
        {
            private readonly X509Certificate2 ca;
            private readonly X509Certificate2 client;

            public ClientCertificateFactory(X509Certificate2 ca, X509Certificate2 client)
            {
                this.ca = ca;
                this.client = client;
            }

            public ITransport Connect(string host, int port, bool useTls, int timeoutMilliseconds)
            {
                var tcp = new TcpClient();
                if (!tcp.ConnectAsync(host, port).Wait(timeoutMilliseconds)) throw new TimeoutException("connect");
                var ssl = new SslStream(tcp.GetStream(), false, (_, cert, _, errors) =>
                {
                    if (cert is null || (errors & ~SslPolicyErrors.RemoteCertificateChainErrors) != SslPolicyErrors.None) return false;
                    using var chain = new X509Chain();
                    chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
                    chain.ChainPolicy.CustomTrustStore.Add(ca);
                    chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
                    return chain.Build(new X509Certificate2(cert));
                });
                ssl.AuthenticateAsClient(new SslClientAuthenticationOptions
                {
                    TargetHost = host,
                    ClientCertificates = new X509CertificateCollection { client },
                    EnabledSslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
                });
                return new StreamTransport(tcp, ssl);
            }
        }

        private sealed class StreamTransport : ITransport
        {
            private readonly TcpClient tcp;
            private readonly SslStream ssl;

            public StreamTransport(TcpClient tcp, SslStream ssl)
            {
                this.tcp = tcp;
                this.ssl = ssl;
            }

            public void Send(byte[] buffer, int offset, int count) => ssl.Write(buffer, offset, count);

            public int Receive(byte[] buffer, int offset, int count)
            {
                try
                {
                    return ssl.Read(buffer, offset, count);
                }
                catch (IOException)
                {
                    return 0;
                }
                catch (ObjectDisposedException)
                {
                    return 0;
                }
            }

            public void Close()
            {
                ssl.Dispose();
                tcp.Dispose();
            }
        }

        private static X509Certificate2 SelfSigned(string cn)
        {
            using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            var request = new CertificateRequest($"CN={cn}", key, HashAlgorithmName.SHA256);
            request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(new OidCollection { new Oid("1.3.6.1.5.5.7.3.2") }, false));
            using X509Certificate2 cert = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
            // Through PKCS#12 so SslStream on Linux gets a usable private key.
            return X509CertificateLoader.LoadPkcs12(cert.Export(X509ContentType.Pkcs12), null);
        }

        [Fact]
        public void X509_Individual_RegistersWithTheClientCertificateAndNoSasl()
        {
            X509Certificate2 device = SelfSigned("sdk-x509-1");
            using var f = new HubFixture(o =>
            {
                o.Dps = new DpsOptions { IdScope = "0ne000X5092", RetryAfterSeconds = 0 };
                o.Dps.Enrollments.AddX509(device);
            });
            var factory = new ClientCertificateFactory(f.Hub.CaCertificate, device);
            var dps = new ProvisioningDeviceClient(f.Hub.Dps.Endpoint, f.Hub.Dps.IdScope, ProvisioningAttestation.X509("sdk-x509-1"), factory,
                DeviceConnector.Platform, new ProvisioningOptions { TimeoutMs = 10000 });
            DeviceRegistrationResult r = dps.Register();
            Assert.Equal(f.Hub.HostName, r.AssignedHub);
            Assert.Equal("sdk-x509-1", r.DeviceId);
            Assert.Contains(f.Hub.Dps.Registrations, x => x.RegistrationId == "sdk-x509-1" && x.Enrollment == "x509");
            Assert.Throws<InvalidOperationException>(() => dps.BuildConnectionString(r));
        }

        [Fact]
        public void X509_UnenrolledCertificate_IsRefusedAtOnce()
        {
            X509Certificate2 enrolled = SelfSigned("sdk-x509-2");
            X509Certificate2 stranger = SelfSigned("sdk-x509-2");   // same CN, another key: the thumbprint differs
            using var f = new HubFixture(o =>
            {
                o.Dps = new DpsOptions { IdScope = "0ne000X5093", RetryAfterSeconds = 0 };
                o.Dps.Enrollments.AddX509(enrolled);
            });
            var dps = new ProvisioningDeviceClient(f.Hub.Dps.Endpoint, f.Hub.Dps.IdScope, ProvisioningAttestation.X509("sdk-x509-2"),
                new ClientCertificateFactory(f.Hub.CaCertificate, stranger), DeviceConnector.Platform, new ProvisioningOptions { TimeoutMs = 10000 });
            var sw = System.Diagnostics.Stopwatch.StartNew();
            var e = Assert.Throws<ProvisioningException>(() => dps.Register());
            Assert.True(sw.ElapsedMilliseconds < 5000, "refused, not timed out: " + e.Message);
            Assert.Equal(ProvisioningError.Unauthorized, e.Reason);
            Assert.Contains("client certificate", e.Message);
        }
    }
}
