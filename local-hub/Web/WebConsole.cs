using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http;

namespace IotHubAmqp.LocalHub.Web;

/// <summary>
/// The developer's web console, served by the REST API's Kestrel under <c>/ui/</c>: a static page (embedded in this
/// assembly) and its API under <c>/ui/api/</c>. The API wants the same credential as the service REST API (a
/// policy SAS token with ServiceConnect in <c>Authorization</c>) and refuses cross-origin requests; there is no CORS.
/// </summary>
internal sealed partial class WebConsole : IDisposable
{
    public const string Prefix = "/ui";
    private static readonly Dictionary<string, string> ContentTypes = new()
    {
        ["page.html"] = "text/html; charset=utf-8",
        ["app.js"] = "text/javascript; charset=utf-8",
        ["views.js"] = "text/javascript; charset=utf-8",
        ["chart.js"] = "text/javascript; charset=utf-8",
        ["app.css"] = "text/css; charset=utf-8",
        ["icon.svg"] = "image/svg+xml",
    };
    // The page loads only its own files; no inline script or style, no framing, nothing sent elsewhere.
    private const string Csp = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; "
        + "frame-ancestors 'none'; base-uri 'none'; form-action 'none'";
    private readonly HubCore _hub;
    private readonly TokenValidator _tokens;

    public WebConsole(HubCore hub, TokenValidator tokens)
    {
        _hub = hub;
        _tokens = tokens;
        Feed = new WebFeed(hub);
    }

    public WebFeed Feed { get; }

    /// <summary>The page's address for a REST port (what the hub and the simulated device print).</summary>
    public static string Address(string bindAddress, int restPort)
    {
        var host = bindAddress is "0.0.0.0" or "::" ? "127.0.0.1" : bindAddress;
        return $"https://{(host.Contains(':') ? "[" + host + "]" : host)}:{restPort}{Prefix}/";
    }

    public static bool Owns(HttpRequest request) =>
        request.Path.StartsWithSegments(Prefix) || (request.Path.Value is "/" or "" && request.Method == "GET");

    public async Task HandleAsync(HttpContext http)
    {
        var request = http.Request;
        var path = request.Path.Value ?? "/";
        var headers = http.Response.Headers;
        headers["X-Content-Type-Options"] = "nosniff";
        headers["Referrer-Policy"] = "no-referrer";
        headers["Cache-Control"] = "no-store";
        headers["Cross-Origin-Resource-Policy"] = "same-origin";
        if (!KnownHost(request.Host.Host))
        {
            // DNS rebinding: a page of another site whose name now points here still names its own host.
            await ErrorAsync(http, 421, "MisdirectedRequest", "Host is not a name of this hub.");
            return;
        }
        if (path is "/" or "" or Prefix)
        {
            http.Response.StatusCode = 302;
            headers.Location = Prefix + "/";
            return;
        }
        if (!path.StartsWith(Prefix + "/api/", StringComparison.Ordinal))
        {
            await StaticAsync(http, path[(Prefix.Length + 1)..]);
            return;
        }
        if (CrossOrigin(request) is { } crossOrigin)
        {
            await ErrorAsync(http, 403, "CrossOriginRefused", crossOrigin);
            return;
        }
        var api = path[(Prefix.Length + 5)..].Split('/').Select(Uri.UnescapeDataString).ToArray();
        var needs = AccessRights.ServiceConnect;
        if (api is ["devices"] && request.Method == "POST") needs |= AccessRights.RegistryWrite;
        if (api is ["devices", _, "connection-string"]) needs |= AccessRights.RegistryRead;
        var refusal = _tokens.Authorize(request.Headers.Authorization.ToString(), null, needs);
        if (refusal is not null)
        {
            await ErrorAsync(http, 401, "IoTHubUnauthorized", WebViews.Redact(refusal)!);
            return;
        }
        try
        {
            switch (request.Method, api)
            {
                case ("GET", ["state"]): await JsonAsync(http, 200, Feed.State()); break;
                case ("GET", ["events"]): await EventsAsync(http); break;
                case ("POST", ["devices"]): await AddDeviceAsync(http); break;
                case ("GET", ["devices", var id, "connection-string"]): await ConnectionStringAsync(http, id); break;
                case ("POST", ["devices", var id, "messages"]): await SendC2dAsync(http, id); break;
                default: await ErrorAsync(http, 404, "NotFound", $"No {request.Method} at '{HubCore.Escape(path)}'."); break;
            }
        }
        catch (Exception ex) when (ex is System.Text.Json.JsonException or FormatException or InvalidOperationException or ArgumentException)
        {
            await ErrorAsync(http, 400, "ArgumentInvalid", ex.Message);
        }
    }

    /// <summary>The names the hub's certificate carries, or an IP address.</summary>
    private bool KnownHost(string host) =>
        System.Net.IPAddress.TryParse(host.Trim('[', ']'), out _)
        || host.Equals("localhost", StringComparison.OrdinalIgnoreCase)
        || host.Equals(_hub.HostName, StringComparison.OrdinalIgnoreCase)
        || _hub.Options.ExtraCertificateNames.Any(n => host.Equals(n, StringComparison.OrdinalIgnoreCase));

    /// <summary>
    /// A browser says where a request comes from: Origin must be this server's, Sec-Fetch-Site same-origin (or none,
    /// typed by the user). Clients that send neither (curl, SDKs) still need the credential.
    /// </summary>
    internal static string? CrossOrigin(HttpRequest request)
    {
        var origin = request.Headers.Origin.ToString();
        var own = "https://" + request.Host.Value;
        if (origin.Length > 0 && !string.Equals(origin, own, StringComparison.OrdinalIgnoreCase))
            return $"Cross-origin request refused (Origin '{WebViews.Cut(HubCore.Escape(origin), 128)}').";
        var site = request.Headers["Sec-Fetch-Site"].ToString();
        if (site.Length > 0 && site is not ("same-origin" or "none"))
            return $"Cross-origin request refused (Sec-Fetch-Site '{WebViews.Cut(HubCore.Escape(site), 32)}').";
        return null;
    }

    private static async Task StaticAsync(HttpContext http, string name)
    {
        if (name.Length == 0) name = "page.html";
        if (!ContentTypes.TryGetValue(name, out var type)
            || typeof(WebConsole).Assembly.GetManifestResourceStream("web/" + name) is not { } stream)
        {
            await ErrorAsync(http, 404, "NotFound", "No such page.");
            return;
        }
        await using var _ = stream;
        var headers = http.Response.Headers;
        headers.ContentSecurityPolicy = Csp;
        headers.XFrameOptions = "DENY";
        http.Response.ContentType = type;
        http.Response.ContentLength = stream.Length;
        await stream.CopyToAsync(http.Response.Body);
    }

    /// <summary>Server-sent events: one frame per hub event, a comment every 15 s so proxies and the page see it alive.</summary>
    private async Task EventsAsync(HttpContext http)
    {
        http.Response.StatusCode = 200;
        http.Response.ContentType = "text/event-stream; charset=utf-8";
        http.Response.Headers["X-Accel-Buffering"] = "no";
        var channel = Feed.Subscribe();
        var cancel = http.RequestAborted;
        try
        {
            await http.Response.WriteAsync(": connected\n\n", cancel);
            await http.Response.Body.FlushAsync(cancel);
            while (!cancel.IsCancellationRequested)
            {
                using var wait = CancellationTokenSource.CreateLinkedTokenSource(cancel);
                wait.CancelAfter(TimeSpan.FromSeconds(15));
                string frame;
                try
                {
                    if (!await channel.Reader.WaitToReadAsync(wait.Token)) break;
                    if (!channel.Reader.TryRead(out frame!)) continue;
                }
                catch (OperationCanceledException) when (!cancel.IsCancellationRequested)
                {
                    frame = ": keep-alive\n\n";
                }
                await http.Response.WriteAsync(frame, cancel);
                while (channel.Reader.TryRead(out var more)) await http.Response.WriteAsync(more, cancel);
                await http.Response.Body.FlushAsync(cancel);
            }
        }
        catch (OperationCanceledException) { }
        catch (IOException) { }
        finally { Feed.Unsubscribe(channel); }
    }

    private async Task AddDeviceAsync(HttpContext http)
    {
        var body = await ReadJsonAsync(http.Request);
        var deviceId = body["deviceId"]?.GetValue<string>() ?? "";
        var moduleId = body["moduleId"]?.GetValue<string>();
        if (!IdPattern().IsMatch(deviceId) || (moduleId is not null && !IdPattern().IsMatch(moduleId)))
        {
            await ErrorAsync(http, 400, "ArgumentInvalid", "Ids are 1-128 characters: letters, digits and - . % _ * ? ! ( ) , : = @ $ '.");
            return;
        }
        var registry = _hub.Options.Registry;
        if (moduleId is null)
        {
            if (registry.Contains(deviceId)) { await ErrorAsync(http, 409, "DeviceAlreadyExists", $"Device '{deviceId}' already exists."); return; }
            registry.AddDevice(deviceId);
        }
        else
        {
            if (!registry.Contains(deviceId)) { await ErrorAsync(http, 404, "DeviceNotFound", $"Device '{deviceId}' is not registered."); return; }
            if (registry.TryGetModuleKey(deviceId, moduleId, out _)) { await ErrorAsync(http, 409, "ModuleAlreadyExists", $"Module '{deviceId}/{moduleId}' already exists."); return; }
            registry.AddModule(deviceId, moduleId);
        }
        await JsonAsync(http, 201, new JsonObject { ["deviceId"] = deviceId, ["moduleId"] = moduleId, ["connectionString"] = ConnectionString(deviceId, moduleId) });
    }

    private async Task ConnectionStringAsync(HttpContext http, string id)
    {
        var slash = id.IndexOf('/');
        var (deviceId, moduleId) = slash < 0 ? (id, null) : (id[..slash], id[(slash + 1)..]);
        if (ConnectionString(deviceId, moduleId) is not { } cs) { await ErrorAsync(http, 404, "DeviceNotFound", $"'{HubCore.Escape(id)}' is not registered."); return; }
        await JsonAsync(http, 200, new JsonObject { ["deviceId"] = deviceId, ["moduleId"] = moduleId, ["connectionString"] = cs });
    }

    /// <summary>As <see cref="LocalHub.DeviceConnectionString"/>: the gateway carries the port when it is not 5671.</summary>
    private string? ConnectionString(string deviceId, string? moduleId)
    {
        var registry = _hub.Options.Registry;
        string key;
        if (moduleId is null ? !registry.TryGetDeviceKey(deviceId, out key) : !registry.TryGetModuleKey(deviceId, moduleId, out key)) return null;
        var gateway = _hub.Port == 5671 ? "127.0.0.1" : $"127.0.0.1:{_hub.Port}";
        var module = moduleId is null ? "" : $";ModuleId={moduleId}";
        return $"HostName={_hub.HostName};DeviceId={deviceId}{module};SharedAccessKey={key};GatewayHostName={gateway}";
    }

    private async Task SendC2dAsync(HttpContext http, string deviceId)
    {
        var body = await ReadJsonAsync(http.Request);
        var ack = (body["ack"]?.GetValue<string>() ?? "none").ToLowerInvariant();
        if (ack is not ("none" or "positive" or "negative" or "full")) { await ErrorAsync(http, 400, "ArgumentInvalid", "ack must be none, positive, negative or full."); return; }
        var messageId = body["messageId"]?.GetValue<string>() is { Length: > 0 } m ? m : Guid.NewGuid().ToString();
        if (messageId.Length > HubCore.MaxMessageIdLength) { await ErrorAsync(http, 400, "ArgumentInvalid", $"messageId is longer than {HubCore.MaxMessageIdLength} characters."); return; }
        var bytes = Encoding.UTF8.GetBytes(body["body"]?.GetValue<string>() ?? "");
        if (bytes.Length > _hub.Options.C2dMaxMessageSize) { await ErrorAsync(http, 400, "MessageTooLarge", $"C2D body exceeds {_hub.Options.C2dMaxMessageSize} bytes."); return; }
        var properties = new Dictionary<string, object?>();
        if (body["properties"] is JsonObject props)
        {
            if (props.Count > WebViews.MaxProperties) { await ErrorAsync(http, 400, "ArgumentInvalid", $"At most {WebViews.MaxProperties} properties."); return; }
            foreach (var kv in props) properties[kv.Key] = kv.Value?.ToString();
        }
        var ttl = body["ttlSeconds"]?.GetValue<int>() ?? 0;
        if (ttl < 0) { await ErrorAsync(http, 400, "ArgumentInvalid", "ttlSeconds must be 0 (no expiry) or more."); return; }
        var result = _hub.EnqueueC2d(deviceId, new CloudToDeviceMessage
        {
            Body = bytes, MessageId = messageId, Ack = ack, Properties = properties,
            CorrelationId = body["correlationId"]?.GetValue<string>() is { Length: > 0 } c ? c : null,
            ExpiresAt = ttl > 0 ? _hub.Time.GetUtcNow().AddSeconds(ttl) : null,
        });
        var status = result switch { C2dEnqueueResult.Enqueued => 202, C2dEnqueueResult.DeviceNotFound => 404, _ => 429 };
        if (status != 202) { await ErrorAsync(http, status, result.ToString(), $"C2D message for '{HubCore.Escape(deviceId)}' refused: {result}."); return; }
        await JsonAsync(http, 202, new JsonObject { ["messageId"] = messageId, ["deviceId"] = deviceId, ["ack"] = ack, ["queued"] = _hub.C2d.Depth(deviceId) });
    }

    private static async Task<JsonObject> ReadJsonAsync(HttpRequest request)
    {
        if (!(request.ContentType ?? "").StartsWith("application/json", StringComparison.OrdinalIgnoreCase))
            throw new ArgumentException("Content-Type must be application/json.");
        using var reader = new StreamReader(request.Body, Encoding.UTF8);
        return JsonNode.Parse(await reader.ReadToEndAsync()) as JsonObject ?? throw new ArgumentException("The body must be a JSON object.");
    }

    private static Task JsonAsync(HttpContext http, int status, JsonNode json)
    {
        http.Response.StatusCode = status;
        http.Response.ContentType = "application/json; charset=utf-8";
        return http.Response.WriteAsync(json.ToJsonString());
    }

    private static Task ErrorAsync(HttpContext http, int status, string code, string text) => ServiceRest.ErrorAsync(http, status, code, text);

    [GeneratedRegex(@"^[A-Za-z0-9\-.%_*?!(),:=@$']{1,128}$")]
    private static partial Regex IdPattern();

    public void Dispose() => Feed.Dispose();
}
