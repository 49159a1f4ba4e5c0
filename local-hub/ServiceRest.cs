using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace IotHubAmqp.LocalHub;

/// <summary>
/// IoT Hub's service REST surface for methods and twins (wire-2 §8), served by Kestrel over TLS with the hub's certificate.
/// </summary>
internal sealed class ServiceRest : IAsyncDisposable
{
    /// <summary>Largest request body read (a twin or a method call with its 128 KB payload).</summary>
    public const int MaxRequestBody = 192 * 1024;
    private readonly HubCore _hub;
    private readonly TokenValidator _tokens;
    private WebApplication? _app;
    private readonly Web.WebConsole _web;

    public ServiceRest(HubCore hub, TokenValidator tokens) { _hub = hub; _tokens = tokens; _web = new Web.WebConsole(hub, tokens); }

    public int Port { get; private set; }

    public void Start(string bindAddress, int port)
    {
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrelCore().ConfigureKestrel(k =>
        {
            k.Limits.MaxRequestBodySize = MaxRequestBody;
            k.Listen(IPAddress.Parse(bindAddress), port, l => l.UseHttps(_hub.Certificates!.Server));
        });
        // The hub owns the process's signals: the host's console lifetime would swallow SIGTERM.
        builder.Services.AddSingleton<IHostLifetime, NoSignalLifetime>();
        var app = builder.Build();
        app.Run(HandleAsync);
        app.StartAsync().GetAwaiter().GetResult();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        Port = new Uri(address).Port;
        _app = app;
    }

    public async ValueTask DisposeAsync()
    {
        _web.Dispose();
        if (_app is null) return;
        var app = _app;
        _app = null;
        await app.StopAsync().ConfigureAwait(false);
        await app.DisposeAsync().ConfigureAwait(false);
    }

    private async Task HandleAsync(HttpContext http)
    {
        try
        {
            if (Web.WebConsole.Owns(http.Request)) { await _web.HandleAsync(http).ConfigureAwait(false); return; }
            await DispatchAsync(http).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is System.Text.Json.JsonException or FormatException or InvalidOperationException)
        {
            await ErrorAsync(http, 400, "ArgumentInvalid", "Request body is not valid JSON: " + ex.Message);
        }
        catch (TwinException ex)
        {
            await ErrorAsync(http, ex.Status, ex.Code, ex.Message);
        }
        catch (BadHttpRequestException ex) when (ex.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            await ErrorAsync(http, 413, "MessageTooLarge", $"Request body exceeds {MaxRequestBody} bytes.");
        }
    }

    private async Task DispatchAsync(HttpContext http)
    {
        var request = http.Request;
        // Methods and twins need a shared access policy with ServiceConnect (iothubowner, service), as on IoT Hub.
        var refusal = _tokens.Authorize(request.Headers.Authorization.ToString(), null, AccessRights.ServiceConnect);
        if (refusal is not null)
        {
            await ErrorAsync(http, 401, "IoTHubUnauthorized", refusal);
            return;
        }
        if (string.IsNullOrEmpty(request.Query["api-version"]))
        {
            await ErrorAsync(http, 400, "InvalidProtocolVersion", "The api-version query parameter is required.");
            return;
        }
        var parts = request.Path.Value!.Trim('/').Split('/').Select(Uri.UnescapeDataString).ToArray();
        if (parts.Length < 2 || parts[0] != "twins") { await ErrorAsync(http, 404, "NotFound", $"No resource at '{HubCore.Escape(request.Path)}'."); return; }
        var deviceId = parts[1];
        string? moduleId = parts.Length >= 4 && parts[2] == "modules" ? parts[3] : null;
        var rest = parts.Skip(moduleId is null ? 2 : 4).ToArray();
        var isMethods = rest.Length == 1 && rest[0] == "methods";
        if (!(rest.Length == 0 || isMethods)) { await ErrorAsync(http, 404, "NotFound", $"No resource at '{HubCore.Escape(request.Path)}'."); return; }
        var registry = _hub.Options.Registry;
        if (!registry.Contains(deviceId)) { await ErrorAsync(http, 404, "DeviceNotFound", $"Device '{HubCore.Escape(deviceId)}' is not registered."); return; }
        if (moduleId is not null && !registry.TryGetModuleKey(deviceId, moduleId, out _))
        {
            await ErrorAsync(http, 404, "ModuleNotFound", $"Module '{HubCore.Escape(moduleId)}' of device '{HubCore.Escape(deviceId)}' is not registered.");
            return;
        }
        var method = request.Method;
        if (method != "GET" && !(request.ContentType ?? "").StartsWith("application/json", StringComparison.OrdinalIgnoreCase))
        {
            await ErrorAsync(http, 400, "ArgumentInvalid", "Content-Type must be application/json.");
            return;
        }
        if (isMethods && method == "POST") { await InvokeAsync(http, deviceId, moduleId); return; }
        if (isMethods) { await ErrorAsync(http, 405, "MethodNotAllowed", "Direct methods take POST."); return; }
        var twin = _hub.Twins.Get(deviceId, moduleId);
        JsonObject? note = null;
        JsonObject view;
        if (method is "PATCH" or "PUT")
        {
            var body = await ReadJsonAsync(request) ?? throw new TwinException(400, "ArgumentInvalid", "Twin body must be a JSON object.");
            lock (twin)
            {
                var ifMatch = request.Headers.IfMatch.ToString();
                if (ifMatch.Length > 0 && ifMatch != "\"*\"" && ifMatch != "*" && ifMatch.Trim('"') != twin.ETag)
                    throw new TwinException(412, "PreconditionFailed", $"Etag {ifMatch} does not match the twin's \"{twin.ETag}\".");
                var now = _hub.Time.GetUtcNow();
                var desired = body["properties"]?["desired"] as JsonObject;
                var tags = body["tags"] as JsonObject;
                if (method == "PUT") note = twin.ReplaceDesiredAndTags(desired ?? new JsonObject(), tags ?? new JsonObject(), now);
                else
                {
                    if (tags is not null) twin.PatchTags(tags, now);
                    if (desired is not null) note = twin.PatchDesired(desired, now);
                }
                view = twin.ServiceView(_hub.IsConnected(deviceId, moduleId));
                if (note is not null) _hub.NotifyDesired(deviceId, moduleId, note, twin.DesiredVersion);
            }
        }
        else if (method == "GET")
        {
            lock (twin) view = twin.ServiceView(_hub.IsConnected(deviceId, moduleId));
        }
        else { await ErrorAsync(http, 405, "MethodNotAllowed", $"{method} is not served on twins."); return; }
        http.Response.Headers.ETag = $"\"{view["etag"]}\"";
        await JsonAsync(http, 200, view.ToJsonString());
    }

    private async Task InvokeAsync(HttpContext http, string deviceId, string? moduleId)
    {
        var body = await ReadJsonAsync(http.Request) ?? throw new TwinException(400, "ArgumentInvalid", "Method body must be a JSON object.");
        var name = body["methodName"]?.GetValue<string>();
        if (string.IsNullOrEmpty(name)) { await ErrorAsync(http, 400, "ArgumentInvalid", "methodName is required."); return; }
        var response = body["responseTimeoutInSeconds"]?.GetValue<int>() ?? 30;
        var connect = body["connectTimeoutInSeconds"]?.GetValue<int>() ?? 0;
        if (response is < 5 or > 300 || connect is < 0 or > 300)
        {
            await ErrorAsync(http, 400, "ArgumentInvalid", "responseTimeoutInSeconds must be 5..300 and connectTimeoutInSeconds 0..300.");
            return;
        }
        var payload = body["payload"]?.ToJsonString() ?? "null";
        if (Encoding.UTF8.GetByteCount(payload) > HubCore.MaxMethodPayload)
        {
            await ErrorAsync(http, 400, "MessageTooLarge", $"Method payload exceeds {HubCore.MaxMethodPayload} bytes.");
            return;
        }
        if (!_hub.MethodThrottle.TryTake(HubCore.IdentityKey(deviceId, moduleId), 1))
        {
            await ErrorAsync(http, 429, "ThrottlingException", $"Method calls to '{HubCore.Escape(deviceId)}' are over {_hub.Options.MethodCallsPerSecondPerIdentity} per second. Retry later.");
            return;
        }
        var outcome = await _hub.InvokeMethodAsync(deviceId, moduleId, name, payload, TimeSpan.FromSeconds(response),
            TimeSpan.FromSeconds(connect), http.RequestAborted);
        if (outcome.HttpStatus == 404)
        {
            await ErrorAsync(http, 404, "DeviceNotOnline", $"Timed out waiting for device '{HubCore.Escape(deviceId)}' to connect (no method link).");
            return;
        }
        if (outcome.HttpStatus == 504)
        {
            await ErrorAsync(http, 504, "GatewayTimeout", $"Timed out waiting for the response from device '{HubCore.Escape(deviceId)}'.");
            return;
        }
        JsonNode? devicePayload;
        try { devicePayload = HubCore.ParseJsonOrNull(outcome.PayloadJson); }
        catch (System.Text.Json.JsonException) { devicePayload = JsonValue.Create(outcome.PayloadJson); }
        await JsonAsync(http, 200, new JsonObject { ["status"] = outcome.DeviceStatus, ["payload"] = devicePayload }.ToJsonString());
    }

    private static async Task<JsonObject?> ReadJsonAsync(HttpRequest request)
    {
        using var reader = new StreamReader(request.Body, Encoding.UTF8);
        var text = await reader.ReadToEndAsync().ConfigureAwait(false);
        return JsonNode.Parse(text) as JsonObject;
    }

    private static Task JsonAsync(HttpContext http, int status, string json)
    {
        http.Response.StatusCode = status;
        http.Response.ContentType = "application/json; charset=utf-8";
        return http.Response.WriteAsync(json);
    }

    /// <summary>IoT Hub's error shape (wire-2 §8.3): Message "ErrorCode:Name;text" plus the iothub-errorcode header.</summary>
    internal static Task ErrorAsync(HttpContext http, int status, string code, string text)
    {
        http.Response.Headers["iothub-errorcode"] = code;
        var body = new JsonObject { ["Message"] = $"ErrorCode:{code};{text}", ["ExceptionMessage"] = text };
        return JsonAsync(http, status, body.ToJsonString());
    }

    internal sealed class NoSignalLifetime : IHostLifetime
    {
        public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;
        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
