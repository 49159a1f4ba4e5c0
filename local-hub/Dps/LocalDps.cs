using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Azure.Amqp;
using Microsoft.Azure.Amqp.Framing;
using Microsoft.Azure.Amqp.Sasl;
using Microsoft.Azure.Amqp.Transport;

namespace IotHubAmqp.LocalHub;

/// <summary>A registration the local DPS answered.</summary>
public sealed record DpsRegistrationRecord(DateTimeOffset At, string RegistrationId, string Enrollment, string Status, string? DeviceId);

/// <summary>
/// A local Device Provisioning Service on its own TLS port, speaking DPS's AMQP dialect (iothub-amqp-wire-2.md 7):
/// SASL PLAIN with a registration SAS token, a receiver and a sender on <c>{idScope}/registrations/{registrationId}</c>,
/// <c>iotdps-register</c> answered <c>assigning</c> with <c>retry-after</c>, <c>iotdps-get-operationstatus</c> answered
/// <c>assigned</c>. Assigned devices are added to the hub's <see cref="DeviceRegistry"/> with their (derived) key.
/// </summary>
public sealed partial class LocalDps : IRuntimeProvider, IDisposable
{
    private readonly DpsOptions _options;
    private readonly DeviceRegistry _registry;
    private readonly Func<string> _assignedHub;
    private readonly Action<string>? _log;
    private readonly TimeProvider _time;
    private readonly AmqpSettings _settings;
    private readonly ConcurrentDictionary<AmqpConnection, DpsPrincipal> _principals = new();
    private readonly List<DpsRegistrationRecord> _records = new();
    private AmqpTransportListener? _listener;
    private int _throttleLeft;
    private readonly DpsAuthenticator _authenticator;

    internal LocalDps(DpsOptions options, DeviceRegistry registry, Func<string> assignedHub, TimeProvider time, Action<string>? log)
    {
        _options = options;
        _registry = registry;
        _assignedHub = assignedHub;
        _time = time;
        _log = log;
        _throttleLeft = options.ThrottleNextRegistrations;
        _settings = new AmqpSettings { RuntimeProvider = this, RequireSecureTransport = true, AllowAnonymousConnection = false, MaxConcurrentConnections = 64 };
        var sasl = new SaslTransportProvider { MaxFrameSize = 4096 };
        sasl.Versions.Add(new AmqpVersion(1, 0, 0));
        _authenticator = new DpsAuthenticator(options, time, Log);
        sasl.AddHandler(new SaslPlainServer(_authenticator));
        _settings.TransportProviders.Add(sasl);
        var amqp = new AmqpTransportProvider();
        amqp.Versions.Add(new AmqpVersion(1, 0, 0));
        _settings.TransportProviders.Add(amqp);
    }

    /// <summary>The id scope devices register in.</summary>
    public string IdScope => _options.IdScope;

    /// <summary>Port listened on (after start).</summary>
    public int Port { get; private set; }

    /// <summary><c>127.0.0.1:PORT</c>: the provisioning host for SDKs (Node's <c>provisioningHost</c>, this SDK's endpoint).</summary>
    public string Endpoint => $"127.0.0.1:{Port}";

    /// <summary>The enrollments (change them while running).</summary>
    public DpsEnrollments Enrollments => _options.Enrollments;

    /// <summary>Fault injection: the next <paramref name="count"/> register requests are rejected as throttled.</summary>
    public void ThrottleNextRegistrations(int count) => Interlocked.Exchange(ref _throttleLeft, count);

    /// <summary>Registrations answered so far, oldest first.</summary>
    public IReadOnlyList<DpsRegistrationRecord> Registrations { get { lock (_records) return _records.ToList(); } }

    internal void Start(X509Certificate2 certificate, string bindAddress)
    {
        Exception? last = null;
        for (var attempt = 0; attempt < 5 && _listener is null; attempt++)
        {
            var port = _options.Port != 0 ? _options.Port : Port != 0 && attempt == 0 ? Port : FreePort(bindAddress);
            try
            {
                var tcp = new TcpTransportSettings { Host = bindAddress, Port = port, TcpBacklog = 16 };
                var tls = new TlsTransportSettings(tcp, false) { Certificate = certificate, Protocols = SslProtocols.Tls12 | SslProtocols.Tls13 };
                if (_options.Enrollments.HasX509)
                {
                    // X.509 devices: TLS asks for a client certificate (any is taken here; the enrollment decides after
                    // the handshake) and the AMQP header may follow TLS without SASL (iothub-amqp-wire-2.md 7.2).
                    tls.CertificateValidationCallback = (_, _, _, _) => true;
                    _settings.AllowAnonymousConnection = true;
                }
                var listener = new AmqpTransportListener(new[] { tls.CreateListener() }, _settings);
                listener.Listen(OnAccept);
                _listener = listener;
                Port = port;
            }
            catch (Exception ex) when (_options.Port == 0 && attempt < 4)
            {
                last = ex;
            }
        }
        if (_listener is null) throw new InvalidOperationException("The DPS endpoint could not listen", last);
    }

    internal void Stop()
    {
        _listener?.SafeClose();
        _listener = null;
        foreach (var c in _principals.Keys) c.SafeClose();
    }

    /// <inheritdoc />
    public void Dispose() => Stop();

    private static int FreePort(string bindAddress)
    {
        using var probe = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        probe.Bind(new IPEndPoint(IPAddress.Parse(bindAddress), 0));
        return ((IPEndPoint)probe.LocalEndPoint!).Port;
    }

    private void OnAccept(TransportListener listener, TransportAsyncCallbackArgs args)
    {
        if (args.Exception is not null || args.Transport is null) return;
        try
        {
            var settings = new AmqpConnectionSettings { ContainerId = "local-dps", MaxFrameSize = 65536, ChannelMax = 3, IdleTimeOut = 240000 };
            var connection = CreateConnection(args.Transport, (ProtocolHeader)args.UserToken, false, _settings, settings);
            connection.BeginOpen(TimeSpan.FromSeconds(30), r =>
            {
                try
                {
                    connection.EndOpen(r);
                    // No SASL and no enrolled client certificate: say why at once rather than refusing every link.
                    if (!_principals.ContainsKey(connection))
                        connection.SafeClose(new AmqpException(AmqpErrorCode.UnauthorizedAccess, "No enrollment matches the client certificate (or no credential was given)."));
                }
                catch (Exception ex) { connection.SafeClose(ex); }
            }, null);
        }
        catch (Exception)
        {
            args.Transport.Abort();
        }
    }

    /// <inheritdoc />
    public AmqpConnection CreateConnection(TransportBase transport, ProtocolHeader protocolHeader, bool isInitiator, AmqpSettings amqpSettings, AmqpConnectionSettings connectionSettings)
    {
        var connection = new AmqpConnection(transport, protocolHeader, false, amqpSettings, connectionSettings);
        if (transport.Principal is DpsPrincipal p) _principals[connection] = p;
        else if (transport.Principal is Microsoft.Azure.Amqp.X509.X509Principal x && _authenticator.AuthenticateX509(x.CertificateIdentity.Certificate) is { } xp)
            _principals[connection] = xp;
        connection.SafeAddClosed((_, _) => _principals.TryRemove(connection, out _));
        return connection;
    }

    /// <inheritdoc />
    public AmqpSession CreateSession(AmqpConnection connection, AmqpSessionSettings settings) => new(connection, settings, this);

    /// <inheritdoc />
    public AmqpLink CreateLink(AmqpSession session, AmqpLinkSettings settings)
    {
        if (settings.IsReceiver())
        {
            settings.MaxMessageSize = 64 * 1024;
            settings.TotalLinkCredit = 10;
            settings.AutoSendFlow = true;
            settings.RcvSettleMode = (byte)ReceiverSettleMode.First;
            return new ReceivingAmqpLink(session, settings);
        }
        // Answers go pre-settled: a lost answer is covered by the device's own poll or deadline.
        settings.SndSettleMode = (byte)SenderSettleMode.Settled;
        return new SendingAmqpLink(session, settings);
    }

    /// <inheritdoc />
    public IAsyncResult BeginOpenLink(AmqpLink link, TimeSpan timeout, AsyncCallback callback, object state)
    {
        Exception? error = null;
        try { Bind(link); }
        catch (Exception ex) { error = ex; }
        var result = new Done(state, error);
        callback?.Invoke(result);
        return result;
    }

    /// <inheritdoc />
    public void EndOpenLink(IAsyncResult result)
    {
        if (((Done)result).Error is { } error) throw error;
    }

    private void Log(string line) => _log?.Invoke("[Dps] " + line);

    private sealed class Done : IAsyncResult
    {
        public Done(object? state, Exception? error)
        {
            AsyncState = state;
            Error = error;
        }
        public Exception? Error { get; }
        public object? AsyncState { get; }
        public WaitHandle AsyncWaitHandle { get; } = new ManualResetEvent(true);
        public bool CompletedSynchronously => true;
        public bool IsCompleted => true;
    }
}
