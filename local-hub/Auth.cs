using System.Security.Principal;
using System.Text;

namespace IotHubAmqp.LocalHub;

/// <summary>
/// What a validated token allows: one device (and its modules) or the hub's service side with a policy's rights.
/// <see cref="Policy"/> is the <c>skn</c> (null for a device key token); <see cref="Audience"/> the stripped <c>sr</c>.
/// </summary>
internal sealed record Grant(string Scope, string? DeviceId, DateTimeOffset ExpiresAt, bool ViaSaslPlain,
    AccessRights Rights = AccessRights.DeviceConnect, string? Policy = null, string? Audience = null)
{
    public const string ServiceScope = "service";
    public bool IsService => Scope == ServiceScope;
    public static string DeviceScope(string deviceId) => "device:" + deviceId;
    public static string ModuleScope(string deviceId, string moduleId) => $"module:{deviceId}/{moduleId}";
}

/// <summary>Checks SAS tokens against the registry: signature, expiry and audience.</summary>
internal sealed partial class TokenValidator
{
    private readonly DeviceRegistry _registry;
    private readonly string _hubHost;
    private readonly string _ehHost;
    private readonly TimeProvider _time;

    public TokenValidator(DeviceRegistry registry, string hubHost, string ehHost, TimeProvider time)
    {
        _registry = registry;
        _hubHost = hubHost;
        _ehHost = ehHost;
        _time = time;
    }

    public bool TryValidate(string? token, bool viaSaslPlain, out Grant? grant, out string error)
    {
        grant = null;
        if (!SasToken.TryParse(token, out var sas) || sas is null) { error = "Malformed SAS token."; return false; }
        if (sas.ExpiresAt <= _time.GetUtcNow()) { error = "Token expired."; return false; }

        // Audience: [scheme://]host[:port][/path], URL-encoded or not.
        var audience = sas.Resource;
        var schemeEnd = audience.IndexOf("://", StringComparison.Ordinal);
        if (schemeEnd >= 0) audience = audience[(schemeEnd + 3)..];
        var slash = audience.IndexOf('/');
        var host = slash < 0 ? audience : audience[..slash];
        var path = slash < 0 ? "" : audience[(slash + 1)..].TrimEnd('/');
        var colon = host.IndexOf(':');
        if (colon >= 0) host = host[..colon];
        var onEventHubs = host.Equals(_ehHost, StringComparison.OrdinalIgnoreCase);
        if (!onEventHubs && !host.Equals(_hubHost, StringComparison.OrdinalIgnoreCase))
        {
            error = "Token audience is not this hub."; return false;
        }

        var parts = path.Split('/');
        var deviceAudience = !onEventHubs && (parts.Length == 2 || parts.Length == 4) && parts[0] == "devices"
            && (parts.Length == 2 || parts[2] == "modules");
        var stripped = Strip(sas.Resource);
        if (sas.KeyName is not null)
        {
            if (AccessPolicies.Find(_registry, sas.KeyName) is not { } policy) { error = "Unknown policy."; return false; }
            // The Event Hubs-compatible endpoint signs with the key string's UTF-8 bytes, IoT Hub with the decoded key.
            var key = onEventHubs ? Encoding.UTF8.GetBytes(policy.Key) : Convert.FromBase64String(policy.Key);
            if (!sas.SignatureMatches(key)) { error = "Invalid signature."; return false; }
            // A DeviceConnect policy may act for a registered device named by the audience.
            if (deviceAudience && (policy.Rights & AccessRights.DeviceConnect) != 0)
            {
                if (!_registry.Contains(parts[1])) { error = "Unknown device."; return false; }
                grant = new Grant(Grant.DeviceScope(parts[1]), parts[1], sas.ExpiresAt, viaSaslPlain, policy.Rights, policy.Name, stripped);
            }
            else
            {
                grant = new Grant(Grant.ServiceScope, null, sas.ExpiresAt, viaSaslPlain, policy.Rights, policy.Name, stripped);
            }
            error = "";
            return true;
        }

        if (!deviceAudience)
        {
            error = "A device token's audience must be {host}/devices/{id}."; return false;
        }
        var deviceId = parts[1];
        // A registered module signs with its own key and gets a module grant (§3); unregistered module
        // audiences keep the device-key path.
        if (parts.Length == 4 && _registry.TryGetModuleKey(deviceId, parts[3], out var moduleKey))
        {
            if (_registry.X509Of(deviceId, parts[3]) is not null) { error = "The module authenticates with X.509, not SAS."; return false; }
            if (!sas.SignatureMatches(Convert.FromBase64String(moduleKey))) { error = "Invalid signature."; return false; }
            grant = new Grant(Grant.ModuleScope(deviceId, parts[3]), deviceId, sas.ExpiresAt, viaSaslPlain);
            error = "";
            return true;
        }
        if (!_registry.TryGetDeviceKey(deviceId, out var deviceKey)) { error = "Unknown device."; return false; }
        if (_registry.X509Of(deviceId) is not null) { error = "The device authenticates with X.509, not SAS."; return false; }
        if (!sas.SignatureMatches(Convert.FromBase64String(deviceKey))) { error = "Invalid signature."; return false; }
        grant = new Grant(Grant.DeviceScope(deviceId), deviceId, sas.ExpiresAt, viaSaslPlain, Audience: stripped);
        error = "";
        return true;
    }
}

/// <summary>The identity SASL PLAIN established; carries its grant to the connection.</summary>
internal sealed class HubPrincipal : IPrincipal, IIdentity
{
    public HubPrincipal(Grant grant) => Grant = grant;
    public Grant Grant { get; }
    public IIdentity Identity => this;
    public string? AuthenticationType => "SAS";
    public bool IsAuthenticated => true;
    public string? Name => Grant.DeviceId ?? Grant.Scope;
    public bool IsInRole(string role) => false;
}

/// <summary>SASL PLAIN: user <c>{id}@sas.{hub}</c>, <c>{id}/modules/{module}@sas.{hub}</c> or <c>{policy}@sas.root.{hub}</c>.</summary>
internal sealed class PlainAuthenticator : Microsoft.Azure.Amqp.Sasl.ISaslPlainAuthenticator
{
    private readonly TokenValidator _validator;
    private readonly string _hubName;
    private readonly Action<string?, string> _onFailure;

    public PlainAuthenticator(TokenValidator validator, string hubName, Action<string?, string> onFailure)
    {
        _validator = validator;
        _hubName = hubName;
        _onFailure = onFailure;
    }

    public Task<IPrincipal> AuthenticateAsync(string identity, string password)
    {
        var at = identity.IndexOf('@');
        var user = identity;
        var name = at < 0 ? identity : identity[..at];
        var realm = at < 0 ? "" : identity[(at + 1)..];
        var isRoot = realm.StartsWith("sas.root.", StringComparison.Ordinal);
        var hub = isRoot ? realm["sas.root.".Length..] : realm.StartsWith("sas.", StringComparison.Ordinal) ? realm[4..] : null;
        if (hub is null || !hub.Equals(_hubName, StringComparison.OrdinalIgnoreCase))
        {
            return Fail(name, user, "SASL PLAIN user must be {id}@sas.{hub} or {policy}@sas.root.{hub}.");
        }
        if (!_validator.TryValidate(password, viaSaslPlain: true, out var grant, out var error) || grant is null) return Fail(name, user, error);
        var parts = name.Split('/');
        if (!isRoot && !(parts.Length == 1 || (parts.Length == 3 && parts[1] == "modules" && parts[2].Length > 0)))
        {
            return Fail(name, user, "SASL PLAIN user must be {id}@sas.{hub} or {id}/modules/{module}@sas.{hub}.");
        }
        var deviceId = parts[0];
        if (isRoot ? grant.Policy != name : grant.DeviceId != deviceId) return Fail(name, user, "Token does not match the SASL user.");
        return Task.FromResult<IPrincipal>(new HubPrincipal(grant));
    }

    private Task<IPrincipal> Fail(string? who, string user, string error)
    {
        _onFailure(who, $"SASL PLAIN user '{HubCore.Escape(user)}' refused: {error}");
        return Task.FromException<IPrincipal>(new UnauthorizedAccessException(error));
    }
}
