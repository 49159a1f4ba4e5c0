using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;

namespace IotHubAmqp.LocalHub;

/// <summary>A symmetric-key individual enrollment of the local DPS.</summary>
public sealed record DpsIndividualEnrollment(string RegistrationId, string Key, string DeviceId, bool Enabled, string? PayloadJson);

/// <summary>A symmetric-key enrollment group: a device's key is HMAC-SHA256(group key, registration id).</summary>
public sealed record DpsEnrollmentGroup(string Name, string Key, bool Enabled, string? PayloadJson);

/// <summary>An X.509 individual enrollment: the device certificate's thumbprint; its CN is the registration id.</summary>
public sealed record DpsX509Enrollment(string RegistrationId, string Thumbprint, string DeviceId, bool Enabled);

/// <summary>An X.509 enrollment group: devices whose certificate chains to <see cref="Ca"/> (CN = registration id).</summary>
public sealed record DpsX509Group(string Name, X509Certificate2 Ca, bool Enabled);

/// <summary>Enrollments of the local DPS (individual and group; symmetric key, and X.509).</summary>
public sealed class DpsEnrollments
{
    private readonly ConcurrentDictionary<string, DpsIndividualEnrollment> _individual = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentDictionary<string, DpsEnrollmentGroup> _groups = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, DpsX509Enrollment> _x509 = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentDictionary<string, DpsX509Group> _x509Groups = new(StringComparer.Ordinal);

    /// <summary>Adds an X.509 individual enrollment for <paramref name="deviceCertificate"/> (its CN is the registration id).</summary>
    public void AddX509(X509Certificate2 deviceCertificate, string? deviceId = null, bool enabled = true)
    {
        var id = deviceCertificate.GetNameInfo(X509NameType.SimpleName, false);
        if (string.IsNullOrEmpty(id)) throw new ArgumentException("the certificate has no CN (the registration id)", nameof(deviceCertificate));
        _x509[id] = new DpsX509Enrollment(id, deviceCertificate.Thumbprint, deviceId ?? id, enabled);
    }

    /// <summary>Adds an X.509 enrollment group: any device certificate issued by <paramref name="ca"/>.</summary>
    public void AddX509Group(string name, X509Certificate2 ca, bool enabled = true) => _x509Groups[name] = new DpsX509Group(name, ca, enabled);

    /// <summary>True when an X.509 enrollment exists: the endpoint then asks TLS clients for a certificate.</summary>
    public bool HasX509 => !_x509.IsEmpty || !_x509Groups.IsEmpty;

    internal bool TryGetX509(string registrationId, out DpsX509Enrollment enrollment) => _x509.TryGetValue(registrationId, out enrollment!);

    internal IReadOnlyCollection<DpsX509Group> X509Groups => _x509Groups.Values.ToArray();

    /// <summary>Adds or replaces an individual enrollment; returns its key (generated when null). The device id defaults to the registration id.</summary>
    public string AddIndividual(string registrationId, string? key = null, string? deviceId = null, bool enabled = true, string? payloadJson = null)
    {
        if (string.IsNullOrWhiteSpace(registrationId)) throw new ArgumentException("registration id required", nameof(registrationId));
        key ??= DeviceRegistry.NewKey();
        _ = Convert.FromBase64String(key);
        if (payloadJson is not null) JsonDocument.Parse(payloadJson).Dispose();
        _individual[registrationId] = new DpsIndividualEnrollment(registrationId, key, deviceId ?? registrationId, enabled, payloadJson);
        return key;
    }

    /// <summary>Adds or replaces an enrollment group; returns its key (generated when null).</summary>
    public string AddGroup(string name, string? key = null, bool enabled = true, string? payloadJson = null)
    {
        if (string.IsNullOrWhiteSpace(name)) throw new ArgumentException("group name required", nameof(name));
        key ??= DeviceRegistry.NewKey();
        _ = Convert.FromBase64String(key);
        if (payloadJson is not null) JsonDocument.Parse(payloadJson).Dispose();
        _groups[name] = new DpsEnrollmentGroup(name, key, enabled, payloadJson);
        return key;
    }

    /// <summary>Enables or disables an individual enrollment or a group by name; false when neither exists.</summary>
    public bool SetEnabled(string name, bool enabled)
    {
        if (_individual.TryGetValue(name, out var i)) { _individual[name] = i with { Enabled = enabled }; return true; }
        if (_groups.TryGetValue(name, out var g)) { _groups[name] = g with { Enabled = enabled }; return true; }
        return false;
    }

    /// <summary>Individual enrollments.</summary>
    public IReadOnlyCollection<DpsIndividualEnrollment> Individual => _individual.Values.ToArray();

    /// <summary>Enrollment groups.</summary>
    public IReadOnlyCollection<DpsEnrollmentGroup> Groups => _groups.Values.ToArray();

    /// <summary>The device key a group gives <paramref name="registrationId"/>: base64(HMAC-SHA256(base64-decoded group key, UTF-8 id)).</summary>
    public static string DeriveDeviceKey(string groupKey, string registrationId) =>
        Convert.ToBase64String(HMACSHA256.HashData(Convert.FromBase64String(groupKey), Encoding.UTF8.GetBytes(registrationId)));

    internal bool TryGetIndividual(string registrationId, out DpsIndividualEnrollment enrollment) =>
        _individual.TryGetValue(registrationId, out enrollment!);

    /// <summary>
    /// Loads <c>{"idScope":"0ne…","enrollments":[{"registrationId","key","deviceId","enabled","payload"}],
    /// "enrollmentGroups":[{"name","key","enabled","payload"}]}</c> into this set (the same file as the registry may hold it).
    /// Returns the id scope when the document names one.
    /// </summary>
    public string? LoadJson(string json)
    {
        using var doc = JsonDocument.Parse(json);
        var root = doc.RootElement;
        if (root.TryGetProperty("enrollments", out var list))
        {
            foreach (var e in list.EnumerateArray())
                AddIndividual(e.GetProperty("registrationId").GetString()!, Str(e, "key"), Str(e, "deviceId"), Enabled(e), Payload(e));
        }
        if (root.TryGetProperty("enrollmentGroups", out var groups))
        {
            foreach (var g in groups.EnumerateArray())
                AddGroup(g.GetProperty("name").GetString()!, Str(g, "key"), Enabled(g), Payload(g));
        }
        return Str(root, "idScope");
    }

    private static string? Str(JsonElement e, string name) => e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
    private static bool Enabled(JsonElement e) => !e.TryGetProperty("enabled", out var v) || v.ValueKind != JsonValueKind.False;
    private static string? Payload(JsonElement e) => e.TryGetProperty("payload", out var v) ? v.GetRawText() : null;
}
