using System.Collections.Concurrent;

namespace IotHubAmqp.LocalHub;

/// <summary>The permissions of a shared access policy, as IoT Hub names them.</summary>
[Flags]
public enum AccessRights
{
    /// <summary>Nothing.</summary>
    None = 0,
    /// <summary>Read the identity registry.</summary>
    RegistryRead = 1,
    /// <summary>Write the identity registry.</summary>
    RegistryWrite = 2,
    /// <summary>Service endpoints: C2D send, feedback, telemetry read (Event Hubs-compatible endpoint).</summary>
    ServiceConnect = 4,
    /// <summary>Device endpoints on behalf of any device (token audience <c>{host}/devices/{id}</c>).</summary>
    DeviceConnect = 8,
}

/// <summary>A shared access policy: name (<c>skn</c>), base64 key and rights.</summary>
public sealed record SharedAccessPolicy(string Name, string Key, AccessRights Rights);

/// <summary>
/// The hub's shared access policies. By default the five IoT Hub creates: <c>iothubowner</c>, <c>service</c>,
/// <c>registryRead</c>, <c>registryReadWrite</c> and <c>device</c>, each with its own random key.
/// The <c>service</c> entry is <see cref="DeviceRegistry.ServicePolicyName"/>/<see cref="DeviceRegistry.ServicePolicyKey"/>.
/// </summary>
public sealed class AccessPolicies
{
    private readonly ConcurrentDictionary<string, SharedAccessPolicy> _policies = new(StringComparer.Ordinal);

    /// <summary>The default table (the service policy lives in the registry).</summary>
    public AccessPolicies()
    {
        Set("iothubowner", null, AccessRights.RegistryRead | AccessRights.RegistryWrite | AccessRights.ServiceConnect | AccessRights.DeviceConnect);
        Set("registryRead", null, AccessRights.RegistryRead);
        Set("registryReadWrite", null, AccessRights.RegistryRead | AccessRights.RegistryWrite);
        Set("device", null, AccessRights.DeviceConnect);
    }

    /// <summary>Adds or replaces a policy; returns its key (generated when <paramref name="key"/> is null).</summary>
    public string Set(string name, string? key, AccessRights rights)
    {
        if (string.IsNullOrWhiteSpace(name)) throw new ArgumentException("policy name required", nameof(name));
        key ??= DeviceRegistry.NewKey();
        _ = Convert.FromBase64String(key);
        _policies[name] = new SharedAccessPolicy(name, key, rights);
        return key;
    }

    /// <summary>Policies other than the registry's service policy.</summary>
    public IReadOnlyCollection<SharedAccessPolicy> Extra => _policies.Values.ToArray();

    /// <summary>A policy by name, the registry's service policy included (rights ServiceConnect).</summary>
    internal static SharedAccessPolicy? Find(DeviceRegistry registry, string name)
    {
        if (name == registry.ServicePolicyName) return new SharedAccessPolicy(name, registry.ServicePolicyKey, AccessRights.ServiceConnect);
        return registry.Policies._policies.TryGetValue(name, out var p) ? p : null;
    }

    /// <summary>Every policy, the service policy first.</summary>
    internal static IEnumerable<SharedAccessPolicy> All(DeviceRegistry registry) =>
        new[] { Find(registry, registry.ServicePolicyName)! }.Concat(registry.Policies._policies.Values.OrderBy(p => p.Name, StringComparer.Ordinal));
}

internal sealed partial class TokenValidator
{
    /// <summary>
    /// The policy check for any service path (AMQP or REST <c>Authorization: SharedAccessSignature ...</c>):
    /// the token must be valid now, signed by a policy (<c>skn</c>) holding <paramref name="required"/>, and
    /// its audience must cover <paramref name="resource"/> (e.g. <c>{host}/devices/dev1</c>; null = the hub).
    /// Returns null when allowed, else the refusal reason (never the token or key).
    /// </summary>
    internal string? Authorize(string? token, string? resource, AccessRights required)
    {
        if (!TryValidate(token, viaSaslPlain: false, out var grant, out var error) || grant is null) return error;
        if (grant.Policy is null) return "A device token cannot be used here: sign it with a shared access policy (skn).";
        if ((grant.Rights & required) != required)
            return $"Policy '{HubCore.Escape(grant.Policy)}' lacks {required & ~grant.Rights} (has {grant.Rights}).";
        if (resource is not null && grant.Audience is { Length: > 0 } audience)
        {
            var target = Strip(resource);
            if (!(target.Equals(audience, StringComparison.OrdinalIgnoreCase)
                  || target.StartsWith(audience + "/", StringComparison.OrdinalIgnoreCase)))
                return "Token audience does not cover '" + HubCore.Escape(resource) + "'.";
        }
        return null;
    }

    /// <summary>The message a service-side refusal carries for a grant lacking a right.</summary>
    internal static string? Lacks(Grant grant, AccessRights required) =>
        (grant.Rights & required) == required ? null
            : $"Unauthorized: policy '{HubCore.Escape(grant.Policy)}' lacks {required & ~grant.Rights}.";

    /// <summary>Audience without scheme, port and trailing slash, lower-cased host.</summary>
    internal static string Strip(string audience)
    {
        var schemeEnd = audience.IndexOf("://", StringComparison.Ordinal);
        if (schemeEnd >= 0) audience = audience[(schemeEnd + 3)..];
        var slash = audience.IndexOf('/');
        var host = slash < 0 ? audience : audience[..slash];
        var colon = host.IndexOf(':');
        if (colon >= 0) host = host[..colon];
        var path = slash < 0 ? "" : audience[slash..].TrimEnd('/');
        return host.ToLowerInvariant() + path;
    }
}
