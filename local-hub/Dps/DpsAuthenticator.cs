using System.Security.Principal;
using Microsoft.Azure.Amqp.Sasl;

namespace IotHubAmqp.LocalHub;

/// <summary>Who SASL PLAIN established on a DPS connection: the registration, its enrollment and its device key.</summary>
internal sealed class DpsPrincipal : IPrincipal, IIdentity
{
    public DpsPrincipal(string registrationId, string deviceId, string deviceKey, bool enabled, string? payloadJson, string enrollment)
    {
        RegistrationId = registrationId;
        DeviceId = deviceId;
        DeviceKey = deviceKey;
        Enabled = enabled;
        PayloadJson = payloadJson;
        Enrollment = enrollment;
    }

    public string RegistrationId { get; }
    public string DeviceId { get; }
    public string DeviceKey { get; }
    public bool Enabled { get; }
    public string? PayloadJson { get; }
    /// <summary>"individual" or "group:NAME".</summary>
    public string Enrollment { get; }
    /// <summary>SHA-1 thumbprint of the certificate an X.509 device attested with (the hub registers it with it), else null.</summary>
    public string? X509Thumbprint { get; init; }
    public IIdentity Identity => this;
    public string? AuthenticationType => "SAS";
    public bool IsAuthenticated => true;
    public string? Name => RegistrationId;
    public bool IsInRole(string role) => false;
}

/// <summary>
/// SASL PLAIN for DPS (iothub-amqp-wire-2.md 7.2): user <c>{idScope}/registrations/{registrationId}</c>, password a SAS
/// token for that resource signed with the individual enrollment's key or with a key derived from a group's key.
/// </summary>
internal sealed class DpsAuthenticator : ISaslPlainAuthenticator
{
    private readonly DpsOptions _options;
    private readonly TimeProvider _time;
    private readonly Action<string> _onFailure;

    public DpsAuthenticator(DpsOptions options, TimeProvider time, Action<string> onFailure)
    {
        _options = options;
        _time = time;
        _onFailure = onFailure;
    }

    public Task<IPrincipal> AuthenticateAsync(string identity, string password)
    {
        const string marker = "/registrations/";
        var at = identity.IndexOf(marker, StringComparison.Ordinal);
        if (at <= 0 || at + marker.Length >= identity.Length) return Fail(identity, "SASL PLAIN user must be {idScope}/registrations/{registrationId}.");
        var scope = identity[..at];
        var registrationId = identity[(at + marker.Length)..];
        if (!scope.Equals(_options.IdScope, StringComparison.OrdinalIgnoreCase)) return Fail(identity, $"Unknown id scope '{scope}'.");
        if (!SasToken.TryParse(password, out var sas) || sas is null) return Fail(identity, "Malformed SAS token.");
        if (sas.ExpiresAt <= _time.GetUtcNow()) return Fail(identity, "Token expired.");
        if (!sas.Resource.Equals(identity, StringComparison.OrdinalIgnoreCase)) return Fail(identity, "Token resource is not {idScope}/registrations/{registrationId} of the SASL user.");
        if (_options.Enrollments.TryGetIndividual(registrationId, out var e))
        {
            if (sas.SignatureMatches(Convert.FromBase64String(e.Key)))
                return Task.FromResult<IPrincipal>(new DpsPrincipal(registrationId, e.DeviceId, e.Key, e.Enabled, e.PayloadJson, "individual"));
            return Fail(identity, "Invalid signature for the individual enrollment.");
        }
        foreach (var g in _options.Enrollments.Groups.OrderBy(g => g.Name, StringComparer.Ordinal))
        {
            var key = DpsEnrollments.DeriveDeviceKey(g.Key, registrationId);
            if (sas.SignatureMatches(Convert.FromBase64String(key)))
                return Task.FromResult<IPrincipal>(new DpsPrincipal(registrationId, registrationId, key, g.Enabled, g.PayloadJson, "group:" + g.Name));
        }
        return Fail(identity, "No individual enrollment and no enrollment group key signs this token.");
    }

    /// <summary>
    /// X.509 (no SASL): the TLS client certificate's CN is the registration id; an individual enrollment matches its
    /// thumbprint, a group its CA (chain built with that CA as the only trust anchor). Null when nothing matches.
    /// The device joins the hub's registry as an X.509 device with that certificate's thumbprint (docs/x509.md).
    /// </summary>
    public DpsPrincipal? AuthenticateX509(System.Security.Cryptography.X509Certificates.X509Certificate2 cert)
    {
        var id = cert.GetNameInfo(System.Security.Cryptography.X509Certificates.X509NameType.SimpleName, false);
        if (_options.Enrollments.TryGetX509(id, out var e))
        {
            if (string.Equals(e.Thumbprint, cert.Thumbprint, StringComparison.OrdinalIgnoreCase))
                return new DpsPrincipal(id, e.DeviceId, DeviceRegistry.NewKey(), e.Enabled, null, "x509") { X509Thumbprint = cert.Thumbprint };
            _onFailure($"DPS X.509 '{HubCore.Escape(id)}' refused: thumbprint does not match the enrollment.");
            return null;
        }
        foreach (var g in _options.Enrollments.X509Groups.OrderBy(g => g.Name, StringComparer.Ordinal))
        {
            using var chain = new System.Security.Cryptography.X509Certificates.X509Chain();
            chain.ChainPolicy.TrustMode = System.Security.Cryptography.X509Certificates.X509ChainTrustMode.CustomRootTrust;
            chain.ChainPolicy.CustomTrustStore.Add(g.Ca);
            chain.ChainPolicy.RevocationMode = System.Security.Cryptography.X509Certificates.X509RevocationMode.NoCheck;
            if (chain.Build(cert)) return new DpsPrincipal(id, id, DeviceRegistry.NewKey(), g.Enabled, null, "x509-group:" + g.Name) { X509Thumbprint = cert.Thumbprint };
        }
        _onFailure($"DPS X.509 '{HubCore.Escape(id)}' refused: no X.509 enrollment or group matches the certificate.");
        return null;
    }

    private Task<IPrincipal> Fail(string user, string error)
    {
        _onFailure($"DPS SASL PLAIN user '{HubCore.Escape(user)}' refused: {error}");
        return Task.FromException<IPrincipal>(new UnauthorizedAccessException(error));
    }
}
