using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace IotHubAmqp.LocalHub.Tests;

/// <summary>Fidelity: Azure's Node provisioning client with X.509 attestation (TLS client certificate, no SASL) against the local DPS.</summary>
public partial class NodeClientTests
{
    private static (X509Certificate2 Cert, string CertFile, string KeyFile) DeviceCertificate(string folder, string cn, X509Certificate2? issuer)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={cn}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(issuer is null && cn.StartsWith("ca-", StringComparison.Ordinal), false, 0, true));
        var now = DateTimeOffset.UtcNow;
        X509Certificate2 cert = issuer is null
            ? request.CreateSelfSigned(now.AddMinutes(-5), now.AddDays(1))
            : request.Create(issuer, now.AddMinutes(-5), now.AddDays(1), RandomNumberGenerator.GetBytes(8)).CopyWithPrivateKey(key);
        var certFile = Path.Combine(folder, cn + ".pem");
        var keyFile = Path.Combine(folder, cn + ".key");
        File.WriteAllText(certFile, cert.ExportCertificatePem());
        File.WriteAllText(keyFile, key.ExportPkcs8PrivateKeyPem());
        return (cert, certFile, keyFile);
    }

    private async Task<(int Exit, string Out, string Err)> RunX509(LocalHub hub, string registrationId, string certFile, string keyFile, bool expectFailure = false)
    {
        var env = new Dictionary<string, string>
        {
            ["PROVISIONING_HOST"] = hub.Dps!.Endpoint,
            ["ID_SCOPE"] = hub.Dps.IdScope,
            ["REGISTRATION_ID"] = registrationId,
            ["CERT_FILE"] = certFile,
            ["KEY_FILE"] = keyFile,
        };
        if (expectFailure) env["EXPECT_FAILURE"] = "1";
        return await RunAsync(hub, "dps-register-x509.js", env);
    }

    [Fact]
    public async Task Node_provisioning_x509_individual_and_group_enrollments_register()
    {
        RequireNodeModules();
        var folder = Directory.CreateTempSubdirectory("dps-x509-").FullName;
        try
        {
            var self = DeviceCertificate(folder, "node-x509-ind", null);
            var ca = DeviceCertificate(folder, "ca-fleet", null);
            var member = DeviceCertificate(folder, "node-x509-grp", ca.Cert);
            var stranger = DeviceCertificate(folder, "node-x509-stranger", null);
            using var hub = Hubs.Start(o =>
            {
                o.Dps = new DpsOptions { IdScope = "0ne000X5091", RetryAfterSeconds = 0 };
                o.Dps.Enrollments.AddX509(self.Cert);
                o.Dps.Enrollments.AddX509Group("fleet", ca.Cert);
            });
            // Symmetric-key devices still register on the same endpoint (the client certificate is asked for, not required).
            var key = hub.Dps!.Enrollments.AddIndividual("node-sym-beside-x509");
            var symEnv = DpsEnv(hub, "node-sym-beside-x509");
            symEnv["SYMMETRIC_KEY"] = key;

            var ind = await RunX509(hub, "node-x509-ind", self.CertFile, self.KeyFile);
            Assert.True(ind.Exit == 0, ind.Out + ind.Err);
            Assert.Contains($"ASSIGNED {hub.HostName} node-x509-ind", ind.Out);
            var grp = await RunX509(hub, "node-x509-grp", member.CertFile, member.KeyFile);
            Assert.True(grp.Exit == 0, grp.Out + grp.Err);
            Assert.Contains($"ASSIGNED {hub.HostName} node-x509-grp", grp.Out);
            var refused = await RunX509(hub, "node-x509-stranger", stranger.CertFile, stranger.KeyFile, expectFailure: true);
            Assert.Contains("REGISTER_FAILED", refused.Out);
            var sym = await RunAsync(hub, "dps-register.js", symEnv);
            Assert.True(sym.Exit == 0, sym.Out + sym.Err);

            Assert.Contains(hub.Dps.Registrations, r => r.RegistrationId == "node-x509-ind" && r.Enrollment == "x509" && r.Status == "assigned");
            Assert.Contains(hub.Dps.Registrations, r => r.RegistrationId == "node-x509-grp" && r.Enrollment == "x509-group:fleet");
            Assert.DoesNotContain(hub.Dps.Registrations, r => r.RegistrationId == "node-x509-stranger");
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
