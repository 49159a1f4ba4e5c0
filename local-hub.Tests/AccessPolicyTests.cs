using Microsoft.Azure.Amqp;
using Microsoft.Azure.Amqp.Framing;

namespace IotHubAmqp.LocalHub.Tests;

/// <summary>IoT Hub's five shared access policies and the rights each service path needs.</summary>
public class AccessPolicyTests
{
    private static Task<TestClient> ConnectPolicyAsync(LocalHub hub, string policy) =>
        TestClient.ConnectAsync(hub, SaslMode.Plain, $"{policy}@sas.root.{hub.Options.HubName}", hub.CreatePolicyToken(policy, TimeSpan.FromHours(1)));

    [Theory]
    [InlineData("iothubowner")]
    [InlineData("service")]
    public async Task Policies_with_ServiceConnect_send_c2d_and_read_feedback_and_telemetry(string policy)
    {
        using var hub = Hubs.Start();
        await using var service = await ConnectPolicyAsync(hub, policy);
        var sender = await service.SenderAsync("/messages/devicebound");
        Assert.IsType<Accepted>(await TestClient.SendAsync(sender, C2dTests.ServiceMessage("dev1", "p1", "full")));
        await service.ReceiverAsync("/messages/serviceBound/feedback");
        await service.ReceiverAsync($"{hub.EventHubName}/ConsumerGroups/$Default/Partitions/0");
    }

    [Theory]
    [InlineData("registryRead", "/messages/devicebound", false)]
    [InlineData("registryReadWrite", "/messages/serviceBound/feedback", true)]
    [InlineData("device", "/messages/devicebound", false)]
    [InlineData("registryRead", "testhub/ConsumerGroups/$Default/Partitions/0", true)]
    public async Task Policies_without_ServiceConnect_are_refused_on_service_paths_with_the_missing_right(string policy, string address, bool hubSends)
    {
        using var hub = Hubs.Start();
        await using var client = await ConnectPolicyAsync(hub, policy);
        var ex = await Assert.ThrowsAsync<AmqpException>(async () =>
        {
            if (hubSends) await client.ReceiverAsync(address); else await client.SenderAsync(address);
        });
        Assert.Equal(AmqpErrorCode.UnauthorizedAccess, ex.Error.Condition);
        Assert.Contains($"policy '{policy}' lacks ServiceConnect", ex.Error.Description);
    }

    [Fact]
    public async Task A_device_policy_token_for_a_device_audience_connects_that_device()
    {
        using var hub = Hubs.Start();
        await using var client = await TestClient.ConnectAsync(hub, SaslMode.Anonymous);
        var token = hub.CreatePolicyToken("device", TimeSpan.FromHours(1), $"{hub.HostName}/devices/dev2");
        var (status, description) = await client.PutTokenAsync(token, $"{hub.HostName}/devices/dev2");
        Assert.True(status == 200, description);
        var link = await client.SenderAsync("/devices/dev2/messages/events");
        Assert.IsType<Accepted>(await TestClient.SendAsync(link, TestClient.Telemetry("via policy")));
        Assert.Single(hub.GetTelemetry("dev2"));
    }

    [Fact]
    public void Each_policy_has_its_own_key_and_connection_string()
    {
        using var hub = Hubs.Start();
        var names = new[] { "iothubowner", "service", "registryRead", "registryReadWrite", "device" };
        var keys = names.Select(n => hub.PolicyConnectionString(n)).Select(cs => cs[(cs.IndexOf("SharedAccessKey=", StringComparison.Ordinal) + 16)..]).ToList();
        Assert.Equal(5, keys.Distinct().Count());
        Assert.Equal(hub.ServiceConnectionString, hub.PolicyConnectionString("service"));
        Assert.Contains("SharedAccessKeyName=iothubowner;", hub.PolicyConnectionString("iothubowner"));
    }

    [Fact]
    public void Authorize_checks_rights_and_audience_and_names_what_is_missing()
    {
        using var hub = Hubs.Start();
        var tokens = new TokenValidator(hub.Registry, hub.HostName, hub.EventHubHostName, TimeProvider.System);
        var readWrite = hub.CreatePolicyToken("registryReadWrite", TimeSpan.FromHours(1));
        Assert.Null(tokens.Authorize(readWrite, $"{hub.HostName}/devices/dev1", AccessRights.RegistryWrite));
        var read = hub.CreatePolicyToken("registryRead", TimeSpan.FromHours(1));
        Assert.Equal("Policy 'registryRead' lacks RegistryWrite (has RegistryRead).", tokens.Authorize(read, hub.HostName, AccessRights.RegistryWrite));
        var narrow = hub.CreatePolicyToken("iothubowner", TimeSpan.FromHours(1), $"{hub.HostName}/devices/dev1");
        Assert.StartsWith("Token audience does not cover", tokens.Authorize(narrow, $"{hub.HostName}/devices/dev2", AccessRights.RegistryRead));
        Assert.StartsWith("A device token cannot be used here", tokens.Authorize(hub.CreateDeviceToken("dev1", TimeSpan.FromHours(1)), null, AccessRights.RegistryRead));
        Assert.Equal("Invalid signature.", tokens.Authorize(read.Replace("skn=registryRead", "skn=iothubowner"), null, AccessRights.RegistryRead));
    }
}
