// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace IotHubAmqp.Device.InteropTests.TestSupport
{
    /// <summary>
    /// Throw-away certificates for loopback TLS, made once per test run: a test CA with server certificates
    /// it issued (good, expired, for another host name), and an unrelated second CA. Server certificates
    /// carry their private key in a form SslStream on Linux accepts (round-tripped through PKCS#12).
    /// </summary>
    internal static class TestCertificates
    {
        /// <summary>An IoT Hub style host name that the default server certificate also covers.</summary>
        public const string HubHostName = "test-hub.azure-devices.net";

        /// <summary>A DNS name no default certificate covers; <see cref="OtherHostServer"/> is issued for it.</summary>
        public const string OtherHostName = "other-host.example.test";

        private static readonly DateTimeOffset Now = DateTimeOffset.UtcNow;
        private static readonly Lazy<Authority> MainCa = new(() => Authority.Create("CN=IotHubAmqp Test Root CA"));
        private static readonly Lazy<Authority> UnrelatedCa = new(() => Authority.Create("CN=IotHubAmqp Unrelated Root CA"));
        private static readonly ConcurrentDictionary<string, X509Certificate2> Servers = new();
        private static readonly Lazy<X509Certificate2> Expired = new(() =>
            MainCa.Value.Issue(new[] { "localhost" }, Now.AddDays(-30), Now.AddDays(-1)));
        private static readonly Lazy<X509Certificate2> OtherHost = new(() =>
            MainCa.Value.Issue(new[] { OtherHostName }, Now.AddDays(-1), Now.AddDays(30), includeLoopbackIp: false));
        private static readonly Lazy<X509Certificate2> FromUnrelated = new(() =>
            UnrelatedCa.Value.Issue(new[] { "localhost", HubHostName }, Now.AddDays(-1), Now.AddDays(30)));

        /// <summary>The test root CA (public part only), as a client would trust it.</summary>
        public static X509Certificate2 Ca => MainCa.Value.Public;

        /// <summary>The test root CA in PEM.</summary>
        public static string CaPem => MainCa.Value.Public.ExportCertificatePem();

        /// <summary>A second root CA that issued nothing the test servers present by default.</summary>
        public static X509Certificate2 OtherCa => UnrelatedCa.Value.Public;

        /// <summary>Issued by <see cref="Ca"/> for <c>localhost</c>, <see cref="HubHostName"/> and IP 127.0.0.1.</summary>
        public static X509Certificate2 Server => ServerFor("localhost", HubHostName);

        /// <summary>Issued by <see cref="Ca"/> for <c>localhost</c> and 127.0.0.1, but no longer valid.</summary>
        public static X509Certificate2 ExpiredServer => Expired.Value;

        /// <summary>Issued by <see cref="Ca"/> for <see cref="OtherHostName"/> only (no IP address either).</summary>
        public static X509Certificate2 OtherHostServer => OtherHost.Value;

        /// <summary>Issued by <see cref="OtherCa"/> for <c>localhost</c>, <see cref="HubHostName"/> and 127.0.0.1.</summary>
        public static X509Certificate2 UnrelatedCaServer => FromUnrelated.Value;

        /// <summary>
        /// A server certificate issued by <see cref="Ca"/> for the given DNS names (for example
        /// <c>my-hub.azure-devices.net</c>) plus IP 127.0.0.1; cached per set of names.
        /// </summary>
        public static X509Certificate2 ServerFor(params string[] dnsNames)
        {
            if (dnsNames == null || dnsNames.Length == 0)
            {
                throw new ArgumentException("At least one DNS name is required.", nameof(dnsNames));
            }

            var key = string.Join("|", dnsNames.Select(n => n.ToLowerInvariant()).OrderBy(n => n, StringComparer.Ordinal));
            return Servers.GetOrAdd(key, _ => MainCa.Value.Issue(dnsNames, Now.AddDays(-1), Now.AddDays(30)));
        }

        private sealed class Authority
        {
            private readonly X509Certificate2 withKey;

            private Authority(X509Certificate2 withKey)
            {
                this.withKey = withKey;
                Public = X509CertificateLoader.LoadCertificate(withKey.RawData);
            }

            public X509Certificate2 Public { get; }

            public static Authority Create(string subject)
            {
                using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
                var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
                request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, true, 0, true));
                request.CertificateExtensions.Add(new X509KeyUsageExtension(
                    X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
                request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
                // Valid from well before the expired server certificate, which it must be able to sign.
                using var ca = request.CreateSelfSigned(Now.AddYears(-1), Now.AddYears(5));
                return new Authority(X509CertificateLoader.LoadPkcs12(ca.Export(X509ContentType.Pkcs12), null));
            }

            public X509Certificate2 Issue(IEnumerable<string> dnsNames, DateTimeOffset notBefore, DateTimeOffset notAfter, bool includeLoopbackIp = true)
            {
                var names = dnsNames.Distinct(StringComparer.OrdinalIgnoreCase).ToArray();
                using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
                var request = new CertificateRequest($"CN={names[0]}", key, HashAlgorithmName.SHA256);
                var san = new SubjectAlternativeNameBuilder();
                foreach (var name in names)
                {
                    san.AddDnsName(name);
                }

                if (includeLoopbackIp)
                {
                    san.AddIpAddress(IPAddress.Loopback);
                }

                request.CertificateExtensions.Add(san.Build());
                request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
                request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
                request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(
                    new OidCollection { new Oid("1.3.6.1.5.5.7.3.1") }, false)); // id-kp-serverAuth
                request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(withKey, true, false));

                var serial = RandomNumberGenerator.GetBytes(16);
                serial[0] &= 0x7F; // keep the serial number positive (RFC 5280 4.1.2.2)
                using var signed = request.Create(withKey, notBefore, notAfter, serial);
                using var pair = signed.CopyWithPrivateKey(key);
                // SslStream on Linux needs a certificate whose private key came from PKCS#12, not an ephemeral one.
                return X509CertificateLoader.LoadPkcs12(pair.Export(X509ContentType.Pkcs12), null);
            }
        }
    }
}
