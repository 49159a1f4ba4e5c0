// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
using System;
using IotHubAmqp.Device.Engine;
using IotHubAmqp.Device.Framing;
using IotHubAmqp.Device.Messaging;
using IotHubAmqp.Device.Sasl;

namespace IotHubAmqp.Device.IotHub
{
    // Connecting: one deadline bounds transport, TLS, SASL, open, begin, put-token and attaches; links pipelined.
    internal sealed partial class ClientCore
    {
        /// <summary>Hops a connect follows when the hub answers with a redirect.</summary>
        public const int MaxRedirects = 3;

        /// <summary>A connection up this long counts as good: the next fault starts the backoff from the beginning.</summary>
        public const int StableConnectionMs = 10000;

        private long connectedAt = long.MinValue / 2;

        private Session session;
        private SenderLink telemetry;
        private ReceiverLink c2d;
        private SenderLink cbsOut;
        private ReceiverLink cbsIn;
        private int linkSerial;

        private int attempt;
        private int redirects;
        private string redirectHost;
        private int redirectPort;
        private bool plannedRenewal;
        private bool transportUp;
        private bool telemetryRefused;
        private bool engineRetired;
        private bool linksAfterToken;
        private OutgoingDelivery putTokenSlot;
        private bool c2dRefused;

        /// <summary>The driver should open a transport to <see cref="ConnectHost"/>:<see cref="ConnectPort"/> within <see cref="ConnectDeadline"/>.</summary>
        public bool WantsTransport;

        /// <summary>The driver should write what is left of the engine's output (bounded) and close the transport.</summary>
        public bool WantsTransportClosed;

        public string ConnectHost;

        public int ConnectPort;

        public long ConnectDeadline;

        private void StartAttempt(bool renew, long now)
        {
            Phase = ClientPhase.Connecting;
            plannedRenewal = renew;
            string host = Identity.GatewayHostName ?? hostName;
            int port = Options.Port;
            // "GatewayHostName=127.0.0.1:5671" (a local hub on another port, as the Node SDK reads it).
            int colon = host.IndexOf(':');
            if (colon > 0 && colon == host.LastIndexOf(':'))
            {
                port = ParsePort(host, colon + 1);
                if (port == 0)
                {
                    // The first Open throws it as the caller's error; later attempts report it.
                    var bad = new ArgumentException("GatewayHostName has an invalid port");
                    AttemptFailed(new AmqpException(ErrorCode.InvalidField, bad.Message), now, bad);
                    return;
                }
                host = host.Substring(0, colon);
            }
            if (redirectHost != null)
            {
                host = redirectHost;
                port = redirectPort;
            }
            try
            {
                // X.509: the certificate in the TLS handshake is the credential; there is no token (wire-2 4).
                if (!Identity.UsesX509) pendingToken = NextToken(renew);
            }
            catch (Exception e)
            {
                AttemptFailed(e as AmqpException ?? new AmqpException(ErrorCode.UnauthorizedAccess, e.Message), now, e);
                return;
            }
            ConnectHost = host;
            ConnectPort = port;
            ConnectDeadline = now + Options.ConnectTimeoutMs;
            WantsTransport = true;
        }

        /// <summary>The driver takes the connect request (and performs it).</summary>
        public void TransportConnecting() => WantsTransport = false;

        /// <summary>The transport is up: start AMQP on it.</summary>
        public void TransportConnected(long now)
        {
            transportUp = true;
            if (Phase != ClientPhase.Connecting)
            {
                // Closed meanwhile: nothing to do on it.
                WantsTransportClosed = true;
                return;
            }
            var settings = new ConnectionSettings();
            settings.ContainerId = deviceId;
            settings.HostName = hostName;
            settings.MaxFrameSize = Options.MaxFrameSize;
            settings.IdleTimeoutMs = Options.IdleTimeoutMs;
            AuthenticationMode mode = Options.Authentication;
            if (mode == AuthenticationMode.CbsWithSaslAnonymous)
                settings.Sasl = SaslProfile.Anonymous();
            else if (mode == AuthenticationMode.SaslPlain && !Identity.UsesX509)
                settings.Sasl = SaslProfile.Plain(IotHubAddress.PlainUserName(deviceId, moduleId, hostName), pendingToken);
            var engine = new Connection(settings);
            Engine = engine;
            engineRetired = false;
            engine.Open(now);
            if (engine.CanBeginSessions) BeginLinks(now);
        }

        /// <summary>The transport could not be opened (connect, TLS or the deadline).</summary>
        public void TransportFailed(Exception e, long now)
        {
            transportUp = false;
            if (Phase != ClientPhase.Connecting) return;
            // The first Open throws what the transport threw (a TLS trust failure stays an AuthenticationException).
            AttemptFailed(Lost(e), now, e);
        }

        /// <summary>The transport ended by itself (the peer closed it, a read or write failed).</summary>
        public void TransportEnded(AmqpException reason, long now)
        {
            if (Engine != null) Engine.TransportClosed(reason, now);
            ProcessEvents(now);
            if (transportUp) WantsTransportClosed = true;
        }

        /// <summary>The driver closed the transport it was asked to close.</summary>
        public void TransportClosed(long now)
        {
            transportUp = false;
            WantsTransportClosed = false;
            Connection engine = Engine;
            if (engine != null && !engine.IsEnded) engine.Abort(new AmqpException(ErrorCode.ConnectionLost, "transport closed"));
            ProcessEvents(now);
            Engine = null;
            if (Phase == ClientPhase.Closing) FinishClose();
        }

        // Session and links, pipelined behind open: the put-token first, telemetry and C2D right behind it.
        private void BeginLinks(long now)
        {
            session = Engine.BeginSession(0);
            tokenPut = Options.Authentication == AuthenticationMode.SaslPlain || Identity.UsesX509;
            telemetryRefused = false;
            c2dRefused = false;
            if (!tokenPut)
            {
                cbsOut = session.AttachSender("$cbs-sender", IotHubAddress.Cbs, SenderSettleMode.Settled, null);
                cbsIn = session.AttachReceiver(IotHubAddress.CbsReplyTo, IotHubAddress.Cbs, 1, ReceiverSettleMode.First, 4096, null);
                SendPutToken(now);
                // Telemetry and C2D follow the put-token on the wire (AttachAfterPutToken), not ahead of it: a hub that
                // handles frames in order then authorizes them with that token, with no refusal and no round trip.
                linksAfterToken = true;
                return;
            }
            AttachTelemetry();
            if (ReceivesC2d) AttachC2d();
        }

        // Once the put-token has left (it waits for the $cbs link's credit), the attaches go right behind it.
        private void AttachAfterPutToken()
        {
            if (!linksAfterToken || Engine == null || cbsOut == null) return;
            Engine.PumpTransfers(); // the put-token is written as soon as its link has credit
            if (putTokenSlot != null && putTokenSlot.Status == DeliveryStatus.Queued) return;
            linksAfterToken = false;
            AttachTelemetry();
            if (ReceivesC2d) AttachC2d();
        }

        // A module has no cloud-to-device queue (as in the reference SDKs' module clients).
        private bool ReceivesC2d => Options.ReceiveCloudToDevice && moduleId == null;

        private void AttachTelemetry()
        {
            telemetry = session.AttachSender(NextLinkName("telemetry"), IotHubAddress.Telemetry(deviceId, moduleId), SenderSettleMode.Unsettled, LinkProperties());
        }

        private void AttachC2d()
        {
            c2d = session.AttachReceiver(NextLinkName("c2d"), IotHubAddress.CloudToDevice(deviceId, moduleId), Options.C2dPrefetch, ReceiverSettleMode.First, Options.C2dMaxMessageBytes, LinkProperties());
        }

        /// <summary>The client-version and api-version properties every IoT Hub link carries.</summary>
        internal AmqpMap LinkProperties()
        {
            var p = new AmqpMap();
            p[new Symbol("com.microsoft:client-version")] = DeviceClient.ClientVersion;
            p[new Symbol("com.microsoft:api-version")] = DeviceClient.ApiVersion;
            return p;
        }

        // Connected once telemetry (and C2D) are attached and the token is in place.
        private void CheckConnected(long now)
        {
            if (Phase != ClientPhase.Connecting || !tokenPut) return;
            if (!Up(telemetry) || ReceivesC2d && !Up(c2d)) return;
            Phase = ClientPhase.Connected;
            ConnectDeadline = Never;
            bool renewal = plannedRenewal;
            connectedAt = now;
            redirects = 0;
            renewalFailures = 0;
            plannedRenewal = false;
            if (!Identity.UsesX509)
            {
                if (Options.Authentication == AuthenticationMode.SaslPlain)
                {
                    // PLAIN: the token counts once the hub let the connection through.
                    token = pendingToken;
                    tokenExpiry = nextExpiry;
                }
                ScheduleRenewal(now);
            }
            // The status is Connected before the first Open returns.
            ClientRequest open = openRequest;
            if (open != null)
            {
                SetStatus(ClientStatus.Connected, "connected to " + hostName);
                open.Complete();
                openRequest = null;
            }
            else
            {
                Reconnects++;
                SetStatus(ClientStatus.Connected, renewal ? "reconnected with a new token" : "reconnected after " + (attempt + 1) + " attempt(s)");
                if (renewal) TokenRenewed();
            }
            DispatchSends();
            PullC2d();
            for (int i = 0; i < featureCount; i++) features[i].Attach(session, now);
        }

        // Ends the connection (close queued for the driver to flush) and forgets its links; sends go back in line.
        private void TearDown()
        {
            ConnectDeadline = Never;
            putTokenDeadline = Never;
            renewing = false;
            linksAfterToken = false;
            putTokenSlot = null;
            WantsTransport = false;
            Connection engine = Engine;
            if (engine != null)
            {
                if (!engine.IsEnded) engine.Close(null);
                engine.Abort(new AmqpException(ErrorCode.ConnectionLost, "the connection was replaced"));
                // Outcomes that came in with the last read count; the rest go back in line.
                OnOutcomes(telemetry);
                for (int i = 0; i < sends.Count; i++)
                {
                    var r = (ClientRequest)sends[i];
                    r.Slot = null;
                    r.SlotLink = null;
                }
                engineRetired = true;
            }
            DropLinks();
            if (transportUp) WantsTransportClosed = true;
            else Engine = null;
        }

        private void DropLinks()
        {
            session = null;
            telemetry = null;
            cbsOut = null;
            cbsIn = null;
            c2d = null;
            for (int i = 0; i < featureCount; i++) features[i].LinksLost();
            // Messages the application has not taken are redelivered by the hub on the next link.
            c2dReady.Clear();
        }

        private static string Describe(Exception e) => e is AmqpException ? e.Message : Named(e);

        /// <summary>A foreign exception in a reason: its type says what failed.</summary>
        internal static string Named(Exception e) => e.GetType().Name + ": " + e.Message;

        /// <summary>What a transport threw, as the reason its connection was lost.</summary>
        internal static AmqpException Lost(Exception e) => e as AmqpException ?? new AmqpException(ErrorCode.ConnectionLost, Named(e));

        // The port after "host:" at text[from..], or 0 when it is not one (1..65535).
        private static int ParsePort(string text, int from)
        {
            int port = 0;
            for (int i = from; i < text.Length; i++)
            {
                char c = text[i];
                if (c < '0' || c > '9' || port > 6553) return 0;
                port = port * 10 + (c - '0');
            }
            return port > 65535 ? 0 : port;
        }
    }
}
