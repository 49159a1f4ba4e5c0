// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
using System;
using System.Threading;
using IotHubAmqp.Device.Messaging;
using IotHubAmqp.Device.Platform;

namespace IotHubAmqp.Device.IotHub
{
    /// <summary>
    /// An Azure IoT Hub device client over AMQP 1.0: telemetry with the hub's outcome (at-least-once),
    /// cloud-to-device messages, token renewal before expiry, and reconnection after any fault.
    /// Synchronous, as nanoFramework code is; status and messages arrive as events on the client's handler thread.
    /// Every call is a request to the one thread that owns the connection and waits on its own deadline.
    /// </summary>
    public sealed partial class DeviceClient : IFeatureHost
    {
        /// <summary>Sent as com.microsoft:client-version on every link.</summary>
        public const string ClientVersion = "IotHubAmqp.Device/0.2.0";

        /// <summary>Sent as com.microsoft:api-version on every link.</summary>
        public const string ApiVersion = "2020-09-30";

        /// <summary>How much longer than its own deadline a call waits for the driver's answer.</summary>
        private const int GraceMs = 2000;

        private readonly IotHubConnectionString identity;
        private readonly DeviceClientOptions options;
        private readonly IPlatform platform;
        private readonly ClientCore core;
        private readonly ClientDriver driver;
        private readonly NoticeDispatcher dispatcher;
        private readonly RequestPool pool = new RequestPool();
        private readonly AutoResetEvent c2dSignal = new AutoResetEvent(false);
        private bool closed;

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
            NotNull(identity, nameof(identity));
            NotNull(transportFactory, nameof(transportFactory));
            NotNull(platform, nameof(platform));
            this.options = options ?? new DeviceClientOptions();
            this.options.Validate();
            if (identity.UsesX509 && this.options.Authentication == AuthenticationMode.SaslPlain)
                throw new ArgumentException("Authentication SaslPlain needs a SAS token; an x509=true identity authenticates with its certificate (leave Authentication at Cbs)");
            this.identity = identity;
            this.platform = platform;
            core = new ClientCore(identity, this.options, platform, new Random());
            dispatcher = new NoticeDispatcher(this);
            driver = new ClientDriver(core, transportFactory, platform, dispatcher);
        }

        /// <summary>Connection status changes, reconnects and token renewals (on the client's handler thread).</summary>
        public event StatusChangedHandler StatusChanged;

        /// <summary>
        /// Cloud-to-device messages, one call per message on the client's handler thread. Without a handler,
        /// messages wait (up to the prefetch) for <see cref="ReceiveCloudToDevice"/>.
        /// </summary>
        public event CloudToDeviceMessageHandler CloudToDeviceMessage;

        private long Now => platform.TickMilliseconds;

        private int OperationMs => options.OperationTimeoutMs;

        /// <summary>The current connection status.</summary>
        public ClientStatus Status => core.Status;

        /// <summary>The device id.</summary>
        public string DeviceId => identity.DeviceId;

        /// <summary>Times the client reconnected since <see cref="Open"/> (planned PLAIN renewals included).</summary>
        public int Reconnects => core.Reconnects;

        /// <summary>Tokens renewed since <see cref="Open"/>.</summary>
        public int TokenRenewals => core.TokenRenewals;

        /// <summary>
        /// Connects, authenticates and attaches the links within <see cref="DeviceClientOptions.ConnectTimeoutMs"/>;
        /// throws <see cref="AmqpException"/> (for example <c>amqp:unauthorized-access</c>) when the first connect fails.
        /// After that, faults are handled by reconnecting in the background.
        /// </summary>
        public void Open()
        {
            if (closed) throw new InvalidOperationException("the client was closed; create a new one");
            dispatcher.Start();
            driver.Start();
            var r = new ClientRequest();
            r.Reset(RequestKind.Open, Now + options.ConnectTimeoutMs);
            Call(r, options.ConnectTimeoutMs, "Open");
        }

        /// <summary>Closes the connection; pending calls fail. The client cannot be opened again.</summary>
        public void Close()
        {
            if (closed) return;
            closed = true;
            ClientDriver driver = this.driver;
            if (!driver.IsRunning) return;
            ClientRequest r = NewRequest(RequestKind.Close, null); // the core bounds a close by CloseTimeoutMs itself
            driver.Submit(r);
            if (!r.Done.WaitOne(ClientCore.CloseTimeoutMs + GraceMs, false))
            {
                // The driver is stuck in a transport call: end the transport from here, it unblocks.
                driver.ForceClose();
                r.Done.WaitOne(GraceMs, false);
            }
        }

        /// <summary>
        /// Sends <paramref name="text"/> as a UTF-8 data body with the given content type (for example
        /// <c>application/json</c>) and waits for the hub's outcome: the shape of nanoFramework's MQTT <c>SendMessage</c>.
        /// </summary>
        public SendResult SendTelemetry(string text, string contentType)
        {
            NotNull(text, nameof(text));
            var m = new Message(Utf8Bytes(text));
            m.Properties = new MessageProperties();
            m.Properties.ContentType = contentType;
            m.Properties.ContentEncoding = "utf-8";
            return SendTelemetry(m);
        }

        /// <summary>Sends a telemetry message with a data body and waits for the hub's outcome.</summary>
        public SendResult SendTelemetry(byte[] body)
        {
            NotNull(body, nameof(body));
            return SendTelemetry(new Message(body));
        }

        /// <summary>
        /// Sends a telemetry message on <c>/devices/{id}/messages/events</c> and returns when the hub's outcome
        /// arrives or <see cref="DeviceClientOptions.OperationTimeoutMs"/> passes. A message-id is generated when
        /// the message has none. If the connection drops first, the message is sent again on the new connection
        /// (at-least-once: the hub may see it twice, with the same message-id). The message may be reused once this returns.
        /// </summary>
        public SendResult SendTelemetry(Message message) => Send(message, RequestKind.Send, true);

        /// <summary>
        /// Sends <paramref name="message"/> as it is and waits for the hub's outcome, allocating nothing when the hub
        /// accepts it: for a steady loop that reuses one <see cref="Message"/> (and its body array). Unlike
        /// <see cref="SendTelemetry(Message)"/> no message-id is added when the message has none.
        /// </summary>
        /// <param name="message">The message; it may be changed again once the call returns.</param>
        /// <param name="failure">Null when accepted; else why not (Rejected, Throttled, Released or TimedOut).</param>
        /// <returns>True when the hub accepted the message.</returns>
        public bool TrySendTelemetry(Message message, out SendResult failure)
        {
            SendResult r = Send(message, RequestKind.Send, false);
            failure = r.IsAccepted ? null : r;
            return failure == null;
        }

        /// <summary>
        /// Starts a telemetry send and returns at once; <paramref name="completed"/> runs on the client's handler
        /// thread with the result (the same results as <see cref="SendTelemetry(Message)"/>). Up to
        /// <see cref="ClientCore.MaxPendingSends"/> sends may wait at once; do not change the message before the callback.
        /// </summary>
        public void BeginSendTelemetry(Message message, SendCompletedHandler completed)
        {
            NotNull(completed, nameof(completed));
            var r = PrepareSend(message, RequestKind.Send, true);
            r.Callback = completed;
            driver.Submit(r);
        }

        /// <summary>The feature an optional assembly's extension method sends through (the feedback sender), made on first use.</summary>
        internal ClientFeature SendFeature;

        // Sends on the sender link <paramref name="feature"/> supplies (ClientFeature.SenderFor) and waits for the
        // outcome; no message-id is added, and it is refused while the client is not connected.
        internal SendResult SendVia(ClientFeature feature, Message message)
        {
            ClientRequest r = PrepareSend(message, RequestKind.FeatureSend, false);
            r.Feature = feature;
            return WaitSend(r);
        }

        private SendResult Send(Message message, RequestKind kind, bool addMessageId)
        {
            return WaitSend(PrepareSend(message, kind, addMessageId));
        }

        // Submits a prepared send and waits for its outcome (or the operation timeout plus grace).
        private SendResult WaitSend(ClientRequest r)
        {
            driver.Submit(r);
            int wait = OperationMs + GraceMs;
            if (!r.Done.WaitOne(wait, false) && r.GiveUp())
                return new SendResult(SendOutcome.TimedOut, ErrorCode.Timeout, "the connection did not answer within " + wait + " ms", r.MessageId);
            SendResult result = r.Result;
            Exception error = r.Error;
            pool.Return(r);
            if (error != null) throw error;
            return result;
        }

        private ClientRequest PrepareSend(Message message, RequestKind kind, bool addMessageId)
        {
            NotNull(message, nameof(message));
            if (kind == RequestKind.Send) CheckTelemetry(message);
            if (addMessageId) EnsureMessageId(message);
            ClientRequest r = NewRequest(kind, pool.Take());
            r.Message = message;
            object id = message.Properties == null ? null : message.Properties.MessageId;
            r.MessageId = id as string ?? (id == null ? null : id.ToString());
            return r;
        }

        /// <summary>
        /// Waits up to <paramref name="timeoutMs"/> for cloud-to-device messages and returns at most
        /// <paramref name="maxCount"/> (an empty array on timeout). Only without a <see cref="CloudToDeviceMessage"/> handler.
        /// </summary>
        public C2dMessage[] ReceiveCloudToDevice(int maxCount, int timeoutMs)
        {
            if (maxCount <= 0) throw new ArgumentException("maxCount must be positive");
            if (CloudToDeviceMessage != null) throw new InvalidOperationException("messages go to the CloudToDeviceMessage handler");
            if (!options.ReceiveCloudToDevice) throw new InvalidOperationException("ReceiveCloudToDevice is off in the options");
            if (identity.ModuleId != null) throw new InvalidOperationException("a module has no cloud-to-device messages");
            long deadline = Now + timeoutMs;
            while (true)
            {
                C2dMessage[] got = Take(maxCount, false);
                long left = deadline - Now;
                if (got.Length > 0 || left <= 0 || closed) return got;
                c2dSignal.WaitOne((int)left, false);
            }
        }

        private C2dMessage[] Take(int maxCount, bool forHandler)
        {
            C2dMessage[] taken = null;
            if (driver.IsRunning)
            {
                ClientRequest r = NewRequest(RequestKind.TakeC2d, null);
                r.MaxCount = maxCount;
                r.ForHandler = forHandler;
                Call(r, OperationMs, "ReceiveCloudToDevice");
                taken = r.Taken;
            }
            return taken ?? new C2dMessage[0];
        }

        /// <summary>Completes the message (accepted): the hub removes it and reports Success as feedback.</summary>
        public void Complete(C2dMessage message) => Settle(message, 0);

        /// <summary>Rejects the message: the hub dead-letters it and reports Rejected as feedback.</summary>
        public void Reject(C2dMessage message) => Settle(message, 1);

        /// <summary>Abandons the message (released): the hub delivers it again later.</summary>
        public void Abandon(C2dMessage message) => Settle(message, 2);

        private void Settle(C2dMessage message, int settlement)
        {
            NotNull(message, nameof(message));
            ClientRequest r = NewRequest(RequestKind.Settle, null);
            r.C2d = message;
            r.Settlement = settlement;
            Call(r, OperationMs, "settling a message");
        }

        // A request (new, or <paramref name="r"/> from the pool) due within the operation timeout.
        private ClientRequest NewRequest(RequestKind kind, ClientRequest r)
        {
            if (r == null) r = new ClientRequest();
            r.Reset(kind, Now + OperationMs);
            return r;
        }

        // Submits and waits; the driver's error is thrown here, on the caller's thread.
        private void Call(ClientRequest r, int timeoutMs, string what)
        {
            driver.Submit(r);
            if (!r.Done.WaitOne(timeoutMs + GraceMs, false) && r.GiveUp())
                throw new AmqpException(ErrorCode.Timeout, what + " did not complete within " + timeoutMs + " ms");
            if (r.Error != null) throw r.Error;
        }

        /// <summary>Runs one notice on the handler thread (see <see cref="NoticeDispatcher"/>).</summary>
        internal void RunNotice(object notice)
        {
            if (notice is StatusNotice s)
            {
                StatusChangedHandler h = StatusChanged;
                if (h != null) h(this, s.Status, s.Reason);
                return;
            }
            if (notice is ClientRequest r)
            {
                Exception e = r.Error;
                SendResult result = r.Result ?? new SendResult(SendOutcome.Rejected, e is AmqpException a ? a.Condition : null, e == null ? null : e.Message, r.MessageId);
                try
                {
                    r.Callback(this, r.Message, result);
                }
                finally
                {
                    pool.Return(r);
                }
                return;
            }
            if (notice == ClientCore.C2dAvailable) DeliverC2d();
            else if (notice is FeatureNotice f) f.Run();
        }

        /// <summary>Registers a feature of another assembly (methods, twin) with the connection's state machine.</summary>
        void IFeatureHost.AddFeature(ClientFeature feature)
        {
            ClientRequest r = NewRequest(RequestKind.AddFeature, null);
            r.Feature = feature;
            if (!driver.IsRunning)
            {
                // Not open yet: the driver takes the request first thing once it starts.
                driver.Submit(r);
                return;
            }
            Call(r, OperationMs, "adding a feature");
        }

        /// <summary>A feature's request: submitted to the driver, waited for on the caller's thread when <paramref name="timeoutMs"/> is positive.</summary>
        void IFeatureHost.CallFeature(ClientRequest r, int timeoutMs, string what)
        {
            if (timeoutMs <= 0) driver.Submit(r);
            else Call(r, timeoutMs, what);
        }

        /// <summary>The platform's millisecond tick (deadlines of feature requests).</summary>
        long IFeatureHost.NowMs => Now;

        DeviceClientOptions IFeatureHost.Options => options;

        string IFeatureHost.DeviceId => identity.DeviceId;

        private void DeliverC2d()
        {
            CloudToDeviceMessageHandler handler = CloudToDeviceMessage;
            if (handler == null)
            {
                c2dSignal.Set();
                return;
            }
            C2dMessage[] batch = Take((int)options.C2dPrefetch, true);
            for (int i = 0; i < batch.Length; i++)
            {
                try
                {
                    handler(this, batch[i]);
                }
                catch (Exception)
                {
                    // An application error must not stop delivery; the message stays unsettled and the hub
                    // delivers it again after its lock expires.
                }
            }
            if (batch.Length == 0 || closed) return;
            ClientRequest back = NewRequest(RequestKind.C2dReturned, null); // the core answers it at once
            back.MaxCount = batch.Length;
            driver.Submit(back);
        }

        // Sends an already encoded message with its own message-format on the telemetry link (the optional batching
        // assembly's one way in); no message-id is added.
        internal SendResult SendFormatted(Message message, uint format)
        {
            ClientRequest r = NewRequest(RequestKind.Send, pool.Take());
            r.Message = message;
            r.MessageFormat = format;
            return WaitSend(r);
        }

        // A telemetry message without a message-id gets a new GUID: the hub then recognises a resend.
        internal static void EnsureMessageId(Message message)
        {
            MessageProperties p = message.Properties;
            if (p == null) message.Properties = p = new MessageProperties();
            if (p.MessageId == null) p.MessageId = Guid.NewGuid().ToString();
        }

        internal void CheckTelemetry(Message message)
        {
            if (message.BodyType == BodyType.None || message.Body == null)
                throw new ArgumentException("telemetry message has no body");
            byte[] body = message.GetBytes();
            if (body != null && body.Length > DeviceClientOptions.MaxTelemetryBytes)
                throw new ArgumentException("telemetry body is " + body.Length + " bytes; IoT Hub accepts at most " + DeviceClientOptions.MaxTelemetryBytes);
        }

        private static void NotNull(object value, string name)
        {
            if (value == null) throw new ArgumentNullException(name);
        }

        private static byte[] Utf8Bytes(string text)
        {
            byte[] bytes = new byte[Types.Utf8.GetByteCount(text)];
            Types.Utf8.Encode(text, bytes, 0);
            return bytes;
        }
    }
}
