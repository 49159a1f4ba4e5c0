using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;

namespace IotHubAmqp.LocalHub.Tests;

/// <summary>The service REST API's answers and error paths (wire-2 §8), over TLS with the hub CA trusted.</summary>
public class ServiceRestTests
{
    private static HttpClient Http(LocalHub hub, string? token = null)
    {
        var handler = new SocketsHttpHandler();
        handler.SslOptions.RemoteCertificateValidationCallback = TestClient.Validator(hub.CaCertificate);
        var http = new HttpClient(handler) { BaseAddress = new Uri($"https://localhost:{hub.RestPort}"), Timeout = TimeSpan.FromSeconds(30) };
        http.DefaultRequestHeaders.TryAddWithoutValidation("Authorization", token ?? hub.CreateServiceToken(TimeSpan.FromHours(1)));
        return http;
    }

    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    private static async Task<JsonObject> AssertErrorAsync(HttpResponseMessage response, HttpStatusCode status, string code)
    {
        Assert.Equal(status, response.StatusCode);
        Assert.Equal(code, response.Headers.GetValues("iothub-errorcode").Single());
        Assert.Equal("application/json; charset=utf-8", response.Content.Headers.ContentType!.ToString());
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsObject();
        Assert.StartsWith($"ErrorCode:{code};", body["Message"]!.GetValue<string>());
        return body;
    }

    [Fact]
    public async Task A_device_token_or_a_bad_signature_is_refused_with_401()
    {
        using var hub = Hubs.Start();
        using var deviceToken = Http(hub, hub.CreateDeviceToken("dev1", TimeSpan.FromHours(1)));
        await AssertErrorAsync(await deviceToken.GetAsync("/twins/dev1?api-version=2021-04-12"), HttpStatusCode.Unauthorized, "IoTHubUnauthorized");
        var forged = SasToken.Create(hub.HostName, new byte[32], DateTimeOffset.UtcNow.AddHours(1), hub.Registry.ServicePolicyName);
        using var badSig = Http(hub, forged);
        await AssertErrorAsync(await badSig.GetAsync("/twins/dev1?api-version=2021-04-12"), HttpStatusCode.Unauthorized, "IoTHubUnauthorized");
    }

    [Fact]
    public async Task Policies_without_ServiceConnect_are_refused_and_iothubowner_is_accepted()
    {
        using var hub = Hubs.Start();
        string Token(string policy) => SasToken.Create(hub.HostName, Convert.FromBase64String(AccessPolicies.Find(hub.Registry, policy)!.Key),
            DateTimeOffset.UtcNow.AddHours(1), policy);
        using var registryRead = Http(hub, Token("registryRead"));
        var refused = await registryRead.GetAsync("/twins/dev1?api-version=2021-04-12");
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.Contains("ServiceConnect", await refused.Content.ReadAsStringAsync());
        using var owner = Http(hub, Token("iothubowner"));
        Assert.Equal(HttpStatusCode.OK, (await owner.GetAsync("/twins/dev1?api-version=2021-04-12")).StatusCode);
    }

    [Fact]
    public async Task A_missing_api_version_or_a_non_json_body_is_a_400()
    {
        using var hub = Hubs.Start();
        using var http = Http(hub);
        await AssertErrorAsync(await http.GetAsync("/twins/dev1"), HttpStatusCode.BadRequest, "InvalidProtocolVersion");
        var text = new StringContent("{}", Encoding.UTF8, "text/plain");
        await AssertErrorAsync(await http.PatchAsync("/twins/dev1?api-version=2021-04-12", text), HttpStatusCode.BadRequest, "ArgumentInvalid");
    }

    [Fact]
    public async Task An_unknown_device_or_module_is_a_404_DeviceNotFound()
    {
        using var hub = Hubs.Start();
        using var http = Http(hub);
        await AssertErrorAsync(await http.GetAsync("/twins/nobody?api-version=2021-04-12"), HttpStatusCode.NotFound, "DeviceNotFound");
        await AssertErrorAsync(await http.PostAsync("/twins/nobody/methods?api-version=2021-04-12", Json("{\"methodName\":\"m\"}")),
            HttpStatusCode.NotFound, "DeviceNotFound");
        await AssertErrorAsync(await http.GetAsync("/twins/dev1/modules/nomod?api-version=2021-04-12"), HttpStatusCode.NotFound, "ModuleNotFound");
    }

    [Fact]
    public async Task A_patch_with_a_stale_etag_is_a_412_and_a_matching_one_bumps_the_desired_version()
    {
        using var hub = Hubs.Start();
        using var http = Http(hub);
        var twin = JsonNode.Parse(await http.GetStringAsync("/twins/dev1?api-version=2021-04-12"))!;
        var etag = twin["etag"]!.GetValue<string>();
        var patch = Json("{\"properties\":{\"desired\":{\"a\":1}},\"tags\":{\"floor\":2}}");
        var request = new HttpRequestMessage(HttpMethod.Patch, "/twins/dev1?api-version=2021-04-12") { Content = patch };
        request.Headers.TryAddWithoutValidation("If-Match", $"\"{etag}\"");
        var ok = await http.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        var updated = JsonNode.Parse(await ok.Content.ReadAsStringAsync())!;
        Assert.Equal(2, updated["properties"]!["desired"]!["$version"]!.GetValue<long>());
        Assert.Equal(1, updated["properties"]!["desired"]!["a"]!.GetValue<int>());
        Assert.Equal(2, updated["tags"]!["floor"]!.GetValue<int>());
        Assert.NotNull(updated["properties"]!["desired"]!["$metadata"]!["a"]!["$lastUpdated"]);
        Assert.NotEqual(etag, updated["etag"]!.GetValue<string>());

        var stale = new HttpRequestMessage(HttpMethod.Patch, "/twins/dev1?api-version=2021-04-12") { Content = Json("{\"tags\":{\"x\":1}}") };
        stale.Headers.TryAddWithoutValidation("If-Match", $"\"{etag}\"");
        await AssertErrorAsync(await http.SendAsync(stale), HttpStatusCode.PreconditionFailed, "PreconditionFailed");
    }

    [Fact]
    public async Task A_desired_section_over_32_KB_is_refused_with_400()
    {
        using var hub = Hubs.Start();
        using var http = Http(hub);
        var big = new JsonObject();
        for (var i = 0; i < 40; i++) big["k" + i] = new string('x', 1000);
        var body = new JsonObject { ["properties"] = new JsonObject { ["desired"] = big } }.ToJsonString();
        var error = await AssertErrorAsync(await http.PatchAsync("/twins/dev1?api-version=2021-04-12", Json(body)), HttpStatusCode.BadRequest, "ArgumentInvalid");
        Assert.Contains("32768", error["Message"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_method_on_a_device_without_method_links_is_a_404_DeviceNotOnline()
    {
        using var hub = Hubs.Start();
        using var http = Http(hub);
        await AssertErrorAsync(await http.PostAsync("/twins/dev1/methods?api-version=2021-04-12", Json("{\"methodName\":\"m\",\"payload\":null}")),
            HttpStatusCode.NotFound, "DeviceNotOnline");
    }

    [Fact]
    public async Task Method_calls_over_the_rate_are_a_429_ThrottlingException_and_pass_again_later()
    {
        using var hub = Hubs.Start(o => o.MethodCallsPerSecondPerIdentity = 1);
        using var http = Http(hub);
        const string Call = "{\"methodName\":\"m\",\"payload\":null}";
        // The burst (two) reaches the device check (404: not online), the third is throttled before it.
        for (int i = 0; i < 2; i++)
            await AssertErrorAsync(await http.PostAsync("/twins/dev1/methods?api-version=2021-04-12", Json(Call)), HttpStatusCode.NotFound, "DeviceNotOnline");
        var body = await AssertErrorAsync(await http.PostAsync("/twins/dev1/methods?api-version=2021-04-12", Json(Call)),
            (HttpStatusCode)429, "ThrottlingException");
        Assert.Contains("per second", body["ExceptionMessage"]!.GetValue<string>());
        // Another identity has its own bucket; the throttled one refills at the rate.
        await AssertErrorAsync(await http.PostAsync("/twins/dev2/methods?api-version=2021-04-12", Json(Call)), HttpStatusCode.NotFound, "DeviceNotOnline");
        await Task.Delay(1200);
        await AssertErrorAsync(await http.PostAsync("/twins/dev1/methods?api-version=2021-04-12", Json(Call)), HttpStatusCode.NotFound, "DeviceNotOnline");
    }

    [Fact]
    public async Task A_method_the_device_never_answers_is_a_504_after_the_response_timeout()
    {
        using var hub = Hubs.Start();
        await using var device = await TestClient.ConnectDeviceAsync(hub, "dev1");
        var requests = await device.ReceiverAsync("/devices/dev1/methods/devicebound");
        using var http = Http(hub);
        var started = DateTime.UtcNow;
        var response = await http.PostAsync("/twins/dev1/methods?api-version=2021-04-12",
            Json("{\"methodName\":\"slow\",\"payload\":{},\"responseTimeoutInSeconds\":5}"));
        await AssertErrorAsync(response, HttpStatusCode.GatewayTimeout, "GatewayTimeout");
        Assert.InRange(DateTime.UtcNow - started, TimeSpan.FromSeconds(4.5), TimeSpan.FromSeconds(15));
        var request = await requests.ReceiveMessageAsync(TimeSpan.FromSeconds(1));
        Assert.NotNull(request);   // the request did reach the device
    }
}
