using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text.Json;

namespace IotHubAmqp.LocalHub;

/// <summary>Devices (id and base64 key) and the service shared access policy.</summary>
public sealed class DeviceRegistry
{
    private readonly ConcurrentDictionary<string, string> _devices = new(StringComparer.Ordinal);

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
        return key;
    }

    /// <summary>Removes a device.</summary>
    public bool RemoveDevice(string deviceId) => _devices.TryRemove(deviceId, out _);

    /// <summary>Gets a device's key.</summary>
    public bool TryGetDeviceKey(string deviceId, out string key) => _devices.TryGetValue(deviceId, out key!);

    /// <summary>True when the device exists.</summary>
    public bool Contains(string deviceId) => _devices.ContainsKey(deviceId);

    /// <summary>A fresh random 32-byte base64 key.</summary>
    public static string NewKey() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

    /// <summary>
    /// Loads <c>{"servicePolicy":{"name":"service","key":"..."},"devices":[{"id":"dev1","key":"..."}]}</c>;
    /// a missing key is generated.
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
        if (root.TryGetProperty("devices", out var devices))
        {
            foreach (var d in devices.EnumerateArray())
            {
                var id = d.GetProperty("id").GetString()!;
                registry.AddDevice(id, d.TryGetProperty("key", out var key) ? key.GetString() : null);
            }
        }
        return registry;
    }

    /// <summary>Loads a registry JSON file (see <see cref="LoadJson"/>).</summary>
    public static DeviceRegistry LoadFile(string path) => LoadJson(File.ReadAllText(path));
}
