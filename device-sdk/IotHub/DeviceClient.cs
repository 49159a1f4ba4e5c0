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
    /// <summary>The connection state a <see cref="DeviceClient"/> reports, and the token events.</summary>
    public enum ClientStatus
    {
        /// <summary>Not connected (before <see cref="DeviceClient.Open"/>, or after giving up reconnecting).</summary>
        Disconnected,
        /// <summary>Connected and authenticated; telemetry flows.</summary>
        Connected,
        /// <summary>The connection was lost and the client is reconnecting with backoff.</summary>
        Reconnecting,
        /// <summary>The token was renewed (a status event only; the client stays connected).</summary>
        TokenRenewed,
        /// <summary>A renewal attempt failed and will be retried (a status event only).</summary>
        TokenRenewalFailed,
        /// <summary>Closed by the application.</summary>
        Closed,
    }

    /// <summary>Names of <see cref="ClientStatus"/> values, for logs on nanoFramework where <c>Enum.ToString()</c> prints the number.</summary>
    public static class ClientStatusName
    {
        /// <summary>The status's name.</summary>
        public static string Of(ClientStatus status)
        {
            switch (status)
            {
                case ClientStatus.Disconnected: return "Disconnected";
                case ClientStatus.Connected: return "Connected";
                case ClientStatus.Reconnecting: return "Reconnecting";
                case ClientStatus.TokenRenewed: return "TokenRenewed";
                case ClientStatus.TokenRenewalFailed: return "TokenRenewalFailed";
                case ClientStatus.Closed: return "Closed";
                default: return "Status " + (int)status;
            }
        }
    }

    /// <summary>Reports a status change; <paramref name="reason"/> says why (never a key or token).</summary>
    public delegate void StatusChangedHandler(DeviceClient sender, ClientStatus status, string reason);

    /// <summary>Delivers a cloud-to-device message; settle it with Complete, Reject or Abandon.</summary>
    public delegate void CloudToDeviceMessageHandler(DeviceClient sender, C2dMessage message);

    /// <summary>
    /// An Azure IoT Hub device client over AMQP 1.0: telemetry with the hub's outcome (at-least-once),
    /// cloud-to-device messages, token renewal before expiry, and reconnection after any fault.
    /// Synchronous, as nanoFramework code is; status and messages arrive as events.
    /// </summary>
    public sealed class DeviceClient
    {
        /// <summary>Sent as com.microsoft:client-version on every link.</summary>
        public const string ClientVersion = "IotHubAmqp.Device/0.1.0";

        /// <summary>Sent as com.microsoft:api-version on every link.</summary>
        public const string ApiVersion = "2020-09-30";

        private readonly IotHubConnectionString identity;
        private readonly DeviceClientOptions options;
        private readonly ITransportFactory transports;
        private readonly IPlatform platform;
        private readonly object sync = new object();
        private readonly ManualResetEvent connected = new ManualResetEvent(false);
        private readonly Random random = new Random();
        private readonly string audience;

        // The live connection and its links; replaced as a whole on reconnect (under sync).
        private Connection connection;
        private SenderLink telemetry;
        private ReceiverLink c2d;
        private SenderLink cbsSender;
        private ReceiverLink cbsReceiver;
        private SenderLink feedback;
        private int generation;

        private string token;
        private long tokenExpiry;
        private readonly AutoResetEvent renewalWake = new AutoResetEvent(false);
        private long renewalDueTick = long.MaxValue;
        private int renewalGeneration;
        private Thread renewer;
        private int renewalFailures;
        private int cbsRequestId;
        private bool opened;
        private bool closing;
        private bool reconnecting;
        private string redirectHost;
        private int redirectPort;
        private Thread dispatcher;

        /// <summary>Creates a client from a device connection string.</summary>
        /// <param name="connectionString"><c>HostName=...;DeviceId=...;SharedAccessKey=...</c> (see <see cref="IotHubConnectionString"/>).</param>
        /// <param name="transportFactory">Opens TLS connections validated against the hub's root CA (the platform layer).</param>
        /// <param name="platform">HMAC-SHA256 and clocks (the platform layer).</param>
        /// <param name="options">Settings, or null for the defaults.</param>
        public DeviceClient(string connectionString, ITransportFactory transportFactory, IPlatform platform, DeviceClientOptions options = null)
            : this(IotHubConnectionString.Parse(connectionString), transportFactory, platform, options)
        {
        }

        /// <summary>Creates a client from parsed parts (see <see cref="IotHubConnectionString.FromParts"/>).</summary>
        public DeviceClient(IotHubConnectionString identity, ITransportFactory transportFactory, IPlatform platform, DeviceClientOptions options = null)
        {
            if (identity == null) throw new ArgumentNullException(nameof(identity));
            if (transportFactory == null) throw new ArgumentNullException(nameof(transportFactory));
            if (platform == null) throw new ArgumentNullException(nameof(platform));
            this.options = options ?? new DeviceClientOptions();
            this.options.Validate();
            this.identity = identity;
            transports = transportFactory;
            this.platform = platform;
            audience = IotHubAddress.Audience(identity.HostName, identity.DeviceId, identity.ModuleId);
        }

        /// <summary>Connection status changes, reconnects and token renewals.</summary>
        public event StatusChangedHandler StatusChanged;

        /// <summary>
        /// Cloud-to-device messages, one call per message on the client's dispatch thread. Without a handler,
        /// messages wait (up to the prefetch) for <see cref="ReceiveCloudToDevice"/>.
        /// </summary>
        public event CloudToDeviceMessageHandler CloudToDeviceMessage;

        /// <summary>The current connection status.</summary>
        public ClientStatus Status { get; private set; }

        /// <summary>The device id.</summary>
        public string DeviceId => identity.DeviceId;

        /// <summary>Times the client reconnected since <see cref="Open"/> (planned PLAIN renewals included).</summary>
        public int Reconnects { get; private set; }

        /// <summary>Tokens renewed since <see cref="Open"/>.</summary>
        public int TokenRenewals { get; private set; }

        /// <summary>
        /// Connects, authenticates and attaches the links; throws <see cref="AmqpException"/> (for example
        /// <c>amqp:unauthorized-access</c>) or the transport's exception when the first connect fails. After that,
        /// faults are handled by reconnecting in the background.
        /// </summary>
        public void Open()
        {
            lock (sync)
            {
                if (opened) throw new InvalidOperationException("the client is already open");
                if (closing) throw new InvalidOperationException("the client was closed; create a new one");
                opened = true;
            }
            try
            {
                Connect(false);
            }
            catch (Exception)
            {
                lock (sync) opened = false;
                throw;
            }
            dispatcher = new Thread(Dispatch);
            dispatcher.Start();
            renewer = new Thread(RenewalLoop);
            renewer.Start();
            SetStatus(ClientStatus.Connected, "connected to " + identity.HostName);
        }

        /// <summary>Closes the connection; pending calls fail. The client cannot be opened again.</summary>
        public void Close()
        {
            Connection c;
            lock (sync)
            {
                if (closing) return;
                closing = true;
                c = connection;
                connection = null;
                renewalDueTick = long.MaxValue;
            }
            connected.Set();
            renewalWake.Set();
            if (c != null) c.Close(2000);
            SetStatus(ClientStatus.Closed, "closed by the application");
        }

        /// <summary>
        /// Sends <paramref name="text"/> as a UTF-8 data body with the given content type (for example
        /// <c>application/json</c>) and waits for the hub's outcome: the shape of nanoFramework's MQTT <c>SendMessage</c>.
        /// </summary>
        public SendResult SendTelemetry(string text, string contentType)
        {
            if (text == null) throw new ArgumentNullException(nameof(text));
            var m = new Message(Utf8Bytes(text));
            m.Properties = new MessageProperties();
            m.Properties.ContentType = contentType;
            m.Properties.ContentEncoding = "utf-8";
            return SendTelemetry(m);
        }

        private static byte[] Utf8Bytes(string text)
        {
            byte[] bytes = new byte[Types.Utf8.GetByteCount(text)];
            Types.Utf8.Encode(text, bytes, 0);
            return bytes;
        }

        /// <summary>Sends a telemetry message with a data body and waits for the hub's outcome.</summary>
        public SendResult SendTelemetry(byte[] body)
        {
            if (body == null) throw new ArgumentNullException(nameof(body));
            return SendTelemetry(new Message(body));
        }

        /// <summary>
        /// Sends a telemetry message on <c>/devices/{id}/messages/events</c> and returns when the hub's outcome
        /// arrives or <see cref="DeviceClientOptions.OperationTimeoutMs"/> passes. A message-id is generated when
        /// the message has none. If the connection drops first, the message is sent again on the new connection
        /// (at-least-once: the hub may see it twice, with the same message-id).
        /// </summary>
        public SendResult SendTelemetry(Message message)
        {
            if (message == null) throw new ArgumentNullException(nameof(message));
            CheckTelemetry(message);
            if (message.Properties == null) message.Properties = new MessageProperties();
            if (message.Properties.MessageId == null) message.Properties.MessageId = Guid.NewGuid().ToString();
            string messageId = message.Properties.MessageId.ToString();
            long deadline = platform.TickMilliseconds + options.OperationTimeoutMs;
            AmqpException last = null;
            while (true)
            {
                int left = Remaining(deadline);
                SenderLink link = WaitLink(true, left);
                if (link == null)
                {
                    string why = last == null ? "not connected" : last.Message;
                    return new SendResult(SendOutcome.TimedOut, ErrorCode.Timeout, "no outcome within " + options.OperationTimeoutMs + " ms (" + why + ")", messageId);
                }
                try
                {
                    return ToResult(link.Send(message, Remaining(deadline)), messageId);
                }
                catch (AmqpException e)
                {
                    if (e.Condition == ErrorCode.Timeout)
                        return new SendResult(SendOutcome.TimedOut, e.Condition, e.Description, messageId);
                    if (e.Condition == ErrorCode.MessageSizeExceeded || e.Condition == ErrorCode.InvalidField || e.Condition == ErrorCode.NotImplemented)
                        throw;
                    // The link or connection went away with the message in flight: reconnect and send it again.
                    last = e;
                    OnFault(link, e);
                }
            }
        }

        /// <summary>
        /// Waits up to <paramref name="timeoutMs"/> for cloud-to-device messages and returns at most
        /// <paramref name="maxCount"/> (an empty array on timeout). Only without a <see cref="CloudToDeviceMessage"/> handler.
        /// </summary>
        public C2dMessage[] ReceiveCloudToDevice(int maxCount, int timeoutMs)
        {
            if (maxCount <= 0) throw new ArgumentException("maxCount must be positive");
            if (CloudToDeviceMessage != null) throw new InvalidOperationException("messages go to the CloudToDeviceMessage handler");
            var got = new System.Collections.ArrayList();
            long deadline = platform.TickMilliseconds + timeoutMs;
            while (got.Count < maxCount)
            {
                ReceiverLink link = WaitReceiver(Remaining(deadline));
                if (link == null) break;
                IncomingDelivery d;
                try
                {
                    d = link.Receive(got.Count == 0 ? Remaining(deadline) : 0);
                }
                catch (AmqpException e)
                {
                    OnFault(link, e);
                    continue;
                }
                if (d == null) break;
                got.Add(new C2dMessage(d));
            }
            var result = new C2dMessage[got.Count];
            got.CopyTo(result);
            return result;
        }

        /// <summary>Completes the message (accepted): the hub removes it and reports Success as feedback.</summary>
        public void Complete(C2dMessage message) => DeliveryOf(message).Link.Accept(message.Delivery);

        /// <summary>Rejects the message: the hub dead-letters it and reports Rejected as feedback.</summary>
        public void Reject(C2dMessage message) => DeliveryOf(message).Link.Reject(message.Delivery, null);

        /// <summary>Abandons the message (released): the hub delivers it again later.</summary>
        public void Abandon(C2dMessage message) => DeliveryOf(message).Link.Release(message.Delivery);

        /// <summary>
        /// Sends a message on the device's <c>/messages/serviceBound/feedback</c> sender link (the seed's device table),
        /// attaching that link on first use.
        /// </summary>
        public SendResult SendFeedback(Message message)
        {
            if (message == null) throw new ArgumentNullException(nameof(message));
            SenderLink link;
            lock (sync)
            {
                if (connection == null) throw new InvalidOperationException("the client is not connected");
                if (feedback == null || !feedback.IsAttached)
                    feedback = telemetry.Session.AttachSender("feedback-" + identity.DeviceId, IotHubAddress.Feedback, SenderSettleMode.Unsettled, LinkProperties());
                link = feedback;
            }
            string id = message.Properties == null || message.Properties.MessageId == null ? null : message.Properties.MessageId.ToString();
            try
            {
                return ToResult(link.Send(message, options.OperationTimeoutMs), id);
            }
            catch (AmqpException e)
            {
                if (e.Condition == ErrorCode.Timeout) return new SendResult(SendOutcome.TimedOut, e.Condition, e.Description, id);
                throw;
            }
        }

        private static IncomingDelivery DeliveryOf(C2dMessage message)
        {
            if (message == null) throw new ArgumentNullException(nameof(message));
            return message.Delivery;
        }

        private void CheckTelemetry(Message message)
        {
            if (message.BodyType == BodyType.None || message.Body == null)
                throw new ArgumentException("telemetry message has no body");
            byte[] body = message.GetBytes();
            if (body != null && body.Length > DeviceClientOptions.MaxTelemetryBytes)
                throw new ArgumentException("telemetry body is " + body.Length + " bytes; IoT Hub accepts at most " + DeviceClientOptions.MaxTelemetryBytes);
        }

        private static SendResult ToResult(Outcome outcome, string messageId)
        {
            switch (outcome)
            {
                case Accepted _:
                    return new SendResult(SendOutcome.Accepted, null, null, messageId);
                case Rejected r:
                    string condition = r.Error == null ? null : r.Error.Condition;
                    string description = r.Error == null ? null : r.Error.Description;
                    return new SendResult(condition == ErrorCode.ResourceLimitExceeded ? SendOutcome.Throttled : SendOutcome.Rejected, condition, description, messageId);
                default:
                    return new SendResult(SendOutcome.Released, null, null, messageId);
            }
        }

        // ---- connecting ----

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

        // ---- renewal ----

        // Milliseconds until the renewal point of the current token, measured from now to its expiry.
        private int RenewalDelayMs()
        {
            long nowMs = (platform.UtcNow.Ticks - Types.Encoder.EpochTicks) / TimeSpan.TicksPerMillisecond;
            long left = tokenExpiry * 1000 - nowMs;
            if (left <= 0) return 0;
            double fraction = options.RenewalPoint + options.RenewalJitter * (2 * random.NextDouble() - 1);
            double delay = left * fraction;
            return delay >= int.MaxValue ? int.MaxValue : (int)delay;
        }

        // Called under sync.
        private void ScheduleRenewal(int delayMs)
        {
            renewalGeneration = generation;
            renewalDueTick = platform.TickMilliseconds + (delayMs < 0 ? 0 : delayMs);
            renewalWake.Set();
        }

        // Renewal runs on its own thread rather than a timer: a put-token blocks for the hub's reply, and on
        // desktop .NET a blocked timer callback can starve the thread pool the renewal itself needs.
        private void RenewalLoop()
        {
            while (true)
            {
                long wait;
                int gen;
                lock (sync)
                {
                    if (closing) return;
                    wait = renewalDueTick == long.MaxValue ? int.MaxValue : renewalDueTick - platform.TickMilliseconds;
                    gen = renewalGeneration;
                    if (wait <= 0) renewalDueTick = long.MaxValue;
                }
                if (wait > 0)
                {
                    renewalWake.WaitOne(wait > int.MaxValue ? int.MaxValue : (int)wait, false);
                    continue;
                }
                Renew(gen);
            }
        }

        private void Renew(int gen)
        {
            SenderLink cbsOut;
            ReceiverLink cbsIn;
            lock (sync)
            {
                if (closing || gen != generation || reconnecting) return;
                cbsOut = cbsSender;
                cbsIn = cbsReceiver;
            }
            try
            {
                if (cbsOut != null)
                {
                    // CBS: a new put-token on the live connection; links and sends carry on untouched.
                    string newToken = NextToken(true);
                    PutToken(cbsOut, cbsIn, newToken);
                    lock (sync)
                    {
                        if (gen != generation) return;
                        token = newToken;
                        renewalFailures = 0;
                        if (options.RenewTokens) ScheduleRenewal(RenewalDelayMs());
                    }
                }
                else
                {
                    // PLAIN binds the token to the connection: open a new one, then drop the old one.
                    Connect(true);
                    Reconnects++;
                }
                TokenRenewals++;
                SetStatus(ClientStatus.TokenRenewed, "token renewed, valid for " + (tokenExpiry - SasToken.UnixSeconds(platform.UtcNow)) + " s");
            }
            catch (Exception e)
            {
                int failures;
                lock (sync)
                {
                    if (closing || gen != generation) return;
                    failures = ++renewalFailures;
                }
                SetStatus(ClientStatus.TokenRenewalFailed, "renewal attempt " + failures + " failed: " + Describe(e));
                long left = (tokenExpiry - SasToken.UnixSeconds(platform.UtcNow)) * 1000;
                int delay = options.Retry.DelayMs(failures - 1, random.NextDouble());
                if (left <= delay)
                {
                    // It will expire before another try: the reconnect path takes over.
                    StartReconnect(new AmqpException(ErrorCode.UnauthorizedAccess, "token expired before it could be renewed"));
                    return;
                }
                lock (sync)
                {
                    if (gen == generation && !closing) ScheduleRenewal(delay);
                }
            }
        }

        // ---- faults and reconnect ----

        private void OnConnectionClosed(int gen, AmqpException error)
        {
            lock (sync)
            {
                if (closing || gen != generation) return;
            }
            StartReconnect(error ?? new AmqpException(ErrorCode.ConnectionLost, "connection closed"));
        }

        private void OnFault(Link link, AmqpException error)
        {
            lock (sync)
            {
                if (closing || link.ClosedByUs) return;
                // A fault on a link of an older connection was already dealt with.
                if (link != telemetry && link != c2d && link != feedback) return;
            }
            StartReconnect(error);
        }

        private void StartReconnect(AmqpException reason)
        {
            Connection old;
            lock (sync)
            {
                if (closing || reconnecting || !opened) return;
                reconnecting = true;
                connected.Reset();
                old = connection;
                NoteRedirect(reason);
            }
            SetStatus(ClientStatus.Reconnecting, Describe(reason));
            // Closed off the I/O thread (this may run on it): a clean close lets the hub free the device's
            // C2D link at once, so the new connection can attach its own.
            new Thread(() =>
            {
                if (old != null) old.Close(1000);
                ReconnectLoop();
            }).Start();
        }

        private void NoteRedirect(AmqpException reason)
        {
            if (reason == null || reason.Info == null) return;
            if (reason.Condition != ErrorCode.LinkRedirect && reason.Condition != ErrorCode.ConnectionRedirect) return;
            // amqp:link:redirect info (iothub-amqp-wire.md 10): network-host to dial, hostname for TLS, port.
            string host = reason.Info[new Symbol("network-host")] as string ?? reason.Info[new Symbol("hostname")] as string;
            object port = reason.Info[new Symbol("port")];
            if (host == null) return;
            redirectHost = host;
            redirectPort = port is int p ? p : port is uint u ? (int)u : options.Port;
        }

        private void ReconnectLoop()
        {
            for (int attempt = 0; ; attempt++)
            {
                lock (sync)
                {
                    if (closing)
                    {
                        reconnecting = false;
                        return;
                    }
                }
                if (!options.Retry.MayRetry(attempt))
                {
                    lock (sync) reconnecting = false;
                    SetStatus(ClientStatus.Disconnected, "gave up after " + attempt + " attempts");
                    return;
                }
                Thread.Sleep(options.Retry.DelayMs(attempt, random.NextDouble()));
                try
                {
                    Connect(false);
                    lock (sync) reconnecting = false;
                    Reconnects++;
                    SetStatus(ClientStatus.Connected, "reconnected after " + (attempt + 1) + " attempt(s)");
                    return;
                }
                catch (Exception e)
                {
                    // A redirect target that fails is forgotten: the next attempt goes to the hub again.
                    lock (sync) redirectHost = null;
                    SetStatus(ClientStatus.Reconnecting, "attempt " + (attempt + 1) + " failed: " + Describe(e));
                }
            }
        }

        private SenderLink WaitLink(bool forTelemetry, int timeoutMs)
        {
            long deadline = platform.TickMilliseconds + timeoutMs;
            while (true)
            {
                lock (sync)
                {
                    if (closing) throw new InvalidOperationException("the client is closed");
                    if (!opened) throw new InvalidOperationException("call Open first");
                    if (!reconnecting && telemetry != null && telemetry.IsAttached) return telemetry;
                }
                int left = Remaining(deadline);
                if (left == 0) return null;
                connected.WaitOne(left < 200 ? left : 200, false);
            }
        }

        private ReceiverLink WaitReceiver(int timeoutMs)
        {
            if (!options.ReceiveCloudToDevice) throw new InvalidOperationException("ReceiveCloudToDevice is off in the options");
            long deadline = platform.TickMilliseconds + timeoutMs;
            while (true)
            {
                lock (sync)
                {
                    if (closing) return null;
                    if (!reconnecting && c2d != null && c2d.IsAttached) return c2d;
                }
                int left = Remaining(deadline);
                if (left == 0) return null;
                connected.WaitOne(left < 200 ? left : 200, false);
            }
        }

        // The dispatch thread hands C2D messages to the handler, so a handler that sends telemetry cannot
        // block the connection's I/O thread.
        private void Dispatch()
        {
            while (true)
            {
                lock (sync)
                {
                    if (closing) return;
                }
                CloudToDeviceMessageHandler handler = CloudToDeviceMessage;
                if (handler == null || !options.ReceiveCloudToDevice)
                {
                    Thread.Sleep(200);
                    continue;
                }
                ReceiverLink link = WaitReceiver(1000);
                if (link == null) continue;
                IncomingDelivery d;
                try
                {
                    d = link.Receive(1000);
                }
                catch (AmqpException e)
                {
                    OnFault(link, e);
                    continue;
                }
                if (d == null) continue;
                try
                {
                    handler(this, new C2dMessage(d));
                }
                catch (Exception)
                {
                    // An application error must not stop message delivery; the message stays unsettled and the
                    // hub delivers it again after its lock expires.
                }
            }
        }

        private void SetStatus(ClientStatus status, string reason)
        {
            if (status != ClientStatus.TokenRenewed && status != ClientStatus.TokenRenewalFailed) Status = status;
            StatusChangedHandler handler = StatusChanged;
            if (handler == null) return;
            try
            {
                handler(this, status, reason);
            }
            catch (Exception)
            {
                // The application's handler must not break the client.
            }
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

        private static string Describe(Exception e) => e is AmqpException a ? a.Message : e.GetType().Name + ": " + e.Message;

        private int Remaining(long deadline)
        {
            long left = deadline - platform.TickMilliseconds;
            return left <= 0 ? 0 : (int)left;
        }
    }
}
