using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Amqp;
using Microsoft.Azure.Amqp.Transport;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace IotHubAmqp.LocalHub;

/// <summary>
/// AMQP over WebSockets (wire-2 §5): <c>wss://host:PORT/$iothub/websocket</c> with subprotocol <c>AMQPWSB10</c>,
/// served by Kestrel over TLS with the hub's certificate. Each accepted WebSocket becomes an AMQP transport handed to
/// the same listener pipeline (SASL, AMQP, the hub's connection handling) as a TLS connection on the AMQP port.
/// </summary>
internal sealed class WebSocketEndpoint : IAsyncDisposable
{
    public const string Path = "/$iothub/websocket";
    public const string SubProtocol = "AMQPWSB10";

    private readonly HubCore _hub;
    private readonly Listener _listener = new();
    private readonly System.Collections.Concurrent.ConcurrentDictionary<TransportBase, byte> _open = new();
    private WebApplication? _app;
    private AmqpTransportListener? _amqp;

    public WebSocketEndpoint(HubCore hub) => _hub = hub;

    public int Port { get; private set; }

    public void Start(string bindAddress, int port, AmqpSettings settings, Action<TransportListener, TransportAsyncCallbackArgs> onAccept)
    {
        _amqp = new AmqpTransportListener(new TransportListener[] { _listener }, settings);
        _amqp.Listen(onAccept);
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrelCore().ConfigureKestrel(k =>
            k.Listen(IPAddress.Parse(bindAddress), port, l => l.UseHttps(_hub.Certificates!.Server)));
        builder.Services.AddSingleton<IHostLifetime, ServiceRest.NoSignalLifetime>();
        builder.Services.AddLogging();
        var app = builder.Build();
        // As IoT Edge does: no WebSocket pings from the server, AMQP's own empty frames keep the connection alive.
        app.UseWebSockets(new WebSocketOptions { KeepAliveInterval = TimeSpan.Zero });
        app.Run(HandleAsync);
        app.StartAsync().GetAwaiter().GetResult();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        Port = new Uri(address).Port;
        _app = app;
    }

    private async Task HandleAsync(HttpContext http)
    {
        if (http.Request.Path != Path)
        {
            await RefuseAsync(http, 404, $"No WebSocket endpoint at '{http.Request.Path}'; IoT Hub serves AMQP over WebSockets at {Path}.");
            return;
        }
        if (!http.WebSockets.IsWebSocketRequest)
        {
            await RefuseAsync(http, 400, "Not a WebSocket upgrade request.");
            return;
        }
        if (!http.WebSockets.WebSocketRequestedProtocols.Contains(SubProtocol))
        {
            // IoT Hub picks the protocol by subprotocol; an unknown one is refused (wire-2 §5.1).
            var asked = string.Join(", ", http.WebSockets.WebSocketRequestedProtocols);
            await RefuseAsync(http, 400, $"Subprotocol '{SubProtocol}' required for AMQP over WebSockets; the request asked for '{asked}'.");
            return;
        }
        var socket = await http.WebSockets.AcceptWebSocketAsync(SubProtocol);
        var closed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var uri = new Uri($"wss://{http.Request.Host}{Path}");
        var transport = new SecureWebSocketTransport(socket, uri);
        transport.Closed += (_, _) =>
        {
            _open.TryRemove(transport, out _);
            closed.TrySetResult();
        };
        _open[transport] = 0;
        using var aborted = http.RequestAborted.Register(() => transport.Abort());
        _hub.Options.Log?.Invoke($"[WebSocket] accepted from {http.Connection.RemoteIpAddress}:{http.Connection.RemotePort}");
        _listener.Accept(transport);
        // Kestrel keeps the upgraded connection only while this request runs.
        await closed.Task.ConfigureAwait(false);
    }

    private static async Task RefuseAsync(HttpContext http, int status, string message)
    {
        http.Response.StatusCode = status;
        http.Response.ContentType = "text/plain; charset=utf-8";
        await http.Response.WriteAsync(message);
    }

    public async ValueTask DisposeAsync()
    {
        _amqp?.SafeClose();
        _amqp = null;
        // Kestrel's stop waits for running requests, and each upgraded WebSocket is one until its transport closes.
        foreach (var t in _open.Keys) t.Abort();
        if (_app is null) return;
        var app = _app;
        _app = null;
        await app.StopAsync().ConfigureAwait(false);
        await app.DisposeAsync().ConfigureAwait(false);
    }

    /// <summary>A WebSocket accepted over Kestrel's TLS: secure, so the AMQP settings' RequireSecureTransport admits it.</summary>
    private sealed class SecureWebSocketTransport : WebSocketTransport
    {
#pragma warning disable CS0618 // the public constructor is marked obsolete; the endpoint-taking one is internal
        public SecureWebSocketTransport(System.Net.WebSockets.WebSocket socket, Uri uri) : base(socket, uri) { }

        public override bool IsSecure => true;
#pragma warning restore CS0618
    }

    /// <summary>Feeds upgraded WebSockets into Microsoft.Azure.Amqp's listener pipeline.</summary>
    private sealed class Listener : TransportListener
    {
        public Listener() : base("websocket") { }

        protected override void OnListen() { }

        public void Accept(TransportBase transport)
        {
            var args = new TransportAsyncCallbackArgs();
            args.Transport = transport;
            args.CompletedSynchronously = false;
            OnTransportAccepted(args);
        }
    }
}
