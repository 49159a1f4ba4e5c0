using System.Collections.Concurrent;
using System.Text;
using System.Text.Json.Nodes;

namespace IotHubAmqp.LocalHub;

/// <summary>Why a twin operation was refused (maps to AMQP status / HTTP status).</summary>
internal sealed class TwinException : Exception
{
    public TwinException(int status, string code, string message) : base(message) { Status = status; Code = code; }
    public int Status { get; }
    public string Code { get; }
}

/// <summary>
/// One twin (device or module): desired and reported sections each with <c>$version</c> and <c>$metadata</c>,
/// tags, and an overall version behind the etag. All access under the twin's lock.
/// </summary>
internal sealed class Twin
{
    /// <summary>IoT Hub limits (wire-2 §2.5): desired and reported 32 KB each, tags 8 KB, depth 10.</summary>
    public const int MaxSectionBytes = 32 * 1024, MaxTagsBytes = 8 * 1024, MaxDepth = 10;

    private JsonObject _desired = new(), _reported = new(), _tags = new();
    private JsonObject _desiredMeta = new(), _reportedMeta = new();

    public Twin(string deviceId, string? moduleId) { DeviceId = deviceId; ModuleId = moduleId; }

    public string DeviceId { get; }
    public string? ModuleId { get; }
    public long DesiredVersion { get; private set; } = 1;
    public long ReportedVersion { get; private set; } = 1;
    public long Version { get; private set; } = 1;
    /// <summary>Quoted-free etag text: base64 of the 8-byte big-endian version, like IoT Hub's <c>AAAAAAAAAAE=</c>.</summary>
    public string ETag
    {
        get
        {
            var b = BitConverter.GetBytes(Version);
            if (BitConverter.IsLittleEndian) Array.Reverse(b);
            return Convert.ToBase64String(b);
        }
    }

    /// <summary>The device-side GET body: <c>{"desired":{…,"$version":n},"reported":{…,"$version":m}}</c>.</summary>
    public JsonObject DeviceView() => new()
    {
        ["desired"] = Section(_desired, DesiredVersion, null),
        ["reported"] = Section(_reported, ReportedVersion, null),
    };

    /// <summary>The service REST twin document (wire-2 §8.1 keys).</summary>
    public JsonObject ServiceView(bool connected)
    {
        var o = new JsonObject { ["deviceId"] = DeviceId };
        if (ModuleId is not null) o["moduleId"] = ModuleId;
        o["etag"] = ETag;
        o["deviceEtag"] = ETag;
        o["status"] = "enabled";
        o["statusUpdateTime"] = "0001-01-01T00:00:00Z";
        o["connectionState"] = connected ? "Connected" : "Disconnected";
        o["lastActivityTime"] = "0001-01-01T00:00:00Z";
        o["cloudToDeviceMessageCount"] = 0;
        o["authenticationType"] = "sas";
        o["version"] = Version;
        o["tags"] = _tags.DeepClone();
        o["properties"] = new JsonObject
        {
            ["desired"] = Section(_desired, DesiredVersion, _desiredMeta),
            ["reported"] = Section(_reported, ReportedVersion, _reportedMeta),
        };
        return o;
    }

    private static JsonObject Section(JsonObject values, long version, JsonObject? meta)
    {
        var o = (JsonObject)values.DeepClone();
        if (meta is not null) o["$metadata"] = meta.DeepClone();
        o["$version"] = version;
        return o;
    }

    /// <summary>Merges a reported patch (null removes); returns the new reported <c>$version</c>.</summary>
    public long PatchReported(JsonObject patch, DateTimeOffset now)
    {
        var (values, meta) = Merged(_reported, _reportedMeta, patch, ReportedVersion + 1, now, MaxSectionBytes, "reported");
        _reported = values; _reportedMeta = meta;
        Version++;
        return ++ReportedVersion;
    }

    /// <summary>Merges a desired patch; returns the notification body (the patch plus the new <c>$version</c>).</summary>
    public JsonObject PatchDesired(JsonObject patch, DateTimeOffset now)
    {
        var (values, meta) = Merged(_desired, _desiredMeta, patch, DesiredVersion + 1, now, MaxSectionBytes, "desired");
        _desired = values; _desiredMeta = meta;
        Version++;
        DesiredVersion++;
        var note = (JsonObject)patch.DeepClone();
        note["$version"] = DesiredVersion;
        return note;
    }

    public void PatchTags(JsonObject patch, DateTimeOffset now)
    {
        var (values, _) = Merged(_tags, new JsonObject(), patch, 0, now, MaxTagsBytes, "tags");
        _tags = values;
        Version++;
    }

    /// <summary>PUT: tags and desired replaced wholesale (reported is the device's); returns the desired notification.</summary>
    public JsonObject ReplaceDesiredAndTags(JsonObject desired, JsonObject tags, DateTimeOffset now)
    {
        Check(tags, MaxTagsBytes, "tags");
        var (values, meta) = Merged(new JsonObject(), new JsonObject(), desired, DesiredVersion + 1, now, MaxSectionBytes, "desired");
        _tags = (JsonObject)tags.DeepClone();
        _desired = values; _desiredMeta = meta;
        Version++;
        DesiredVersion++;
        var note = (JsonObject)values.DeepClone();
        note["$version"] = DesiredVersion;
        return note;
    }

    private static (JsonObject Values, JsonObject Meta) Merged(JsonObject current, JsonObject meta, JsonObject patch,
        long version, DateTimeOffset now, int limit, string what)
    {
        var values = (JsonObject)current.DeepClone();
        var newMeta = (JsonObject)meta.DeepClone();
        Merge(values, newMeta, patch, version, now.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffffffZ"), 1);
        Check(values, limit, what);
        return (values, newMeta);
    }

    private static void Merge(JsonObject target, JsonObject meta, JsonObject patch, long version, string stamp, int depth)
    {
        if (depth > MaxDepth) throw new TwinException(400, "ArgumentInvalid", $"Twin nesting is deeper than {MaxDepth}.");
        foreach (var (key, value) in patch.ToList())
        {
            if (key.StartsWith('$')) continue;   // $version/$metadata sent back by clients are ours, not data
            if (key.Length > 1024 || key.Any(c => c == '.' || c == ' ' || char.IsControl(c)))
                throw new TwinException(400, "ArgumentInvalid", $"Twin key '{HubCore.Escape(key)}' is not allowed.");
            if (value is JsonArray) throw new TwinException(400, "ArgumentInvalid", $"Twin value of '{key}' is an array; arrays are not allowed.");
            if (value is null) { target.Remove(key); meta.Remove(key); continue; }
            if (value is JsonObject child)
            {
                if (target[key] is not JsonObject into) { into = new JsonObject(); target[key] = into; }
                if (meta[key] is not JsonObject childMeta) { childMeta = new JsonObject(); meta[key] = childMeta; }
                Merge(into, childMeta, child, version, stamp, depth + 1);
                childMeta["$lastUpdated"] = stamp;
                if (version > 0) childMeta["$lastUpdatedVersion"] = version;
                continue;
            }
            target[key] = value.DeepClone();
            meta[key] = version > 0
                ? new JsonObject { ["$lastUpdated"] = stamp, ["$lastUpdatedVersion"] = version }
                : new JsonObject { ["$lastUpdated"] = stamp };
        }
        if (depth == 1) meta["$lastUpdated"] = stamp;
    }

    private static void Check(JsonObject values, int limit, string what)
    {
        var size = Encoding.UTF8.GetByteCount(values.ToJsonString());
        if (size > limit) throw new TwinException(400, "ArgumentInvalid", $"Twin {what} would be {size} bytes; the limit is {limit}.");
    }
}

/// <summary>Twins of every device and module identity, created on first use.</summary>
internal sealed class TwinStore
{
    private readonly ConcurrentDictionary<(string, string), Twin> _twins = new();

    public Twin Get(string deviceId, string? moduleId) =>
        _twins.GetOrAdd((deviceId, moduleId ?? ""), k => new Twin(k.Item1, moduleId));
}
