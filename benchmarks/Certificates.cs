// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace IotHubAmqp.Benchmarks
{
    /// <summary>A throw-away CA and a server certificate for localhost and 127.0.0.1 (the peer's TLS listener).</summary>
    internal sealed class Certificates
    {
        public X509Certificate2 Server { get; private set; }

        public string CaPemPath { get; private set; }

        public static Certificates Create()
        {
            var now = DateTimeOffset.UtcNow;
            using var caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            var caRequest = new CertificateRequest("CN=IotHubAmqp Benchmark CA", caKey, HashAlgorithmName.SHA256);
            caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
            caRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign, true));
            caRequest.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(caRequest.PublicKey, false));
            using var ca = caRequest.CreateSelfSigned(now.AddDays(-1), now.AddDays(30));

            using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            var request = new CertificateRequest("CN=localhost", key, HashAlgorithmName.SHA256);
            var san = new SubjectAlternativeNameBuilder();
            san.AddDnsName("localhost");
            san.AddIpAddress(IPAddress.Loopback);
            request.CertificateExtensions.Add(san.Build());
            request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
            request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
            request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(new OidCollection { new Oid("1.3.6.1.5.5.7.3.1") }, false));
            request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(ca, true, false));
            byte[] serial = RandomNumberGenerator.GetBytes(16);
            serial[0] &= 0x7F;
            using var signed = request.Create(ca, now.AddDays(-1), now.AddDays(29), serial);
            using var pair = signed.CopyWithPrivateKey(key);
            string path = Path.Combine(Path.GetTempPath(), "iothubamqp-bench-ca-" + Environment.ProcessId + ".pem");
            File.WriteAllText(path, ca.ExportCertificatePem());
            return new Certificates
            {
                // SslStream on Linux wants a key that came from PKCS#12.
                Server = X509CertificateLoader.LoadPkcs12(pair.Export(X509ContentType.Pkcs12), null),
                CaPemPath = path,
            };
        }
    }
}
