using System.Runtime.CompilerServices;
using Microsoft.Azure.Amqp;
using Microsoft.Azure.Amqp.Encoding;
using Microsoft.Azure.Amqp.Framing;

namespace IotHubAmqp.LocalHub;

internal sealed partial class HubCore
{
    private readonly ConditionalWeakTable<AmqpLink, Route> _routes = new();

    public AmqpLink CreateLink(AmqpSession session, AmqpLinkSettings settings)
    {
        var hubReceives = settings.IsReceiver();
        var address = hubReceives ? (settings.Target as Target)?.Address?.ToString() : (settings.Source as Source)?.Address?.ToString();
        var route = Route.Parse(address, hubReceives, EventHubName, Telemetry.Count);
        AmqpLink link;
        if (hubReceives)
        {
            settings.MaxMessageSize = route.Kind switch
            {
                RouteKind.Telemetry => (ulong)Options.TelemetryMaxMessageSize,
                RouteKind.ServiceC2dSend => (ulong)Options.C2dMaxMessageSize,
                RouteKind.MethodResponses => MaxMethodPayload + 4096,   // 128 KB response plus headers (wire-2 §1.5)
                _ => 64 * 1024,
            };
            // A redirected client sender gets no credit: legacy clients would otherwise never see the redirect.
            settings.TotalLinkCredit = route.Kind == RouteKind.Redirect ? 0 : Options.LinkCredit;
            settings.AutoSendFlow = route.Kind != RouteKind.Redirect;
            // IoT Hub answers every client sender with rcv-settle-mode first and settles each outcome in its
            // first disposition; uamqp completes a send only on a settled disposition.
            settings.RcvSettleMode = (byte)ReceiverSettleMode.First;
            link = new ReceivingAmqpLink(session, settings);
        }
        else
        {
            // Method and twin senders are AtMostOnce on IoT Hub: attach snd-settle-mode=settled, send pre-settled (wire-2 §1.1, §2.1).
            if (route.Kind is RouteKind.MethodRequests or RouteKind.TwinResponses) settings.SndSettleMode = (byte)SenderSettleMode.Settled;
            link = new SendingAmqpLink(session, settings);
        }
        _routes.AddOrUpdate(link, route);
        return link;
    }

    public IAsyncResult BeginOpenLink(AmqpLink link, TimeSpan timeout, AsyncCallback callback, object state)
    {
        Exception? error = null;
        try { Bind(link); }
        catch (Exception ex) { error = ex; }
        var result = new CompletedResult(state, error);
        callback?.Invoke(result);
        return result;
    }

    public void EndOpenLink(IAsyncResult result)
    {
        if (((CompletedResult)result).Error is { } error) throw error;
    }

    private void Bind(AmqpLink link)
    {
        var context = Context(link.Session.Connection);
        _routes.TryGetValue(link, out var route);
        route ??= new Route(RouteKind.NotFound);
        var address = link.IsReceiver ? (link.Settings.Target as Target)?.Address?.ToString() : (link.Settings.Source as Source)?.Address?.ToString();
        var now = Time.GetUtcNow();
        string? scope = null;
        try
        {
            // Bound the links a peer can hold open per session (HandleMax is advisory for peers).
            if (context.LinksFor().Count(l => l.Session == link.Session) >= Options.MaxLinksPerSession)
                throw new AmqpException(AmqpErrorCode.ResourceLimitExceeded, "Too many links on this session.");
            switch (route.Kind)
            {
                case RouteKind.Cbs:
                    if (link is ReceivingAmqpLink cbsIn) cbsIn.RegisterMessageListener(m => OnCbsRequest(context, cbsIn, m));
                    else { TrackReplies((SendingAmqpLink)link); context.AddReplyLink("cbs", (SendingAmqpLink)link); }
                    break;
                case RouteKind.Telemetry:
                    // A registered module sends with its own token; other module addresses take the device's.
                    scope = route.ModuleId is not null && context.HasGrant(Grant.ModuleScope(route.DeviceId!, route.ModuleId), now)
                        ? Grant.ModuleScope(route.DeviceId!, route.ModuleId) : RequireDevice(context, route.DeviceId!, now);
                    var telemetry = (ReceivingAmqpLink)link;
                    telemetry.RegisterMessageListener(m => OnTelemetry(context, telemetry, route, m));
                    break;
                case RouteKind.C2dReceive:
                    scope = RequireDevice(context, route.DeviceId!, now);
                    if (!C2d.Attach(route.DeviceId!, (SendingAmqpLink)link))
                        throw new AmqpException(AmqpErrorCode.InternalError, "Another AMQP Client has opened a Receive Link");
                    break;
                case RouteKind.DeviceFeedback:
                    if (context.DeviceId is null || !context.HasGrant(Grant.DeviceScope(context.DeviceId), now))
                        throw Unauthorized();
                    scope = Grant.DeviceScope(context.DeviceId);
                    var fb = (ReceivingAmqpLink)link;
                    fb.RegisterMessageListener(m => fb.AcceptMessage(m, false));
                    break;
                case RouteKind.ServiceC2dSend:
                    scope = RequireService(context, now);
                    var sender = (ReceivingAmqpLink)link;
                    sender.RegisterMessageListener(m => OnServiceC2d(sender, m));
                    break;
                case RouteKind.ServiceFeedback:
                    scope = RequireService(context, now);
                    Feedback.Attach((SendingAmqpLink)link);
                    break;
                case RouteKind.Redirect:
                    scope = RequireService(context, now);
                    BindRedirect(link, route.RedirectPath);
                    break;
                case RouteKind.EventHubManagement:
                    if (link is ReceivingAmqpLink mgmtIn) mgmtIn.RegisterMessageListener(m => OnManagementRequest(context, mgmtIn, m));
                    else { TrackReplies((SendingAmqpLink)link); context.AddReplyLink("mgmt", (SendingAmqpLink)link); }
                    break;
                case RouteKind.PartitionReceive:
                    scope = RequireService(context, now);
                    PartitionReader.Start((SendingAmqpLink)link, Telemetry, route.Partition, Time);
                    break;
                case RouteKind.MethodRequests:
                    scope = RequireIdentity(this, context, route, now);
                    AttachMethodRequests(this, route, (SendingAmqpLink)link);
                    break;
                case RouteKind.MethodResponses:
                    scope = RequireIdentity(this, context, route, now);
                    var responses = (ReceivingAmqpLink)link;
                    responses.RegisterMessageListener(m => OnMethodResponse(responses, m));
                    break;
                case RouteKind.TwinResponses:
                    scope = RequireIdentity(this, context, route, now);
                    AttachTwinResponses(route, (SendingAmqpLink)link);
                    break;
                case RouteKind.TwinRequests:
                    scope = RequireIdentity(this, context, route, now);
                    var twinIn = (ReceivingAmqpLink)link;
                    twinIn.RegisterMessageListener(m => OnTwinRequest(context, twinIn, route, m));
                    break;
                default:
                    throw new AmqpException(AmqpErrorCode.NotFound, $"The requested resource '{address}' was not found.");
            }
        }
        catch (AmqpException ex)
        {
            Raise(HubEventKind.LinkRefused, context.Id, route.DeviceId, address, Describe(ex));
            throw;
        }
        context.AddLink(link, scope, route.DeviceId);
        Raise(HubEventKind.LinkAttached, context.Id, route.DeviceId, address, link.IsReceiver
            ? $"hub receives, rcv-settle-mode={(link.Settings.RcvSettleMode == (byte)ReceiverSettleMode.Second ? "second" : "first")}" : "hub sends");
        link.SafeAddClosed((_, _) => Raise(HubEventKind.LinkClosed, context.Id, route.DeviceId, address, Describe(link.TerminalException) ?? "closed"));
    }

    private static AmqpException Unauthorized() => new(AmqpErrorCode.UnauthorizedAccess, "Unauthorized: put a valid token on $cbs first (an X.509 device presents its certificate in the TLS handshake instead).");

    private static string RequireDevice(ConnectionContext context, string deviceId, DateTimeOffset now)
    {
        var scope = Grant.DeviceScope(deviceId);
        if (context.HasGrant(scope, now)) return scope;
        // An authenticated device reaching for another device's address is told so, not asked for a token.
        if (context.DeviceId is { } own && own != deviceId && context.HasGrant(Grant.DeviceScope(own), now))
            throw new AmqpException(AmqpErrorCode.UnauthorizedAccess, $"Device '{Escape(own)}' may not open links of device '{Escape(deviceId)}'.");
        throw Unauthorized();
    }

    private static string RequireService(ConnectionContext context, DateTimeOffset now)
    {
        // Every service path (C2D send, feedback, telemetry read) needs ServiceConnect, as on IoT Hub.
        if (context.GrantFor(Grant.ServiceScope, now) is not { } grant) throw Unauthorized();
        if (TokenValidator.Lacks(grant, AccessRights.ServiceConnect) is { } refusal)
            throw new AmqpException(AmqpErrorCode.UnauthorizedAccess, refusal);
        return Grant.ServiceScope;
    }

    private void BindRedirect(AmqpLink link, string path)
    {
        var info = new Fields
        {
            { "hostname", EventHubHostName },
            { "network-host", EventHubHostName },
            { "port", Port },
            { "address", $"amqps://{EventHubHostName}:5671/{EventHubName}/{path}" },
        };
        var error = new Error { Condition = "amqp:link:redirect", Description = "Use the Event Hubs-compatible endpoint.", Info = info };
        // A transfer may still arrive after the detach: drop it.
        if (link is ReceivingAmqpLink r) r.RegisterMessageListener(m => m.Dispose());
        // Attach first (echoing the terminus), then detach with the redirect.
        link.Opened += (_, _) => ThreadPool.QueueUserWorkItem(_ => link.SafeClose(new AmqpException(error)));
    }

    private sealed class CompletedResult : IAsyncResult
    {
        public CompletedResult(object? state, Exception? error)
        {
            AsyncState = state;
            Error = error;
        }
        public Exception? Error { get; }
        public object? AsyncState { get; }
        private ManualResetEvent? _handle;
        public WaitHandle AsyncWaitHandle => LazyInitializer.EnsureInitialized(ref _handle, () => new ManualResetEvent(true));
        public bool CompletedSynchronously => true;
        public bool IsCompleted => true;
    }
}
