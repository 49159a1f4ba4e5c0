using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace IotHubAmqp.LocalHub;

/// <summary>
/// A client certificate presented in a TLS handshake, as the checks below saw it: the leaf's common name and
/// thumbprints, and the registered CA its chain ends at (null when it chains to none).
/// </summary>
internal sealed record PresentedCertificate(string? CommonName, string Sha1Thumbprint, string Sha256Thumbprint,
    DateTimeOffset NotAfter, X509Certificate2? IssuingCa, string? ChainError)
{
    /// <summary>True when <paramref name="thumbprint"/> (SHA-1 or SHA-256 hex, any case, ':' or spaces allowed) is this certificate's.</summary>
    public bool HasThumbprint(string? thumbprint)
    {
        if (thumbprint is null) return false;
        var t = ClientCertificates.TryNormalizeThumbprint(thumbprint, out var n, out _) ? n : null;
        return t is not null && (t == Sha1Thumbprint || t == Sha256Thumbprint);
    }
}

/// <summary>
/// Client (device) certificate checks shared by the hub's TLS listener and anything else that authenticates by
/// certificate (DPS X.509 attestation): is the certificate usable now, what are its thumbprints and CN, and does
/// it chain to one of the given CAs. Which identity that means is the caller's business (the registry, DPS
/// enrollments). Rules of IoT Hub (iothub-amqp-wire-2.md 4): thumbprint (SHA-1 or SHA-256 of the leaf) or CA-signed with
/// CN = device id; no revocation checking.
/// </summary>
internal static class ClientCertificates
{
    /// <summary>
    /// Checks a presented leaf at <paramref name="now"/>: present, inside its validity period, and (when
    /// <paramref name="trustedCas"/> is not empty) whether it chains to one of them, using the intermediates the
    /// client sent (<paramref name="presentedChain"/>). A chain that does not reach a CA is not an error here (a
    /// thumbprint may still match): it is reported in <see cref="PresentedCertificate.ChainError"/>.
    /// </summary>
    public static bool TryInspect(X509Certificate? presented, X509Chain? presentedChain, IReadOnlyCollection<X509Certificate2> trustedCas,
        DateTimeOffset now, out PresentedCertificate? certificate, out string error)
    {
        certificate = null;
        if (presented is null) { error = "no client certificate was presented"; return false; }
        X509Certificate2 leaf;
        try { leaf = presented as X509Certificate2 ?? X509CertificateLoader.LoadCertificate(presented.GetRawCertData()); }
        catch (CryptographicException e) { error = $"the client certificate does not parse: {e.Message}"; return false; }
        var notBefore = new DateTimeOffset(leaf.NotBefore.ToUniversalTime());
        var notAfter = new DateTimeOffset(leaf.NotAfter.ToUniversalTime());
        if (now < notBefore) { error = $"the client certificate is not valid before {notBefore:u}"; return false; }
        if (now > notAfter) { error = $"the client certificate expired at {notAfter:u}"; return false; }

        var sha1 = Convert.ToHexString(SHA1.HashData(leaf.RawData));
        var sha256 = Convert.ToHexString(SHA256.HashData(leaf.RawData));
        var cn = leaf.GetNameInfo(X509NameType.SimpleName, forIssuer: false);
        X509Certificate2? ca = null;
        string? chainError = null;
        if (trustedCas.Count > 0) ca = FindIssuingCa(leaf, presentedChain, trustedCas, now, out chainError);
        else chainError = "no CA is registered";
        certificate = new PresentedCertificate(string.IsNullOrEmpty(cn) ? null : cn, sha1, sha256, notAfter, ca, chainError);
        error = "";
        return true;
    }

    /// <summary>Builds the chain against the CAs only (no system store, no downloads, no revocation) at <paramref name="now"/>.</summary>
    private static X509Certificate2? FindIssuingCa(X509Certificate2 leaf, X509Chain? presentedChain, IReadOnlyCollection<X509Certificate2> cas,
        DateTimeOffset now, out string? chainError)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.DisableCertificateDownloads = true;
        chain.ChainPolicy.VerificationTime = now.UtcDateTime;
        chain.ChainPolicy.VerificationTimeIgnored = false;
        foreach (var ca in cas) chain.ChainPolicy.CustomTrustStore.Add(ca);
        if (presentedChain is not null)
        {
            foreach (var element in presentedChain.ChainElements)
                if (!element.Certificate.RawData.AsSpan().SequenceEqual(leaf.RawData)) chain.ChainPolicy.ExtraStore.Add(element.Certificate);
        }
        if (!chain.Build(leaf))
        {
            var flags = chain.ChainStatus.Aggregate(X509ChainStatusFlags.NoError, (f, s) => f | s.Status);
            chainError = (flags & X509ChainStatusFlags.NotTimeValid) != 0
                ? "a certificate in its chain is expired or not yet valid"
                : $"it is not signed by a registered CA ({flags})";
            return null;
        }
        var root = chain.ChainElements[^1].Certificate;
        chainError = null;
        return cas.FirstOrDefault(c => c.RawData.AsSpan().SequenceEqual(root.RawData));
    }

    /// <summary>Upper-case hex of a SHA-1 (40) or SHA-256 (64) thumbprint; ':' and spaces are dropped.</summary>
    public static bool TryNormalizeThumbprint(string text, out string thumbprint, out string error)
    {
        var t = new string(text.Where(c => c != ':' && c != ' ').ToArray()).ToUpperInvariant();
        thumbprint = t;
        if ((t.Length != 40 && t.Length != 64) || !t.All(Uri.IsHexDigit))
        {
            error = $"a thumbprint is 40 (SHA-1) or 64 (SHA-256) hex digits, got {t.Length} characters";
            return false;
        }
        error = "";
        return true;
    }

    /// <summary>
    /// A CA certificate from PEM text or a PEM file path (the first certificate); throws <see cref="ArgumentException"/>
    /// saying what is wrong (missing file, no certificate block, not a CA).
    /// </summary>
    public static X509Certificate2 LoadCaPem(string pemOrPath)
    {
        var source = pemOrPath.Contains("-----BEGIN", StringComparison.Ordinal) ? "the CA PEM text" : $"CA file '{pemOrPath}'";
        string pem;
        if (source.StartsWith("CA file", StringComparison.Ordinal))
        {
            if (!File.Exists(pemOrPath)) throw new ArgumentException($"{source} does not exist.");
            pem = File.ReadAllText(pemOrPath);
        }
        else pem = pemOrPath;
        X509Certificate2 ca;
        try { ca = X509Certificate2.CreateFromPem(pem); }
        catch (CryptographicException e) { throw new ArgumentException($"{source} holds no valid PEM certificate: {e.Message}", e); }
        var basic = ca.Extensions.OfType<X509BasicConstraintsExtension>().FirstOrDefault();
        if (basic is { CertificateAuthority: false })
            throw new ArgumentException($"{source} is not a CA certificate (basic constraints say CA:false).");
        return ca;
    }
}
