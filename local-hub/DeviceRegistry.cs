using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text.Json;

namespace IotHubAmqp.LocalHub;

/// <summary>Devices (id and base64 key) and the service shared access policy.</summary>
public sealed partial class DeviceRegistry
{
    private readonly ConcurrentDictionary<string, string> _devices = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<(string, string), string> _modules = new();

    /// <summary>Name of the service policy (<c>skn</c>).</summary>
    public string ServicePolicyName { get; set; } = "service";

    /// <summary>Base64 key of the service policy.</summary>
    public string ServicePolicyKey { get; set; } = NewKey();

    /// <summary>The other shared access policies (iothubowner, registryRead, registryReadWrite, device).</summary>
    public AccessPolicies Policies { get; } = new();

    /// <summary>Registered device ids.</summary>
    public IReadOnlyCollection<string> DeviceIds => _devices.Keys.ToArray();

    /// <summary>Adds or replaces a device; returns its key (generated when <paramref name="key"/> is null).</summary>
    public string AddDevice(string deviceId, string? key = null)
    {
        if (string.IsNullOrWhiteSpace(deviceId)) throw new ArgumentException("device id required", nameof(deviceId));
        key ??= NewKey();
        _ = Convert.FromBase64String(key); // reject keys the hub could not use
        _devices[deviceId] = key;
        _x509.TryRemove((deviceId, null), out _); // a SAS device now (AddX509Device registers its certificate after this)
        return key;
    }

    /// <summary>Removes a device.</summary>
    public bool RemoveDevice(string deviceId) => _devices.TryRemove(deviceId, out _) | _x509.TryRemove((deviceId, null), out _);

    /// <summary>Gets a device's key.</summary>
    public bool TryGetDeviceKey(string deviceId, out string key) => _devices.TryGetValue(deviceId, out key!);

    /// <summary>True when the device exists.</summary>
    public bool Contains(string deviceId) => _devices.ContainsKey(deviceId);

    /// <summary>Adds or replaces a module identity of an existing device; returns its key.</summary>
    public string AddModule(string deviceId, string moduleId, string? key = null)
    {
        if (!Contains(deviceId)) throw new ArgumentException($"Unknown device '{deviceId}'.", nameof(deviceId));
        if (string.IsNullOrWhiteSpace(moduleId)) throw new ArgumentException("module id required", nameof(moduleId));
        key ??= NewKey();
        _ = Convert.FromBase64String(key);
        _modules[(deviceId, moduleId)] = key;
        return key;
    }

    /// <summary>Gets a module's key.</summary>
    public bool TryGetModuleKey(string deviceId, string moduleId, out string key) => _modules.TryGetValue((deviceId, moduleId), out key!);

    /// <summary>Registered module identities as (device id, module id).</summary>
    public IReadOnlyCollection<(string DeviceId, string ModuleId)> ModuleIds => _modules.Keys.ToArray();

    /// <summary>A fresh random 32-byte base64 key.</summary>
    public static string NewKey() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

    /// <summary>
    /// Loads <c>{"servicePolicy":{"name":"service","key":"..."},"devices":[{"id":"dev1","key":"...","modules":[{"id":"m1"}]}]}</c>;
    /// a missing key is generated. X.509 devices: <c>{"id":"dev2","x509":{"primaryThumbprint":"...","secondaryThumbprint":"..."}}</c>
    /// or <c>{"id":"dev3","x509":"ca"}</c>, CAs in <c>"x509Cas":["ca.pem"]</c>.
    /// </summary>
    public static DeviceRegistry LoadJson(string json)
    {
        var registry = new DeviceRegistry();
        using var doc = JsonDocument.Parse(json);
        var root = doc.RootElement;
        if (root.TryGetProperty("servicePolicy", out var policy))
        {
            if (policy.TryGetProperty("name", out var n) && n.GetString() is { Length: > 0 } name) registry.ServicePolicyName = name;
            if (policy.TryGetProperty("key", out var k) && k.GetString() is { Length: > 0 } key) registry.ServicePolicyKey = key;
        }
        registry.LoadX509Cas(root);
        if (root.TryGetProperty("devices", out var devices))
        {
            foreach (var d in devices.EnumerateArray())
            {
                var id = d.GetProperty("id").GetString()!;
                if (!registry.LoadX509(id, d)) registry.AddDevice(id, d.TryGetProperty("key", out var key) ? key.GetString() : null);
                if (!d.TryGetProperty("modules", out var modules)) continue;
                foreach (var m in modules.EnumerateArray())
                    registry.AddModule(id, m.GetProperty("id").GetString()!, m.TryGetProperty("key", out var mk) ? mk.GetString() : null);
            }
        }
        return registry;
    }

    /// <summary>Loads a registry JSON file (see <see cref="LoadJson"/>).</summary>
    public static DeviceRegistry LoadFile(string path) => LoadJson(File.ReadAllText(path));
}
