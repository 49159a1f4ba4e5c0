using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using IotHubAmqp.LocalHub.Web;
using Microsoft.Azure.Amqp;
using Microsoft.Azure.Amqp.Framing;

namespace IotHubAmqp.LocalHub.Tests;

/// <summary>The web console's page and API (/ui/ on the REST port): credential, same-origin, cut and escaped data.</summary>
public class WebPageTests
{
    private static HttpClient Http(LocalHub hub, string? token)
    {
        var handler = new SocketsHttpHandler { AllowAutoRedirect = false };
        handler.SslOptions.RemoteCertificateValidationCallback = TestClient.Validator(hub.CaCertificate);
        var http = new HttpClient(handler) { BaseAddress = new Uri($"https://localhost:{hub.RestPort}"), Timeout = TimeSpan.FromSeconds(30) };
        if (token is not null) http.DefaultRequestHeaders.TryAddWithoutValidation("Authorization", token);
        return http;
    }

    private static string Owner(LocalHub hub) => hub.CreatePolicyToken("iothubowner", TimeSpan.FromHours(1));

    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    private static async Task<JsonObject> StateAsync(HttpClient http)
    {
        var response = await http.GetAsync("/ui/api/state");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsObject();
    }

    [Fact]
    public async Task The_page_is_served_from_the_assembly_with_a_strict_content_security_policy()
    {
        using var hub = Hubs.Start();
        using var http = Http(hub, null);
        var page = await http.GetAsync("/ui/");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Equal("text/html; charset=utf-8", page.Content.Headers.ContentType!.ToString());
        var csp = page.Headers.GetValues("Content-Security-Policy").Single();
        Assert.Contains("script-src 'self'", csp);
        Assert.Contains("connect-src 'self'", csp);
        Assert.Contains("frame-ancestors 'none'", csp);
        Assert.DoesNotContain("unsafe", csp);
        Assert.Equal("DENY", page.Headers.GetValues("X-Frame-Options").Single());
        Assert.Equal("nosniff", page.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.Contains("<script src=\"app.js\"></script>", await page.Content.ReadAsStringAsync());
        var root = await http.GetAsync("/");
        Assert.Equal(HttpStatusCode.Redirect, root.StatusCode);
        Assert.Equal("/ui/", root.Headers.Location!.ToString());
        // Only the embedded files are served, by exact name.
        foreach (var other in new[] { "/ui/nothing.js", "/ui/..%2Fapp.js", "/ui/web/app.js", "/ui/App.js" })
            Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync(other)).StatusCode);
        // Device data reaches the page only through textContent: no script builds HTML from strings.
        foreach (var script in new[] { "app.js", "views.js", "chart.js" })
        {
            var response = await http.GetAsync("/ui/" + script);
            Assert.Equal("text/javascript; charset=utf-8", response.Content.Headers.ContentType!.ToString());
            var text = await response.Content.ReadAsStringAsync();
            foreach (var sink in new[] { "innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(", "new Function" })
                Assert.DoesNotContain(sink, text);
        }
    }

    [Fact]
    public async Task The_api_refuses_requests_without_the_service_credential()
    {
        using var hub = Hubs.Start();
        foreach (var token in new string?[]
                 {
                     null, "garbage", hub.CreateDeviceToken("dev1", TimeSpan.FromHours(1)),
                     hub.CreatePolicyToken("registryRead", TimeSpan.FromHours(1)),
                     SasToken.Create(hub.HostName, new byte[32], DateTimeOffset.UtcNow.AddHours(1), "iothubowner"),
                 })
        {
            using var http = Http(hub, token);
            foreach (var path in new[] { "/ui/api/state", "/ui/api/events", "/ui/api/devices/dev1/connection-string" })
            {
                var response = await http.GetAsync(path);
                Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
                Assert.Equal("IoTHubUnauthorized", response.Headers.GetValues("iothub-errorcode").Single());
            }
            var send = await http.PostAsync("/ui/api/devices/dev1/messages", Json("{\"body\":\"x\"}"));
            Assert.Equal(HttpStatusCode.Unauthorized, send.StatusCode);
        }
        Assert.Equal(0, hub.GetC2dQueueDepth("dev1"));
        // The service policy drives devices but cannot write the registry nor read device keys.
        using var service = Http(hub, hub.CreateServiceToken(TimeSpan.FromHours(1)));
        await StateAsync(service);
        var add = await service.PostAsync("/ui/api/devices", Json("{\"deviceId\":\"new1\"}"));
        Assert.Equal(HttpStatusCode.Unauthorized, add.StatusCode);
        Assert.Contains("RegistryWrite", await add.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.Unauthorized, (await service.GetAsync("/ui/api/devices/dev1/connection-string")).StatusCode);
        Assert.False(hub.Registry.Contains("new1"));
        using var owner = Http(hub, Owner(hub));
        var added = await owner.PostAsync("/ui/api/devices", Json("{\"deviceId\":\"new1\"}"));
        Assert.Equal(HttpStatusCode.Created, added.StatusCode);
        var cs = JsonNode.Parse(await added.Content.ReadAsStringAsync())!["connectionString"]!.GetValue<string>();
        Assert.Equal(hub.DeviceConnectionString("new1"), cs);
        Assert.Equal(HttpStatusCode.Conflict, (await owner.PostAsync("/ui/api/devices", Json("{\"deviceId\":\"new1\"}"))).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await owner.PostAsync("/ui/api/devices", Json("{\"deviceId\":\"a b\"}"))).StatusCode);
    }

    [Theory]
    [InlineData("Origin", "https://evil.example")]
    [InlineData("Origin", "null")]
    [InlineData("Sec-Fetch-Site", "cross-site")]
    [InlineData("Sec-Fetch-Site", "same-site")]
    public async Task The_api_refuses_cross_origin_requests_even_with_the_credential(string header, string value)
    {
        using var hub = Hubs.Start();
        using var http = Http(hub, Owner(hub));
        foreach (var (method, path, body) in new[] { ("GET", "/ui/api/state", (string?)null), ("GET", "/ui/api/events", null),
                     ("POST", "/ui/api/devices/dev1/messages", "{\"body\":\"x\"}"), ("OPTIONS", "/ui/api/state", null) })
        {
            using var request = new HttpRequestMessage(new HttpMethod(method), path) { Content = body is null ? null : Json(body) };
            request.Headers.TryAddWithoutValidation(header, value);
            var response = await http.SendAsync(request);
            Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
            Assert.Equal("CrossOriginRefused", response.Headers.GetValues("iothub-errorcode").Single());
            Assert.False(response.Headers.Contains("Access-Control-Allow-Origin"));
        }
        Assert.Equal(0, hub.GetC2dQueueDepth("dev1"));
        // A foreign Host (DNS rebinding) is refused even when Origin matches it.
        // (The client then sends that name in SNI too: the chain is still checked, the name mismatch is what is tested.)
        var handler = new SocketsHttpHandler();
        var validate = TestClient.Validator(hub.CaCertificate);
        handler.SslOptions.RemoteCertificateValidationCallback = (s, c, ch, e) => validate(s, c, ch, e & ~System.Net.Security.SslPolicyErrors.RemoteCertificateNameMismatch);
        using var foreign = new HttpClient(handler) { BaseAddress = http.BaseAddress };
        using var rebound = new HttpRequestMessage(HttpMethod.Get, "/ui/api/state");
        rebound.Headers.Host = $"evil.example:{hub.RestPort}";
        rebound.Headers.TryAddWithoutValidation("Authorization", Owner(hub));
        rebound.Headers.TryAddWithoutValidation("Origin", $"https://evil.example:{hub.RestPort}");
        Assert.Equal(HttpStatusCode.MisdirectedRequest, (await foreign.SendAsync(rebound)).StatusCode);
        // The page's own origin is fine.
        using var same = new HttpRequestMessage(HttpMethod.Get, "/ui/api/state");
        same.Headers.TryAddWithoutValidation("Origin", $"https://localhost:{hub.RestPort}");
        same.Headers.TryAddWithoutValidation("Sec-Fetch-Site", "same-origin");
        Assert.Equal(HttpStatusCode.OK, (await http.SendAsync(same)).StatusCode);
    }

    [Fact]
    public async Task Telemetry_is_cut_to_the_limit_and_reaches_the_page_as_json_text_only()
    {
        using var hub = Hubs.Start();
        await using var device = await TestClient.ConnectDeviceAsync(hub, "dev1");
        var sender = await device.SenderAsync("/devices/dev1/messages/events");
        const string hostile = "<script>alert(1)</script><img src=x onerror=alert(2)>";
        var withProps = TestClient.Telemetry(hostile, "hostile-1");
        withProps.ApplicationProperties.Map["<b>key</b>"] = new string('p', 1000);
        Assert.IsType<Accepted>(await TestClient.SendAsync(sender, withProps));
        Assert.IsType<Accepted>(await TestClient.SendAsync(sender, TestClient.Telemetry(new string('A', 256 * 1024), "big-1")));
        var binary = AmqpMessage.Create(new Data { Value = new ArraySegment<byte>(new byte[] { 0, 1, 2, 0xff, 0xfe }) });
        Assert.IsType<Accepted>(await TestClient.SendAsync(sender, binary));

        using var http = Http(hub, Owner(hub));
        var response = await http.GetAsync("/ui/api/state");
        Assert.Equal("application/json; charset=utf-8", response.Content.Headers.ContentType!.ToString());
        Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
        var raw = await response.Content.ReadAsStringAsync();
        Assert.DoesNotContain("<script>", raw);   // JSON escapes < and >, and the page shows it with textContent
        Assert.True(raw.Length < 64 * 1024, $"state is {raw.Length} characters: the 256 KB body was not cut");
        var telemetry = JsonNode.Parse(raw)!["telemetry"]!.AsArray();
        Assert.Equal(3, telemetry.Count);
        var first = telemetry[0]!;
        Assert.Equal(hostile, first["bodyText"]!.GetValue<string>());
        Assert.False(first["truncated"]!.GetValue<bool>());
        Assert.Equal("hostile-1", first["properties"]!["message-id"]!.GetValue<string>());
        Assert.Equal(new string('p', WebViews.MaxValueChars) + "…", first["applicationProperties"]!["<b>key</b>"]!.GetValue<string>());
        Assert.Equal("dev1", first["annotations"]!["iothub-connection-device-id"]!.GetValue<string>());
        Assert.NotNull(first["annotations"]!["x-opt-enqueued-time"]);
        Assert.Equal(hub.GetTelemetry("dev1")[0].Partition, first["partition"]!.GetValue<int>());
        var big = telemetry[1]!;
        Assert.Equal(256 * 1024, big["bodyLength"]!.GetValue<int>());
        Assert.True(big["truncated"]!.GetValue<bool>());
        Assert.Equal(WebViews.MaxBodyBytes + 1, big["bodyText"]!.GetValue<string>().Length);
        var bin = telemetry[2]!;
        Assert.Null(bin["bodyText"]);
        Assert.Equal("000102FFFE", bin["bodyHex"]!.GetValue<string>());
    }

    [Fact]
    public async Task Events_stream_live_telemetry_and_refusals_without_keys_or_tokens()
    {
        using var hub = Hubs.Start();
        using var http = Http(hub, Owner(hub));
        using var response = await http.GetAsync("/ui/api/events", HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal("text/event-stream; charset=utf-8", response.Content.Headers.ContentType!.ToString());
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        Assert.Equal(": connected", await reader.ReadLineAsync());

        // A refused put-token whose token is garbage-with-a-signature, then real telemetry.
        var forged = SasToken.Create($"{hub.HostName}/devices/dev1", new byte[32], DateTimeOffset.UtcNow.AddHours(1));
        await using (var anonymous = await TestClient.ConnectAsync(hub, SaslMode.Anonymous))
        {
            var (status, _) = await anonymous.PutTokenAsync(forged, $"{hub.HostName}/devices/dev1");
            Assert.Equal(401, status);
        }
        await using var device = await TestClient.ConnectDeviceAsync(hub, "dev1");
        var sender = await device.SenderAsync("/devices/dev1/messages/events");
        await TestClient.SendAsync(sender, TestClient.Telemetry("{\"t\":1}", "live-1"));

        var seen = new StringBuilder();
        string? kind = null;
        bool refusal = false, telemetry = false;
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        while (!(refusal && telemetry))
        {
            var line = await reader.ReadLineAsync(cts.Token) ?? throw new EndOfStreamException(seen.ToString());
            seen.AppendLine(line);
            if (line.StartsWith("event: ")) kind = line[7..];
            else if (line.StartsWith("data: "))
            {
                var data = JsonNode.Parse(line[6..])!;
                if (kind == "refusal" && data["kind"]!.GetValue<string>() == "AuthenticationFailed") refusal = true;
                if (kind == "telemetry" && data["properties"]!["message-id"]!.GetValue<string>() == "live-1") telemetry = true;
            }
        }
        var sig = forged.Split("sig=")[1].Split('&')[0];
        Assert.DoesNotContain(sig, seen.ToString());
        Assert.DoesNotContain(Uri.UnescapeDataString(sig), seen.ToString());
        Assert.DoesNotContain(hub.Registry.ServicePolicyKey, seen.ToString());
    }

    [Fact]
    public async Task A_c2d_message_from_the_page_reaches_the_device_with_its_properties_and_ack()
    {
        using var hub = Hubs.Start();
        await using var device = await TestClient.ConnectDeviceAsync(hub, "dev1");
        var receiver = await device.ReceiverAsync("/devices/dev1/messages/devicebound");
        using var http = Http(hub, Owner(hub));
        var sent = await http.PostAsync("/ui/api/devices/dev1/messages",
            Json("{\"body\":\"on\",\"messageId\":\"page-1\",\"ack\":\"full\",\"properties\":{\"color\":\"red\"},\"ttlSeconds\":60}"));
        Assert.Equal(HttpStatusCode.Accepted, sent.StatusCode);
        var message = await receiver.ReceiveMessageAsync(TestClient.Timeout) ?? throw new TimeoutException("no C2D");
        Assert.Equal("page-1", message.Properties.MessageId.ToString());
        Assert.Equal("red", message.ApplicationProperties.Map["color"]);
        Assert.NotNull(message.Properties.AbsoluteExpiryTime);
        receiver.AcceptMessage(message, false);
        await Wait.UntilAsync(() => hub.GetFeedback().Any(f => f.OriginalMessageId == "page-1" && f.StatusCode == "Success"), "Success feedback");
        using var owner = Http(hub, Owner(hub));
        await Wait.UntilAsync(() => StateAsync(owner).Result["c2d"]!.AsArray().Any(o => o!["messageId"]!.GetValue<string>() == "page-1"
            && o["status"]!.GetValue<string>() == "Success" && o["feedback"]!.GetValue<bool>()), "Success outcome in the page state");

        // Rejected by the device, and expired while dev2 is offline: both outcomes reach the page, with their feedback.
        Assert.Equal(HttpStatusCode.Accepted, (await http.PostAsync("/ui/api/devices/dev1/messages", Json("{\"body\":\"no\",\"messageId\":\"page-2\",\"ack\":\"negative\"}"))).StatusCode);
        var second = await receiver.ReceiveMessageAsync(TestClient.Timeout) ?? throw new TimeoutException("no second C2D");
        receiver.RejectMessage(second, new Exception("no"));
        Assert.Equal(HttpStatusCode.Accepted, (await http.PostAsync("/ui/api/devices/dev2/messages", Json("{\"messageId\":\"page-3\",\"ack\":\"full\",\"ttlSeconds\":1}"))).StatusCode);
        bool Outcome(string id, string status) => StateAsync(owner).Result["c2d"]!.AsArray()
            .Any(o => o!["messageId"]!.GetValue<string>() == id && o["status"]!.GetValue<string>() == status && o["feedback"]!.GetValue<bool>());
        await Wait.UntilAsync(() => Outcome("page-2", "Rejected"), "Rejected outcome");
        await Wait.UntilAsync(() => Outcome("page-3", "Expired"), "Expired outcome", TimeSpan.FromSeconds(10));

        Assert.Equal(HttpStatusCode.BadRequest, (await http.PostAsync("/ui/api/devices/dev1/messages", Json("{\"ack\":\"always\"}"))).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await http.PostAsync("/ui/api/devices/dev1/messages", Json($"{{\"messageId\":\"{new string('m', 129)}\"}}"))).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await http.PostAsync("/ui/api/devices/dev1/messages", Json($"{{\"body\":\"{new string('b', 65 * 1024)}\"}}"))).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await http.PostAsync("/ui/api/devices/dev1/messages", new StringContent("{}"))).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await http.PostAsync("/ui/api/devices/nobody/messages", Json("{\"body\":\"x\"}"))).StatusCode);
    }

    [Fact]
    public async Task Devices_show_auth_mode_connections_reconnects_token_renewals_and_message_counts()
    {
        using var cert = DeviceCertificates.SelfSigned("dev-x");
        using var hub = Hubs.Start(o =>
        {
            o.Registry.AddModule("dev2", "filter");
            o.Registry.AddX509Device("dev-x", cert.Thumbprint);
        });
        // dev1: SASL PLAIN, twice (a reconnect), one telemetry message.
        await (await TestClient.ConnectDeviceAsync(hub, "dev1")).DisposeAsync();
        await using var dev1 = await TestClient.ConnectDeviceAsync(hub, "dev1");
        var sender = await dev1.SenderAsync("/devices/dev1/messages/events");
        await TestClient.SendAsync(sender, TestClient.Telemetry("{}"));
        // dev2: CBS put-token, then a second token on the same connection (a renewal).
        await using var dev2 = await TestClient.ConnectAsync(hub, SaslMode.Anonymous);
        var audience = $"{hub.HostName}/devices/dev2";
        Assert.Equal(200, (await dev2.PutTokenAsync(hub.CreateDeviceToken("dev2", TimeSpan.FromHours(1)), audience)).Status);
        Assert.Equal(200, (await dev2.PutTokenAsync(hub.CreateDeviceToken("dev2", TimeSpan.FromHours(2)), audience)).Status);

        // dev-x: X.509, the certificate in the TLS handshake and no SASL layer.
        await using var devx = await TestClient.ConnectAsync(hub, SaslMode.None, clientCertificate: cert);
        await hub.WaitForEventAsync(e => e.Kind == HubEventKind.Authenticated && e.DeviceId == "dev-x", TestClient.Timeout);

        using var http = Http(hub, Owner(hub));
        var devices = (await StateAsync(http))["devices"]!.AsArray().ToDictionary(d => d!["deviceId"]!.GetValue<string>(), d => d!);
        Assert.Equal(new[] { "dev-x", "dev1", "dev2" }, devices.Keys.Order(StringComparer.Ordinal));
        Assert.Equal("X.509", devices["dev-x"]["auth"]!.GetValue<string>());
        Assert.Equal("PLAIN", devices["dev1"]["auth"]!.GetValue<string>());
        Assert.Equal(1, devices["dev1"]["connected"]!.GetValue<int>());
        Assert.Equal(1, devices["dev1"]["reconnects"]!.GetValue<long>());
        Assert.Equal(0, devices["dev1"]["renewals"]!.GetValue<long>());
        Assert.Equal(1, devices["dev1"]["in"]!.GetValue<long>());
        Assert.NotNull(devices["dev1"]["lastActivity"]);
        Assert.Equal("SAS/CBS", devices["dev2"]["auth"]!.GetValue<string>());
        Assert.Equal(0, devices["dev2"]["reconnects"]!.GetValue<long>());
        Assert.Equal(1, devices["dev2"]["renewals"]!.GetValue<long>());
        Assert.Equal("filter", devices["dev2"]["modules"]![0]!["moduleId"]!.GetValue<string>());
        var moduleCs = await http.GetAsync("/ui/api/devices/dev2%2Ffilter/connection-string");
        Assert.Equal(hub.ModuleConnectionString("dev2", "filter"), JsonNode.Parse(await moduleCs.Content.ReadAsStringAsync())!["connectionString"]!.GetValue<string>());
        var health = (await StateAsync(http))["health"]!;
        Assert.Equal(3, health["authenticated"]!.GetValue<int>());
        Assert.Equal(hub.Options.MaxObservedTelemetryBytes, health["memory"]!["observedTelemetry"]!["max"]!.GetValue<long>());
    }

    [Fact]
    public void A_body_is_text_only_when_its_head_is_utf8_without_control_characters()
    {
        ReceivedTelemetry Body(byte[] body) => new() { DeviceId = "d", Body = body, Properties = new Dictionary<string, object?>(),
            ApplicationProperties = new Dictionary<string, object?>() };
        JsonObject View(byte[] body) => WebViews.Telemetry(Body(body), Array.Empty<KeyValuePair<string, object?>>());
        // A two-byte character split by the cut is dropped, not turned into hex or a replacement character.
        var split = View(Encoding.UTF8.GetBytes(new string('A', WebViews.MaxBodyBytes - 1) + "é" + new string('B', 10)));
        Assert.Equal(new string('A', WebViews.MaxBodyBytes - 1) + "…", split["bodyText"]!.GetValue<string>());
        Assert.True(split["truncated"]!.GetValue<bool>());
        Assert.Equal("héllo\tworld\r\n", View(Encoding.UTF8.GetBytes("héllo\tworld\r\n"))["bodyText"]!.GetValue<string>());
        Assert.Equal("410A1B", View(new byte[] { 0x41, 0x0a, 0x1b })["bodyHex"]!.GetValue<string>());   // ESC is not text
        Assert.Equal("C3", View(new byte[] { 0xc3 })["bodyHex"]!.GetValue<string>());                   // a whole body cut mid-character is not text
        var bigBinary = View(new byte[5000]);
        Assert.Equal(WebViews.MaxHexBytes * 2, bigBinary["bodyHex"]!.GetValue<string>().Length);
        Assert.True(bigBinary["truncated"]!.GetValue<bool>());
    }

    [Fact]
    public async Task A_fast_device_is_thinned_out_on_the_live_stream_and_counted_exactly()
    {
        using var hub = Hubs.Start();
        using var http = Http(hub, Owner(hub));
        using var response = await http.GetAsync("/ui/api/events", HttpCompletionOption.ResponseHeadersRead);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        Assert.Equal(": connected", await reader.ReadLineAsync());
        await using var device = await TestClient.ConnectDeviceAsync(hub, "dev1");
        var sender = await device.SenderAsync("/devices/dev1/messages/events");
        const int total = 1000;
        var watch = System.Diagnostics.Stopwatch.StartNew();
        for (var i = 0; i < total; i += 50)
            await Task.WhenAll(Enumerable.Range(0, 50).Select(_ => TestClient.SendAsync(sender, TestClient.Telemetry("{\"n\":1}"))));
        var sending = watch.Elapsed;
        // Read until a stats frame accounts for every message: each one either pushed live or counted as skipped.
        int live = 0;
        long skipped = -1, counted = 0;
        string? kind = null;
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        while (live + skipped != total || counted != total)
        {
            var line = await reader.ReadLineAsync(cts.Token) ?? throw new EndOfStreamException();
            if (line.StartsWith("event: ")) kind = line[7..];
            else if (line.StartsWith("data: ") && kind == "telemetry") live++;
            else if (line.StartsWith("data: ") && kind == "stats")
            {
                var stats = JsonNode.Parse(line[6..])!;
                skipped = stats["health"]!["liveTelemetrySkipped"]!.GetValue<long>();
                counted = stats["devices"]!.AsArray().Single(d => d!["deviceId"]!.GetValue<string>() == "dev1")!["in"]!.GetValue<long>();
            }
        }
        // At most the live budget per started second of sending (plus the second the stats tick falls in).
        Assert.InRange(live, 1, WebFeed.LiveTelemetryPerSecond * ((int)sending.TotalSeconds + 2));
        if (sending < TimeSpan.FromSeconds(5)) Assert.True(skipped > 0, $"{total} messages in {sending} and none skipped");
    }

    [Fact]
    public async Task Stopping_the_hub_ends_an_open_event_stream_at_once()
    {
        var hub = Hubs.Start();
        try
        {
            using var http = Http(hub, Owner(hub));
            using var response = await http.GetAsync("/ui/api/events", HttpCompletionOption.ResponseHeadersRead);
            using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
            Assert.Equal(": connected", await reader.ReadLineAsync());
            var watch = System.Diagnostics.Stopwatch.StartNew();
            hub.Stop();
            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5), $"Stop took {watch.Elapsed} with a page open");
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            try { while (await reader.ReadLineAsync(cts.Token) is not null) { } }
            catch (IOException) { }   // or the connection is cut: either way the stream ended
        }
        finally { hub.Dispose(); }
    }

    [Theory]
    [InlineData("SharedAccessSignature sr=h%2Fdevices%2Fd&sig=AbC%2Bd%3D&se=1&skn=p")]
    [InlineData("Bad token: sr=x&sig=AbC%2Bd%3D&se=1")]
    [InlineData("HostName=h;DeviceId=d;SharedAccessKey=AbC+d=")]
    public void Reasons_are_redacted_before_the_page_sees_them(string reason)
    {
        var clean = WebViews.Redact(reason)!;
        Assert.DoesNotContain("AbC", clean);
        Assert.Contains("[redacted]", clean);
    }
}
