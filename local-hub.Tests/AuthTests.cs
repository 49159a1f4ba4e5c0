using System.Security.Cryptography.X509Certificates;
using Microsoft.Azure.Amqp;
using Microsoft.Azure.Amqp.Framing;

namespace IotHubAmqp.LocalHub.Tests;

public class AuthTests
{
    [Fact]
    public void Certificate_has_the_hub_names_and_chains_to_the_written_ca()
    {
        using var hub = Hubs.Start();
        var pem = File.ReadAllText(hub.CaCertificatePath);
        Assert.Contains("BEGIN CERTIFICATE", pem);
        using var ca = X509Certificate2.CreateFromPem(pem);
        Assert.Equal(hub.CaCertificate.Thumbprint, ca.Thumbprint);
    }

    [Fact]
    public async Task Sasl_plain_device_token_opens_telemetry_link()
    {
        using var hub = Hubs.Start();
        await using var client = await TestClient.ConnectDeviceAsync(hub, "dev1");
        var link = await client.SenderAsync("/devices/dev1/messages/events");
        Assert.IsType<Accepted>(await TestClient.SendAsync(link, TestClient.Telemetry("hi")));
    }

    [Fact]
    public async Task Sasl_plain_module_user_with_a_module_token_opens_the_module_address()
    {
        using var hub = Hubs.Start();
        hub.Registry.TryGetDeviceKey("dev1", out var key);
        var token = SasToken.Create($"{hub.HostName}/devices/dev1/modules/m1", Convert.FromBase64String(key), DateTimeOffset.UtcNow.AddHours(1));
        await using var client = await TestClient.ConnectAsync(hub, SaslMode.Plain, $"dev1/modules/m1@sas.{hub.Options.HubName}", token);
        var link = await client.SenderAsync("/devices/dev1/modules/m1/messages/events");
        Assert.IsType<Accepted>(await TestClient.SendAsync(link, TestClient.Telemetry("m")));
    }

    [Fact]
    public async Task Sasl_plain_module_user_without_the_modules_segment_is_refused_naming_the_form()
    {
        using var hub = Hubs.Start();
        hub.Registry.TryGetDeviceKey("dev1", out var key);
        var token = SasToken.Create($"{hub.HostName}/devices/dev1/modules/m1", Convert.FromBase64String(key), DateTimeOffset.UtcNow.AddHours(1));
        await Assert.ThrowsAnyAsync<Exception>(() => TestClient.ConnectAsync(hub, SaslMode.Plain, $"dev1/m1@sas.{hub.Options.HubName}", token));
        var refused = await hub.WaitForEventAsync(e => e.Kind == HubEventKind.AuthenticationFailed, TestClient.Timeout);
        Assert.Contains("{id}/modules/{module}@sas.{hub}", refused.Reason);
    }

    [Fact]
    public void Connection_strings_name_the_hub_and_the_local_gateway()
    {
        using var hub = Hubs.Start();
        Assert.Contains($"HostName={hub.HostName};DeviceId=dev1;SharedAccessKey=", hub.DeviceConnectionString("dev1"));
        Assert.EndsWith($"GatewayHostName=127.0.0.1:{hub.Port}", hub.DeviceConnectionString("dev1"));
        Assert.Equal($"HostName={hub.HostName};SharedAccessKeyName=service;SharedAccessKey={hub.Registry.ServicePolicyKey}", hub.ServiceConnectionString);
    }

    [Fact]
    public async Task Sasl_plain_with_a_bad_signature_is_refused()
    {
        using var hub = Hubs.Start();
        var token = hub.CreateDeviceToken("dev2", TimeSpan.FromHours(1)); // dev2's token for dev1's user
        await Assert.ThrowsAnyAsync<Exception>(() => TestClient.ConnectAsync(hub, SaslMode.Plain, $"dev1@sas.{hub.Options.HubName}", token));
        await hub.WaitForEventAsync(e => e.Kind == HubEventKind.AuthenticationFailed, TestClient.Timeout);
    }

    [Theory]
    [InlineData("tampered", "Invalid signature.")]
    [InlineData("expired", "Token expired.")]
    [InlineData("other-device", "Token does not match the SASL user.")]
    public async Task A_refused_sasl_plain_ends_with_code_auth_and_a_log_line_naming_the_cause_without_the_token(string kind, string cause)
    {
        var lines = new System.Collections.Concurrent.ConcurrentQueue<string>();
        using var hub = Hubs.Start(o => o.Log = lines.Enqueue);
        var token = kind switch
        {
            "expired" => hub.CreateDeviceToken("dev1", TimeSpan.FromSeconds(-5)),
            "other-device" => hub.CreateDeviceToken("dev2", TimeSpan.FromHours(1)),
            _ => hub.CreateDeviceToken("dev1", TimeSpan.FromHours(1)).Replace("&se=", "A&se="),
        };
        var ex = await Assert.ThrowsAnyAsync<Exception>(() => TestClient.ConnectAsync(hub, SaslMode.Plain, $"dev1@sas.{hub.Options.HubName}", token));
        // AMQP 1.0 5.3.3.6: code auth (1) means bad credentials; sys (2) would tell the client to retry.
        Assert.Equal("Auth", Assert.IsType<UnauthorizedAccessException>(ex).Message);
        await hub.WaitForEventAsync(e => e.Kind == HubEventKind.AuthenticationFailed, TestClient.Timeout);
        var line = Assert.Single(lines, l => l.StartsWith("[AuthenticationFailed]", StringComparison.Ordinal));
        Assert.Contains($"SASL PLAIN user 'dev1@sas.{hub.Options.HubName}' refused: {cause}", line);
        var signature = token[(token.IndexOf("sig=", StringComparison.Ordinal) + 4)..token.IndexOf("&se=", StringComparison.Ordinal)];
        Assert.DoesNotContain(signature, line);
        Assert.DoesNotContain("SharedAccessSignature", line);
    }

    [Theory]
    [InlineData(SaslMode.Anonymous, "servicebus.windows.net:sastoken")]
    [InlineData(SaslMode.None, "azure-devices.net:sastoken")]
    [InlineData(SaslMode.Mssbcbs, "servicebus.windows.net:sastoken")]
    public async Task Cbs_put_token_authorizes_device_links(SaslMode mode, string type)
    {
        using var hub = Hubs.Start();
        await using var client = await TestClient.ConnectAsync(hub, mode);
        var (status, _) = await client.PutTokenAsync(hub.CreateDeviceToken("dev1", TimeSpan.FromHours(1)), $"{hub.HostName}/devices/dev1", type);
        Assert.Equal(200, status);
        var link = await client.SenderAsync($"amqps://{hub.HostName}/devices/dev1/messages/events");
        Assert.IsType<Accepted>(await TestClient.SendAsync(link, TestClient.Telemetry("x")));
    }

    [Fact]
    public async Task Cbs_rejects_bad_expired_and_foreign_tokens_with_401()
    {
        using var hub = Hubs.Start();
        await using var client = await TestClient.ConnectAsync(hub, SaslMode.Anonymous);
        Assert.Equal(401, (await client.PutTokenAsync("SharedAccessSignature sr=x&sig=y&se=1", "x")).Status);
        Assert.Equal(401, (await client.PutTokenAsync(hub.CreateDeviceToken("dev1", TimeSpan.FromSeconds(-10)), "x")).Status);
        hub.Registry.TryGetDeviceKey("dev1", out var key);
        var foreign = SasToken.Create("otherhub.azure-devices.net/devices/dev1", Convert.FromBase64String(key), DateTimeOffset.UtcNow.AddHours(1));
        Assert.Equal(401, (await client.PutTokenAsync(foreign, "x")).Status);
        var tampered = hub.CreateDeviceToken("dev1", TimeSpan.FromHours(1)).Replace("devices%2Fdev1", "devices%2Fdev2");
        Assert.Equal(401, (await client.PutTokenAsync(tampered, "x")).Status);
    }

    [Fact]
    public async Task Cbs_accepts_an_unencoded_audience_signed_as_sent()
    {
        using var hub = Hubs.Start();
        hub.Registry.TryGetDeviceKey("dev1", out var key);
        var se = DateTimeOffset.UtcNow.AddHours(1).ToUnixTimeSeconds();
        var sr = $"{hub.HostName}/devices/dev1";
        var sig = Convert.ToBase64String(System.Security.Cryptography.HMACSHA256.HashData(Convert.FromBase64String(key),
            System.Text.Encoding.UTF8.GetBytes($"{sr}\n{se}")));
        await using var client = await TestClient.ConnectAsync(hub, SaslMode.Anonymous);
        Assert.Equal(200, (await client.PutTokenAsync($"SharedAccessSignature sr={sr}&sig={Uri.EscapeDataString(sig)}&se={se}", sr)).Status);
    }

    [Fact]
    public async Task Device_link_before_token_is_refused_unauthorized()
    {
        using var hub = Hubs.Start();
        await using var client = await TestClient.ConnectAsync(hub, SaslMode.Anonymous);
        var ex = await Assert.ThrowsAsync<AmqpException>(() => client.SenderAsync("/devices/dev1/messages/events"));
        Assert.Equal(AmqpErrorCode.UnauthorizedAccess, ex.Error.Condition);
    }

    [Fact]
    public async Task Device_cannot_attach_to_another_devices_address()
    {
        using var hub = Hubs.Start();
        await using var client = await TestClient.ConnectDeviceAsync(hub, "dev1");
        var ex = await Assert.ThrowsAsync<AmqpException>(() => client.SenderAsync("/devices/dev2/messages/events"));
        Assert.Equal(AmqpErrorCode.UnauthorizedAccess, ex.Error.Condition);
        var ex2 = await Assert.ThrowsAsync<AmqpException>(() => client.ReceiverAsync("/devices/dev2/messages/devicebound"));
        Assert.Equal(AmqpErrorCode.UnauthorizedAccess, ex2.Error.Condition);
    }

    [Fact]
    public async Task Expired_token_closes_links_with_unauthorized_access()
    {
        using var hub = Hubs.Start();
        await using var client = await TestClient.ConnectAsync(hub, SaslMode.Anonymous);
        Assert.Equal(200, (await client.PutTokenAsync(hub.CreateDeviceToken("dev1", TimeSpan.FromSeconds(3)), "a")).Status);
        var link = await client.SenderAsync("/devices/dev1/messages/events");
        var error = await TestClient.WaitClosedAsync(link, TimeSpan.FromSeconds(10));
        Assert.Equal(AmqpErrorCode.UnauthorizedAccess, error?.Condition);
    }

    [Fact]
    public async Task Renewed_token_keeps_links_open_past_the_first_expiry()
    {
        using var hub = Hubs.Start();
        await using var client = await TestClient.ConnectAsync(hub, SaslMode.Anonymous);
        Assert.Equal(200, (await client.PutTokenAsync(hub.CreateDeviceToken("dev1", TimeSpan.FromSeconds(3)), "a")).Status);
        var link = await client.SenderAsync("/devices/dev1/messages/events");
        Assert.Equal(200, (await client.PutTokenAsync(hub.CreateDeviceToken("dev1", TimeSpan.FromHours(1)), "a")).Status);
        await Task.Delay(TimeSpan.FromSeconds(4)); // past the first token's expiry: this wait is the point of the test
        Assert.Equal(AmqpObjectState.Opened, link.State);
        Assert.IsType<Accepted>(await TestClient.SendAsync(link, TestClient.Telemetry("still here")));
    }

    [Fact]
    public async Task Sasl_plain_connection_is_closed_when_its_token_lapses()
    {
        using var hub = Hubs.Start();
        await using var client = await TestClient.ConnectDeviceAsync(hub, "dev1", TimeSpan.FromSeconds(3));
        var error = await TestClient.WaitClosedAsync(client.Connection, TimeSpan.FromSeconds(10));
        Assert.Equal(AmqpErrorCode.UnauthorizedAccess, error?.Condition);
    }

    [Fact]
    public async Task Service_policy_over_sasl_plain_and_device_token_cannot_open_service_links()
    {
        using var hub = Hubs.Start();
        await using var service = await TestClient.ConnectServiceAsync(hub);
        await service.SenderAsync("/messages/devicebound");
        await using var device = await TestClient.ConnectDeviceAsync(hub, "dev1");
        var ex = await Assert.ThrowsAsync<AmqpException>(() => device.SenderAsync("/messages/devicebound"));
        Assert.Equal(AmqpErrorCode.UnauthorizedAccess, ex.Error.Condition);
    }
}
