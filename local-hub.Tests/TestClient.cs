using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Azure.Amqp;
using Microsoft.Azure.Amqp.Framing;
using Microsoft.Azure.Amqp.Sasl;
using Microsoft.Azure.Amqp.Transport;

namespace IotHubAmqp.LocalHub.Tests;

/// <summary>How the test client authenticates at the SASL layer.</summary>
public enum SaslMode { None, Anonymous, Plain, Mssbcbs }

/// <summary>An AMQP client (Microsoft.Azure.Amqp) over TLS that validates the hub's CA.</summary>
internal sealed class TestClient : IAsyncDisposable
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);
    private int _links;

    private TestClient(AmqpConnection connection, AmqpSession session)
    {
        Connection = connection;
        Session = session;
    }

    public AmqpConnection Connection { get; }
    public AmqpSession Session { get; }

    public static async Task<TestClient> ConnectAsync(LocalHub hub, SaslMode mode, string? user = null, string? password = null,
        string? targetHost = null, uint? maxFrameSize = null, int? port = null, X509Certificate2? clientCertificate = null)
    {
        var settings = new AmqpSettings();
        if (mode != SaslMode.None)
        {
            var sasl = new SaslTransportProvider();
            sasl.Versions.Add(new AmqpVersion(1, 0, 0));
            sasl.AddHandler(mode == SaslMode.Plain
                ? new SaslPlainHandler { AuthenticationIdentity = user, Password = password }
                : new SaslAnonymousHandler(mode == SaslMode.Mssbcbs ? "MSSBCBS" : SaslAnonymousHandler.Name));
            settings.TransportProviders.Add(sasl);
        }
        var amqp = new AmqpTransportProvider();
        amqp.Versions.Add(new AmqpVersion(1, 0, 0));
        settings.TransportProviders.Add(amqp);
        var tls = new TlsTransportSettings(new TcpTransportSettings { Host = "127.0.0.1", Port = port ?? hub.Port })
        {
            TargetHost = targetHost ?? hub.HostName,
            CertificateValidationCallback = Validator(hub.CaCertificate),
            Certificate = clientCertificate, // an X.509 device's identity (mutual TLS)
        };
        var transport = await new AmqpTransportInitiator(settings, tls).ConnectTaskAsync(Timeout);
        var connection = new AmqpConnection(transport, settings, new AmqpConnectionSettings
        {
            ContainerId = "test-" + Guid.NewGuid().ToString("n"),
            HostName = hub.HostName,
            MaxFrameSize = maxFrameSize ?? 65536,
        });
        await connection.OpenAsync(Timeout);
        var session = connection.CreateSession(new AmqpSessionSettings());
        await session.OpenAsync(Timeout);
        return new TestClient(connection, session);
    }

    public static Task<TestClient> ConnectDeviceAsync(LocalHub hub, string deviceId, TimeSpan? lifetime = null) =>
        ConnectAsync(hub, SaslMode.Plain, $"{deviceId}@sas.{hub.Options.HubName}", hub.CreateDeviceToken(deviceId, lifetime ?? TimeSpan.FromHours(1)));

    public static Task<TestClient> ConnectServiceAsync(LocalHub hub) =>
        ConnectAsync(hub, SaslMode.Plain, $"{hub.Registry.ServicePolicyName}@sas.root.{hub.Options.HubName}", hub.CreateServiceToken(TimeSpan.FromHours(1)));

    /// <summary>Validation stays on: the chain must end at the hub's CA and the name must match.</summary>
    public static RemoteCertificateValidationCallback Validator(X509Certificate2 ca) => (_, cert, _, errors) =>
    {
        if (cert is null || (errors & ~SslPolicyErrors.RemoteCertificateChainErrors) != SslPolicyErrors.None) return false;
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(ca);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        return chain.Build(new X509Certificate2(cert));
    };

    public async Task<SendingAmqpLink> SenderAsync(string address, SettleMode settle = SettleMode.SettleOnReceive, AmqpSession? session = null)
    {
        var link = new SendingAmqpLink(session ?? Session, new AmqpLinkSettings
        {
            LinkName = $"snd-{Interlocked.Increment(ref _links)}-{Guid.NewGuid():n}",
            Role = false,
            Source = new Source { Address = "client" },
            Target = new Target { Address = address },
            SettleType = settle,
        });
        await link.OpenAsync(Timeout);
        return link;
    }

    public async Task<ReceivingAmqpLink> ReceiverAsync(string address, SettleMode settle = SettleMode.SettleOnDispose,
        uint credit = 100, FilterSet? filter = null, bool autoFlow = true)
    {
        var link = new ReceivingAmqpLink(Session, new AmqpLinkSettings
        {
            LinkName = $"rcv-{Interlocked.Increment(ref _links)}-{Guid.NewGuid():n}",
            Role = true,
            Source = new Source { Address = address, FilterSet = filter },
            Target = new Target { Address = "client" },
            SettleType = settle,
            TotalLinkCredit = credit,
            AutoSendFlow = autoFlow,
        });
        await link.OpenAsync(Timeout);
        return link;
    }

    /// <summary>Sends a put-token on $cbs and returns (status-code, status-description, correlation-id ok).</summary>
    public async Task<(int Status, string Description)> PutTokenAsync(string token, string audience,
        object? type = null)
    {
        var sender = await SenderAsync("$cbs", SettleMode.SettleOnSend);
        var receiver = await ReceiverAsync("$cbs", SettleMode.SettleOnSend);
        var request = AmqpMessage.Create(new AmqpValue { Value = token });
        var id = Guid.NewGuid().ToString();
        request.Properties.MessageId = id;
        request.Properties.To = "$cbs";
        request.Properties.ReplyTo = "cbs";
        request.ApplicationProperties.Map["operation"] = "put-token";
        request.ApplicationProperties.Map["type"] = type ?? "servicebus.windows.net:sastoken";
        request.ApplicationProperties.Map["name"] = audience;
        await sender.SendMessageAsync(request, new ArraySegment<byte>(Guid.NewGuid().ToByteArray()), AmqpConstants.NullBinary, Timeout);
        var reply = await receiver.ReceiveMessageAsync(Timeout) ?? throw new TimeoutException("no CBS reply");
        Assert.Equal(id, reply.Properties.CorrelationId?.ToString());
        var status = Assert.IsType<int>(reply.ApplicationProperties.Map["status-code"]);
        var description = (string)reply.ApplicationProperties.Map["status-description"];
        await sender.CloseAsync(Timeout);
        await receiver.CloseAsync(Timeout);
        return (status, description);
    }

    public static AmqpMessage Telemetry(string body, string? messageId = null)
    {
        var message = AmqpMessage.Create(new Data { Value = new ArraySegment<byte>(System.Text.Encoding.UTF8.GetBytes(body)) });
        if (messageId is not null) message.Properties.MessageId = messageId;
        return message;
    }

    public static Task<Outcome> SendAsync(SendingAmqpLink link, AmqpMessage message) =>
        link.SendMessageAsync(message, new ArraySegment<byte>(Guid.NewGuid().ToByteArray()), AmqpConstants.NullBinary, Timeout);

    /// <summary>Waits (bounded) until the link closes; returns its error.</summary>
    public static async Task<Error?> WaitClosedAsync(AmqpObject link, TimeSpan? timeout = null)
    {
        var tcs = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        link.SafeAddClosed((_, _) => tcs.TrySetResult());
        await tcs.Task.WaitAsync(timeout ?? Timeout);
        return (link.TerminalException as AmqpException)?.Error;
    }

    public async ValueTask DisposeAsync()
    {
        try { await Connection.CloseAsync(TimeSpan.FromSeconds(2)); }
        catch { Connection.Abort(); }
    }
}
