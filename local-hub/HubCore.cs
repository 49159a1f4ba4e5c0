using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Security.Authentication;
using Microsoft.Azure.Amqp;
using Microsoft.Azure.Amqp.Framing;
using Microsoft.Azure.Amqp.Sasl;
using Microsoft.Azure.Amqp.Transport;

namespace IotHubAmqp.LocalHub;

/// <summary>
/// The running hub: listener, connections and the state behind every endpoint.
/// Microsoft.Azure.Amqp does the protocol; this class decides what each attach, message and
/// disposition means for IoT Hub.
/// </summary>
internal sealed partial class HubCore : IRuntimeProvider, IDisposable
{
    private readonly ConcurrentDictionary<AmqpConnection, ConnectionContext> _connections = new();
    private readonly List<HubEvent> _events = new();
    private readonly AmqpSettings _amqpSettings;
    private readonly TokenValidator _tokens;
    private AmqpTransportListener? _listener;
    private Timer? _sweepTimer;
    private long _nextConnectionId;
    private string? _tempDirectory;

    public HubCore(LocalHubOptions options, TimeProvider time)
    {
        Options = options;
        Time = time;
        HostName = $"{options.HubName}.azure-devices.net";
        EventHubName = options.HubName;
        EventHubHostName = $"{options.HubName}-eventhubs.servicebus.windows.net";
        _tokens = new TokenValidator(options.Registry, HostName, EventHubHostName, time);
        Telemetry = new TelemetryStore(Math.Max(1, options.Partitions), options.TelemetryRetainedPerPartition, options.TelemetryRetainedBytesPerPartition);
        // Real time, not the hub's (possibly fake) clock: the throttle is about real throughput.
        // The largest message always fits a full telemetry bucket.
        Throttle = new TokenBucketThrottle(options.TelemetryBytesPerSecondPerDevice,
            Math.Max(options.TelemetryBurstBytesPerDevice, MaxTelemetryBody + 64 * 1024), TimeProvider.System);
        TwinThrottle = new TokenBucketThrottle(options.TwinOperationsPerSecondPerIdentity, 2 * options.TwinOperationsPerSecondPerIdentity, TimeProvider.System);
        MethodThrottle = new TokenBucketThrottle(options.MethodCallsPerSecondPerIdentity, 2 * options.MethodCallsPerSecondPerIdentity, TimeProvider.System);
        Observed = new TelemetryObservations(options.MaxObservations, options.MaxObservedTelemetryBytes);
        Feedback = new FeedbackStore(options.MaxPendingFeedback, options.MaxObservations, HostName);
        C2d = new C2dQueues(options, time, OnC2dFinished);
        _amqpSettings = CreateAmqpSettings();
    }

    public LocalHubOptions Options { get; }
    public TimeProvider Time { get; }
    public string HostName { get; }
    public string EventHubName { get; }
    public string EventHubHostName { get; }
    public TelemetryStore Telemetry { get; }
    public TelemetryObservations Observed { get; }
    public TokenBucketThrottle Throttle { get; }

    /// <summary>Twin requests over AMQP per device or module (429 beyond), and service method calls per target identity.</summary>
    public TokenBucketThrottle TwinThrottle { get; }
    public TokenBucketThrottle MethodThrottle { get; }
    public FeedbackStore Feedback { get; }
    public C2dQueues C2d { get; }
    public int Port { get; private set; }
    public HubCertificates? Certificates { get; private set; }
    public DateTimeOffset CreatedAt { get; } = DateTimeOffset.UtcNow;
    /// <summary>Token checks, including <see cref="TokenValidator.Authorize"/> for REST callers.</summary>
    internal TokenValidator Tokens => _tokens;
    public event Action<HubEvent>? EventRaised;

    // Fault injection: telemetry rejections. -1 = reject all until reset.
    public int TelemetryRejections;

    private AmqpSettings CreateAmqpSettings()
    {
        var settings = new AmqpSettings
        {
            RuntimeProvider = this,
            MaxConcurrentConnections = Options.MaxConnections,
            MaxLinksPerSession = Options.MaxLinksPerSession,
            DefaultLinkCredit = Options.LinkCredit,
            AllowAnonymousConnection = true,   // "no SASL" clients authenticate later with CBS
            RequireSecureTransport = true,
        };
        var sasl = new SaslTransportProvider { MaxFrameSize = 4096 };
        sasl.Versions.Add(new AmqpVersion(1, 0, 0));
        sasl.AddHandler(new SaslPlainServer(new PlainAuthenticator(_tokens, Options.HubName,
            (who, reason) => Raise(HubEventKind.AuthenticationFailed, 0, who, null, reason))));
        sasl.AddHandler(new SaslAnonymousHandler());
        // MSSBCBS (uamqp's and Azure's Python token auth): no credential in SASL, the token follows on $cbs.
        sasl.AddHandler(new SaslAnonymousHandler("MSSBCBS"));
        settings.TransportProviders.Add(sasl);
        var amqp = new AmqpTransportProvider();
        amqp.Versions.Add(new AmqpVersion(1, 0, 0));
        settings.TransportProviders.Add(amqp);
        return settings;
    }

    public void Start()
    {
        var names = new List<string> { HostName, EventHubHostName, "localhost" };
        names.AddRange(Options.ExtraCertificateNames);
        if (Options.CertificateDirectory is null && _tempDirectory is null)
        {
            _tempDirectory = Path.Combine(Path.GetTempPath(), "iothub-localhub", Guid.NewGuid().ToString("n"));
        }
        // One CA per hub instance: a hub stopped and started again keeps it, as a real hub keeps its certificate,
        // so devices that trust it reconnect.
        Certificates ??= HubCertificates.Create(names, Options.CertificateDirectory ?? _tempDirectory!);
        Exception? last = null;
        // Port 0: pick a free port and retry if another process grabs it first.
        for (var attempt = 0; attempt < 5; attempt++)
        {
            // A restarted hub comes back where it was, even on an ephemeral port.
            var port = Options.Port != 0 ? Options.Port : Port != 0 && attempt == 0 ? Port : FreePort();
            try
            {
                var tcp = new TcpTransportSettings { Host = Options.BindAddress, Port = port, TcpBacklog = 64 };
                var tls = new TlsTransportSettings(tcp, false)
                {
                    Certificate = Certificates.Server,
                    Protocols = SslProtocols.Tls12 | SslProtocols.Tls13,
                };
                var listener = new AmqpTransportListener(new TransportListener[] { CreateTlsListener(tls) }, _amqpSettings);
                listener.Listen(OnAcceptTransport);
                _listener = listener;
                Port = port;
                break;
            }
            catch (Exception ex) when (Options.Port == 0 && attempt < 4)
            {
                last = ex;
            }
        }
        if (_listener is null) throw new InvalidOperationException("Could not listen", last);
        StartRest();
        _sweepTimer = new Timer(_ => Sweep(), null, Options.SweepInterval, Options.SweepInterval);
    }

    private int FreePort()
    {
        using var probe = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        probe.Bind(new IPEndPoint(IPAddress.Parse(Options.BindAddress), 0));
        return ((IPEndPoint)probe.LocalEndPoint!).Port;
    }

    private void OnAcceptTransport(TransportListener listener, TransportAsyncCallbackArgs args)
    {
        if (args.Exception is not null || args.Transport is null) return;
        if (_connections.Count >= Options.MaxConnections)
        {
            args.Transport.Abort();
            return;
        }
        AmqpConnection? connection = null;
        try
        {
            var settings = new AmqpConnectionSettings
            {
                ContainerId = Options.HubName,
                MaxFrameSize = Options.MaxFrameSize,
                ChannelMax = (ushort)Math.Max(0, Options.MaxSessionsPerConnection - 1),
                IdleTimeOut = (uint)Options.IdleTimeout.TotalMilliseconds,
            };
            connection = CreateConnection(args.Transport, (ProtocolHeader)args.UserToken, false, _amqpSettings, settings);
            connection.BeginOpen(TimeSpan.FromSeconds(30), OnConnectionOpened, connection);
        }
        catch (Exception ex)
        {
            connection?.SafeClose(ex);
            args.Transport.Abort();
        }
    }

    private void OnConnectionOpened(IAsyncResult result)
    {
        var connection = (AmqpConnection)result.AsyncState!;
        try { connection.EndOpen(result); }
        catch (Exception ex) { connection.SafeClose(ex); }
    }

    public AmqpConnection CreateConnection(TransportBase transport, ProtocolHeader protocolHeader, bool isInitiator,
        AmqpSettings amqpSettings, AmqpConnectionSettings connectionSettings)
    {
        var wrapped = new StallableTransport(transport) { Guard = new FrameGuard(Options.MaxFrameSize) };
        var connection = new AmqpConnection(wrapped, protocolHeader, false, amqpSettings, connectionSettings);
        var context = new ConnectionContext(connection, wrapped, Interlocked.Increment(ref _nextConnectionId), System.Diagnostics.Stopwatch.GetTimestamp());
        wrapped.OnRefused = reason =>
        {
            Options.Log?.Invoke($"[FramingError] conn={context.Id} {reason}");
            connection.SafeClose(new AmqpException(AmqpErrorCode.FramingError, reason));
            // The refused frame is never read past, so the peer's close cannot arrive: drop the socket soon.
            _ = Task.Delay(1000).ContinueWith(_ => connection.Abort(), TaskScheduler.Default);
        };
        connection.Extensions.Add(context);
        _connections[connection] = context;
        Raise(HubEventKind.Connected, context.Id, null, null, transport.RemoteEndPoint);
        var certified = AddCertificateGrants(transport, context);
        if (transport.Principal is HubPrincipal principal)
        {
            context.AddGrant(principal.Grant);
            Raise(HubEventKind.Authenticated, context.Id, principal.Grant.DeviceId, null, "SASL PLAIN");
        }
        else if (!certified)
        {
            MakeRoomForUnauthenticated(context);
        }
        connection.SafeAddClosed((_, _) =>
        {
            _connections.TryRemove(connection, out _);
            Raise(HubEventKind.Closed, context.Id, context.DeviceId, null, Describe(connection.TerminalException) ?? "closed");
        });
        return connection;
    }

    public AmqpSession CreateSession(AmqpConnection connection, AmqpSessionSettings settings)
    {
        var context = Context(connection);
        if (Interlocked.Increment(ref context.SessionCount) > Options.MaxSessionsPerConnection)
        {
            Interlocked.Decrement(ref context.SessionCount);
            throw new AmqpException(AmqpErrorCode.ResourceLimitExceeded, "Too many sessions on this connection.");
        }
        settings.HandleMax = (uint)Math.Max(0, Options.MaxLinksPerSession - 1);
        var session = new AmqpSession(connection, settings, this);
        session.SafeAddClosed((_, _) => Interlocked.Decrement(ref context.SessionCount));
        return session;
    }

    public static ConnectionContext Context(AmqpConnection connection) => connection.Extensions.Find<ConnectionContext>();

    public IReadOnlyCollection<ConnectionContext> Connections => _connections.Values.ToArray();

    internal static string? Describe(Exception? ex) => ex switch
    {
        null => null,
        AmqpException a => $"{a.Error.Condition}: {a.Error.Description}",
        _ => ex.Message,
    };

    public void Raise(HubEventKind kind, long connectionId, string? deviceId, string? address, string? reason)
    {
        var e = new HubEvent(Time.GetUtcNow(), kind, connectionId, deviceId, address, reason);
        lock (_events)
        {
            _events.Add(e);
            if (_events.Count > Options.MaxObservations) _events.RemoveAt(0);
        }
        Options.Log?.Invoke($"[{kind}] conn={connectionId} device={Escape(deviceId)} {Escape(address)} {Escape(reason)}");
        EventRaised?.Invoke(e);
    }

    /// <summary>Client-supplied text with control characters escaped, so it cannot forge log lines.</summary>
    internal static string? Escape(string? text)
    {
        if (text is null || !text.Any(char.IsControl)) return text;
        var sb = new System.Text.StringBuilder(text.Length + 8);
        foreach (var c in text)
        {
            if (c == '\n') sb.Append("\\n");
            else if (c == '\r') sb.Append("\\r");
            else if (char.IsControl(c)) sb.Append("\\u").Append(((int)c).ToString("x4"));
            else sb.Append(c);
        }
        return sb.ToString();
    }

    public IReadOnlyList<HubEvent> Events { get { lock (_events) return _events.ToList(); } }

    public IReadOnlyList<ReceivedTelemetry> TelemetryOf(string? deviceId) => Observed.Of(deviceId);

    private void OnC2dFinished(C2dEntry entry, string deviceId, string status)
    {
        RaiseC2dFinished(entry, deviceId, status);
        var wanted = status == "Success" ? entry.Ack is "positive" or "full" : entry.Ack is "negative" or "full";
        if (!wanted) return;
        Feedback.Add(new FeedbackRecord
        {
            OriginalMessageId = entry.MessageId,
            DeviceId = deviceId,
            StatusCode = status,
            Description = status switch
            {
                "Success" => "Success",
                "Expired" => "Message expired",
                "DeliveryCountExceeded" => "Message delivery count exceeded",
                "Rejected" => "Message rejected",
                _ => "Message purged",
            },
            EnqueuedTimeUtc = Time.GetUtcNow(),
            DeviceGenerationId = "636000000000000000",
        });
    }

    /// <summary>Periodic: lapsed tokens, C2D locks and TTLs.</summary>
    private void Sweep()
    {
        try
        {
            var now = Time.GetUtcNow();
            foreach (var context in _connections.Values)
            {
                foreach (var grant in context.TakeExpired(now))
                {
                    var error = new Error { Condition = AmqpErrorCode.UnauthorizedAccess, Description = "Token Invalid." };
                    foreach (var link in context.LinksFor(scope: grant.Scope)) link.SafeClose(new AmqpException(error));
                    if (grant.ViaSaslPlain) context.Connection.SafeClose(new AmqpException(error));
                    Raise(HubEventKind.AuthenticationFailed, context.Id, grant.DeviceId, null, "token expired");
                }
            }
            CloseUnauthenticatedPastDeadline();
            C2d.Sweep();
        }
        catch (Exception ex)
        {
            Options.Log?.Invoke("sweep failed: " + ex.Message);
        }
    }

    public void Stop()
    {
        _sweepTimer?.Dispose();
        _sweepTimer = null;
        _listener?.SafeClose();
        _listener = null;
        StopRest();
        foreach (var c in _connections.Keys) c.SafeClose();
    }

    public void Dispose()
    {
        Stop();
        Certificates?.Dispose();
        // A temp CA folder is ours to remove; a configured one is left for devices that still trust it.
        if (_tempDirectory is not null)
        {
            try { Directory.Delete(_tempDirectory, recursive: true); } catch (IOException) { }
        }
    }
}
