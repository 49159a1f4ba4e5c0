// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
using System;
using System.Threading;
using IotHubAmqp.Device.Engine;
using IotHubAmqp.Device.Framing;
using IotHubAmqp.Device.Messaging;
using IotHubAmqp.Device.Platform;
using IotHubAmqp.Device.Sasl;

namespace IotHubAmqp.Device.IotHub
{
    // Connecting: transport, SASL or CBS, links; a new connection replaces the old one whole.
    public sealed partial class DeviceClient
    {
        /// <summary>Hops a connect follows when the hub answers with amqp:link:redirect.</summary>
        private const int MaxRedirects = 3;

        /// <param name="renew">True for a planned renewal: a supplied token is replaced even if still valid.</param>
        private void Connect(bool renew)
        {
            for (int hop = 0; ; hop++)
            {
                try
                {
                    ConnectOnce(renew);
                    return;
                }
                catch (AmqpException e) when (hop < MaxRedirects && (e.Condition == ErrorCode.LinkRedirect || e.Condition == ErrorCode.ConnectionRedirect))
                {
                    lock (sync) NoteRedirect(e);
                }
            }
        }

        private void ConnectOnce(bool renew)
        {
            string host = identity.GatewayHostName ?? identity.HostName;
            int port = options.Port;
            // "GatewayHostName=127.0.0.1:5671" (a local hub on another port, as the Node SDK reads it).
            int colon = host.IndexOf(':');
            if (colon > 0 && colon == host.LastIndexOf(':'))
            {
                port = ParsePort(host.Substring(colon + 1));
                host = host.Substring(0, colon);
            }
            lock (sync)
            {
                if (redirectHost != null)
                {
                    host = redirectHost;
                    port = redirectPort;
                }
            }
            string newToken = NextToken(renew);
            SaslProfile sasl = null;
            if (options.Authentication == AuthenticationMode.SaslPlain)
                sasl = SaslProfile.Plain(IotHubAddress.PlainUserName(identity.DeviceId, identity.ModuleId, identity.HostName), newToken);
            else if (options.Authentication == AuthenticationMode.CbsWithSaslAnonymous)
                sasl = SaslProfile.Anonymous();

            ITransport transport = transports.Connect(host, port, true, options.ConnectTimeoutMs);
            var settings = new ConnectionSettings();
            settings.ContainerId = identity.DeviceId;
            settings.HostName = identity.HostName;
            settings.MaxFrameSize = options.MaxFrameSize;
            settings.IdleTimeoutMs = options.IdleTimeoutMs;
            settings.Sasl = sasl;
            Connection c = Connection.Start(transport, settings, platform, options.ConnectTimeoutMs);
            try
            {
                Session session = c.BeginSession(0);
                SenderLink cbsOut = null;
                ReceiverLink cbsIn = null;
                string putTokenId = null;
                if (sasl == null || sasl.Mechanism != SaslProfile.PlainName)
                {
                    // CBS links go out pipelined behind open and begin; the put-token as soon as its link has credit.
                    cbsOut = session.AttachSender("$cbs-sender", IotHubAddress.Cbs, SenderSettleMode.Settled, null);
                    cbsIn = session.AttachReceiver(IotHubAddress.CbsReplyTo, IotHubAddress.Cbs, 1, ReceiverSettleMode.First, 4096, null);
                    putTokenId = SendPutToken(cbsOut, newToken);
                }
                // The telemetry and C2D attaches follow the put-token without waiting for its reply, saving a round
                // trip: a hub that handles a connection's frames in order (the local hub does) authorizes them with
                // that token. A hub that refused them before the token took effect gets them again below.
                AmqpMap properties = LinkProperties();
                string telemetryName = "telemetry-" + identity.DeviceId;
                string telemetryAddress = IotHubAddress.Telemetry(identity.DeviceId, identity.ModuleId);
                SenderLink events = session.AttachSender(telemetryName, telemetryAddress, SenderSettleMode.Unsettled, properties);
                ReceiverLink commands = null;
                if (options.ReceiveCloudToDevice && renew)
                {
                    // The hub allows one C2D receiver per device: free it on the old connection first. Messages
                    // left unsettled there are delivered again on the new link.
                    ReceiverLink old;
                    lock (sync) old = c2d;
                    if (old != null && old.IsAttached) old.Close(options.OperationTimeoutMs);
                }
                string c2dName = "c2d-" + identity.DeviceId;
                string c2dAddress = IotHubAddress.CloudToDevice(identity.DeviceId, identity.ModuleId);
                if (options.ReceiveCloudToDevice)
                    commands = session.AttachReceiver(c2dName, c2dAddress, options.C2dPrefetch, ReceiverSettleMode.First, options.C2dMaxMessageBytes, properties);
                if (putTokenId != null) AwaitPutToken(cbsIn, putTokenId);
                if (!WaitAttachedAfterToken(events, putTokenId != null))
                {
                    events = session.AttachSender(telemetryName, telemetryAddress, SenderSettleMode.Unsettled, properties);
                    events.WaitAttached(options.ConnectTimeoutMs);
                }
                if (commands != null && !WaitAttachedAfterToken(commands, putTokenId != null))
                {
                    commands = session.AttachReceiver(c2dName, c2dAddress, options.C2dPrefetch, ReceiverSettleMode.First, options.C2dMaxMessageBytes, properties);
                    commands.WaitAttached(options.ConnectTimeoutMs);
                }
                Install(c, events, commands, cbsOut, cbsIn, newToken);
            }
            catch (Exception)
            {
                c.Abort();
                throw;
            }
        }

        // Swaps in a new connection and closes the one it replaces (make-before-break for planned renewals).
        private void Install(Connection c, SenderLink events, ReceiverLink commands, SenderLink cbsOut, ReceiverLink cbsIn, string newToken)
        {
            Connection old;
            int gen;
            lock (sync)
            {
                if (closing)
                {
                    c.Close(1000);
                    throw new InvalidOperationException("the client was closed while connecting");
                }
                old = connection;
                gen = ++generation;
                connection = c;
                telemetry = events;
                c2d = commands;
                cbsSender = cbsOut;
                cbsReceiver = cbsIn;
                feedback = null;
                token = newToken;
                renewalFailures = 0;
                c.Closed += (conn, error) => OnConnectionClosed(gen, error);
                events.Detached = (link, error) => OnFault(link, error);
                if (commands != null) commands.Detached = (link, error) => OnFault(link, error);
                if (options.RenewTokens) ScheduleRenewal(RenewalDelayMs());
                connected.Set();
            }
            if (old != null) old.Close(1000);
        }

        private AmqpMap LinkProperties()
        {
            var p = new AmqpMap();
            p[new Symbol("com.microsoft:client-version")] = ClientVersion;
            p[new Symbol("com.microsoft:api-version")] = ApiVersion;
            return p;
        }

        // Returns false when a link attached right behind the put-token was refused as unauthorized: the hub
        // checked it before the token took effect, and it may be attached again now.
        private bool WaitAttachedAfterToken(Link link, bool pipelined)
        {
            try
            {
                link.WaitAttached(options.ConnectTimeoutMs);
                return true;
            }
            catch (AmqpException e) when (pipelined && e.Condition == ErrorCode.UnauthorizedAccess)
            {
                return false;
            }
        }

        private void PutToken(SenderLink cbsOut, ReceiverLink cbsIn, string newToken)
        {
            AwaitPutToken(cbsIn, SendPutToken(cbsOut, newToken));
        }

        // Sends the put-token (settled: the reply is the answer) and returns its message-id.
        private string SendPutToken(SenderLink cbsOut, string newToken)
        {
            string id = "put-token-" + Interlocked.Increment(ref cbsRequestId).ToString();
            cbsOut.Send(CbsPutToken.Request(newToken, audience, options.CbsTokenType, id), options.OperationTimeoutMs);
            return id;
        }

        private void AwaitPutToken(ReceiverLink cbsIn, string id)
        {
            long deadline = platform.TickMilliseconds + options.OperationTimeoutMs;
            while (true)
            {
                IncomingDelivery reply = cbsIn.Receive(Remaining(deadline));
                if (reply == null)
                    throw new AmqpException(ErrorCode.Timeout, "no CBS put-token reply within " + options.OperationTimeoutMs + " ms");
                if (!CbsPutToken.Answers(reply.Message, id)) continue;
                int status = CbsPutToken.StatusCode(reply.Message);
                if (CbsPutToken.IsSuccess(status)) return;
                throw new AmqpException(ErrorCode.UnauthorizedAccess, "CBS put-token refused with status " + status + ": " + CbsPutToken.StatusDescription(reply.Message));
            }
        }

        // A token from the key; or the application's: the current one while it is still valid (a reconnect),
        // else a new one from the TokenRenewal callback.
        private string NextToken(bool renew)
        {
            long now = SasToken.UnixSeconds(platform.UtcNow);
            if (identity.HasKey)
            {
                long expiry = now + options.TokenLifetimeSeconds;
                string t = SasToken.Create(platform, audience, identity.Key, identity.SharedAccessKeyName, expiry);
                tokenExpiry = expiry;
                return t;
            }
            string current = token ?? identity.SharedAccessSignature;
            string supplied = null;
            if (!renew && SasToken.ParseExpiry(current) > now)
                supplied = current;
            else if (options.TokenRenewal != null)
                supplied = options.TokenRenewal(audience, platform.UtcNow.AddSeconds(options.TokenLifetimeSeconds));
            if (supplied == null)
                throw new AmqpException(ErrorCode.UnauthorizedAccess, "the SAS token " + (renew ? "needs renewal" : "has expired") + " and no TokenRenewal callback gave a new one");
            tokenExpiry = SasToken.ParseExpiry(supplied);
            return supplied;
        }


        private static int ParsePort(string text)
        {
            int port = 0;
            for (int i = 0; i < text.Length; i++)
            {
                char c = text[i];
                if (c < '0' || c > '9' || port > 6553) throw new ArgumentException("GatewayHostName has an invalid port");
                port = port * 10 + (c - '0');
            }
            if (port <= 0 || port > 65535) throw new ArgumentException("GatewayHostName has an invalid port");
            return port;
        }
    }
}
