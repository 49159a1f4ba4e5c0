using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace IotHubAmqp.LocalHub;

/// <summary>A throw-away CA and a server certificate signed by it, made at hub start.</summary>
internal sealed class HubCertificates : IDisposable
{
    public X509Certificate2 Ca { get; }
    public X509Certificate2 Server { get; }
    public string CaPemPath { get; }

    private HubCertificates(X509Certificate2 ca, X509Certificate2 server, string caPemPath)
    {
        Ca = ca;
        Server = server;
        CaPemPath = caPemPath;
    }

    public static HubCertificates Create(IEnumerable<string> dnsNames, string directory)
    {
        var now = DateTimeOffset.UtcNow;
        using var caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var caRequest = new CertificateRequest("CN=IotHubAmqp LocalHub CA", caKey, HashAlgorithmName.SHA256);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, true, 0, true));
        caRequest.CertificateExtensions.Add(new X509KeyUsageExtension(
            X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        caRequest.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(caRequest.PublicKey, false));
        var ca = caRequest.CreateSelfSigned(now.AddMinutes(-5), now.AddYears(2));

        using var serverKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var names = dnsNames.Distinct(StringComparer.OrdinalIgnoreCase).ToList();
        var serverRequest = new CertificateRequest($"CN={names[0]}", serverKey, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        // A name that parses as an address (a LAN IP for a real device) goes in as an IP SAN.
        foreach (var name in names)
        {
            if (IPAddress.TryParse(name, out var ip)) san.AddIpAddress(ip);
            else san.AddDnsName(name);
        }
        if (!names.Contains("127.0.0.1")) san.AddIpAddress(IPAddress.Loopback);
        serverRequest.CertificateExtensions.Add(san.Build());
        serverRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        serverRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        serverRequest.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(
            new OidCollection { new Oid("1.3.6.1.5.5.7.3.1") }, false)); // server authentication
        serverRequest.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(ca, true, false));
        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] &= 0x7F;
        using var signed = serverRequest.Create(ca, now.AddMinutes(-5), now.AddYears(1), serial);
        // Round-trip through PKCS#12 so SslStream on Linux gets a certificate with a usable private key.
        using var withKey = signed.CopyWithPrivateKey(serverKey);
        var server = X509CertificateLoader.LoadPkcs12(withKey.Export(X509ContentType.Pkcs12), null);

        Directory.CreateDirectory(directory);
        var path = Path.Combine(directory, "localhub-ca.pem");
        File.WriteAllText(path, ca.ExportCertificatePem() + "\n");
        return new HubCertificates(ca, server, path);
    }

    public void Dispose()
    {
        Ca.Dispose();
        Server.Dispose();
    }
}
