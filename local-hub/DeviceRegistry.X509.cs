using System.Collections.Concurrent;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;

namespace IotHubAmqp.LocalHub;

/// <summary>How a device or module identity proves itself with a certificate (IoT Hub's "selfSigned" and "certificateAuthority").</summary>
public sealed record X509Registration(string? PrimaryThumbprint, string? SecondaryThumbprint)
{
    /// <summary>CA-signed: any certificate whose chain ends at a registered CA and whose CN is the identity's id.</summary>
    public bool CaSigned => PrimaryThumbprint is null && SecondaryThumbprint is null;
}

public sealed partial class DeviceRegistry
{
    private readonly ConcurrentDictionary<(string, string?), X509Registration> _x509 = new();
    private readonly List<X509Certificate2> _cas = new();

    /// <summary>
    /// Adds or replaces a device that authenticates with a certificate: by thumbprint (SHA-1 or SHA-256 hex of the
    /// device's certificate, primary and optional secondary), or, with both null, CA-signed (chain to a CA added with
    /// <see cref="AddCertificateAuthority"/>, CN = device id). The device has no usable SAS key.
    /// </summary>
    public void AddX509Device(string deviceId, string? primaryThumbprint, string? secondaryThumbprint = null)
    {
        var registration = NewRegistration(primaryThumbprint, secondaryThumbprint);
        AddDevice(deviceId); // a random key nobody is given; device-key tokens are refused for X.509 devices
        _x509[(deviceId, null)] = registration;
    }

    /// <summary>As <see cref="AddX509Device"/> for a module of an existing device (CA-signed: CN = <c>deviceId/moduleId</c>).</summary>
    public void AddX509Module(string deviceId, string moduleId, string? primaryThumbprint, string? secondaryThumbprint = null)
    {
        var registration = NewRegistration(primaryThumbprint, secondaryThumbprint);
        AddModule(deviceId, moduleId);
        _x509[(deviceId, moduleId)] = registration;
    }

    /// <summary>Registers (and verifies, as the portal's proof of possession would) a CA for CA-signed devices.</summary>
    public void AddCertificateAuthority(X509Certificate2 ca)
    {
        ArgumentNullException.ThrowIfNull(ca);
        lock (_cas) if (!_cas.Any(c => c.RawData.AsSpan().SequenceEqual(ca.RawData))) _cas.Add(ca);
    }

    /// <summary>The registered CAs.</summary>
    public IReadOnlyList<X509Certificate2> CertificateAuthorities { get { lock (_cas) return _cas.ToArray(); } }

    /// <summary>The identity's certificate registration, or null for a SAS identity.</summary>
    public X509Registration? X509Of(string deviceId, string? moduleId = null) => _x509.TryGetValue((deviceId, moduleId), out var r) ? r : null;

    /// <summary>
    /// The identities a checked certificate stands for: every device or module whose thumbprint it has, else the
    /// CA-signed identity named by its CN when its chain ends at a registered CA. Empty with <paramref name="error"/>
    /// saying why when it stands for none.
    /// </summary>
    internal List<(string DeviceId, string? ModuleId)> Resolve(PresentedCertificate certificate, out string error)
    {
        var byThumbprint = _x509.Where(e => !e.Value.CaSigned
                && (certificate.HasThumbprint(e.Value.PrimaryThumbprint) || certificate.HasThumbprint(e.Value.SecondaryThumbprint)))
            .Select(e => (e.Key.Item1, e.Key.Item2)).ToList();
        error = "";
        if (byThumbprint.Count > 0) return byThumbprint;
        var cn = certificate.CommonName ?? "";
        var slash = cn.IndexOf('/');
        (string, string?) named = slash < 0 ? (cn, null) : (cn[..slash], cn[(slash + 1)..]);
        var caIdentity = _x509.TryGetValue(named, out var r) && r.CaSigned;
        if (certificate.IssuingCa is not null && caIdentity) return new() { named };
        error = certificate.IssuingCa is not null
            ? $"the certificate is signed by a registered CA but its CN '{HubCore.Escape(cn)}' is no device or module registered for CA authentication"
            : $"its thumbprint (SHA-1 {certificate.Sha1Thumbprint}) matches no registered device" +
              (caIdentity ? $", and {certificate.ChainError}" : " or module, and it is not a CA-signed certificate of a registered CA identity");
        return new();
    }

    private static X509Registration NewRegistration(string? primary, string? secondary)
    {
        string? Normalize(string? t, string which)
        {
            if (t is null) return null;
            return ClientCertificates.TryNormalizeThumbprint(t, out var n, out var e) ? n : throw new ArgumentException($"{which} thumbprint: {e}.");
        }
        if (primary is null && secondary is not null) throw new ArgumentException("A secondary thumbprint needs a primary one.");
        return new X509Registration(Normalize(primary, "primary"), Normalize(secondary, "secondary"));
    }

    // Registry file: "x509": {"primaryThumbprint", "secondaryThumbprint"} or "x509": "ca". False when the device has no x509 field.
    private bool LoadX509(string id, JsonElement device)
    {
        if (!device.TryGetProperty("x509", out var x509)) return false;
        if (x509.ValueKind == JsonValueKind.String && x509.GetString() == "ca") AddX509Device(id, null);
        else if (x509.ValueKind == JsonValueKind.Object)
        {
            string? Thumb(string name) => x509.TryGetProperty(name, out var v) ? v.GetString() : null;
            AddX509Device(id, Thumb("primaryThumbprint") ?? throw new ArgumentException($"Device '{id}': x509 needs primaryThumbprint (or \"x509\": \"ca\")."),
                Thumb("secondaryThumbprint"));
        }
        else throw new ArgumentException($"Device '{id}': x509 must be {{\"primaryThumbprint\": ...}} or \"ca\".");
        return true;
    }

    private void LoadX509Cas(JsonElement root)
    {
        if (!root.TryGetProperty("x509Cas", out var cas)) return;
        foreach (var ca in cas.EnumerateArray()) AddCertificateAuthority(ClientCertificates.LoadCaPem(ca.GetString() ?? ""));
    }
}
