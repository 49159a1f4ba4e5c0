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
    /// <summary>
    /// An Azure IoT Hub device client over AMQP 1.0: telemetry with the hub's outcome (at-least-once),
    /// cloud-to-device messages, token renewal before expiry, and reconnection after any fault.
    /// Synchronous, as nanoFramework code is; status and messages arrive as events.
    /// </summary>
    public sealed partial class DeviceClient
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
                SenderLink link = WaitLink(left);
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

        private static string Describe(Exception e) => e is AmqpException a ? a.Message : e.GetType().Name + ": " + e.Message;

        private int Remaining(long deadline)
        {
            long left = deadline - platform.TickMilliseconds;
            return left <= 0 ? 0 : (int)left;
        }
    }
}
