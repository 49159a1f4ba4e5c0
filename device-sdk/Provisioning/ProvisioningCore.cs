// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
using System;
using IotHubAmqp.Device.Engine;
using IotHubAmqp.Device.Framing;
using IotHubAmqp.Device.Messaging;
using IotHubAmqp.Device.Sasl;
using IotHubAmqp.Device.Types;

namespace IotHubAmqp.Device.Provisioning
{
    /// <summary>
    /// One DPS registration as a state machine with no I/O, threads or clock (the <see cref="ProvisioningDriver"/>
    /// owns the connection and passes the time in). Receiver, sender and the register request go out pipelined behind
    /// SASL; <c>assigning</c> answers are polled after the service's <c>retry-after</c>; a throttled register is
    /// tried again after its hint. One deadline bounds everything.
    /// </summary>
    internal sealed class ProvisioningCore
    {
        /// <summary>DPS answers are small: this bounds what a receiver accepts (the C SDK uses the same).</summary>
        public const int MaxAnswerBytes = 65536;

        private readonly string idScope;
        private readonly string registrationId;
        private readonly string payloadJson;
        private readonly ProvisioningOptions options;
        private readonly SaslProfile sasl;
        private readonly string clientVersion;
        private readonly DeviceRegistrationResult result = new DeviceRegistrationResult();
        private Session session;
        private SenderLink sender;
        private ReceiverLink receiver;
        private string correlationId;
        private int serial;
        private bool authenticated;
        private long deadline = long.MaxValue;
        private long sendAt = long.MaxValue;
        private bool nextIsPoll;

        public ProvisioningCore(string idScope, string registrationId, string payloadJson, SaslProfile sasl, ProvisioningOptions options, string clientVersion)
        {
            this.idScope = idScope;
            this.registrationId = registrationId;
            this.payloadJson = payloadJson;
            this.sasl = sasl;
            this.options = options;
            this.clientVersion = clientVersion;
        }

        public Connection Engine { get; private set; }

        public bool WantsTransport { get; private set; }

        /// <summary>Done: <see cref="Result"/> or <see cref="Error"/> is set; the driver closes the transport.</summary>
        public bool Finished { get; private set; }

        public DeviceRegistrationResult Result { get; private set; }

        public ProvisioningException Error { get; private set; }

        public long Deadline => deadline;

        /// <summary>Requests sent (register, polls, retries): each is one round trip to DPS.</summary>
        public int RoundTrips { get; private set; }

        public long NextDeadline => Finished ? long.MaxValue : Min(deadline, Min(sendAt, Engine == null ? long.MaxValue : Engine.NextDeadline));

        public string Address => DpsWire.Resource(idScope, registrationId);

        public void Start(long now)
        {
            deadline = now + options.TimeoutMs;
            WantsTransport = true;
        }

        public void TransportConnecting() => WantsTransport = false;

        public void TransportConnected(long now)
        {
            if (Finished) return;
            var settings = new ConnectionSettings();
            settings.ContainerId = registrationId;
            settings.HostName = null;
            settings.Sasl = sasl;
            settings.ChannelMax = 0;
            Engine = new Connection(settings);
            Engine.Open(now);
            // X.509: no SASL layer, the open went out and sessions may begin at once.
            if (Engine.CanBeginSessions) BeginLinks(now);
        }

        public void TransportFailed(Exception e, long now) =>
            Fail(new ProvisioningException(ProvisioningError.ConnectionFailed, "could not connect to DPS: " + e.GetType().Name + ": " + e.Message, e));

        public void TransportEnded(AmqpException reason, long now)
        {
            if (Engine != null) Engine.TransportClosed(reason, now);
            ProcessEvents(now);
        }

        public void Tick(long now)
        {
            if (Finished) return;
            if (now >= deadline)
            {
                Fail(new ProvisioningException(ProvisioningError.Timeout, "the registration of '" + registrationId + "' did not finish within " + options.TimeoutMs + " ms"
                    + (authenticated ? " (DPS accepted the credentials; " + RoundTrips + " request(s) sent)" : " (no SASL outcome from DPS yet)")));
                return;
            }
            if (Engine == null) return;
            Engine.Tick(now);
            if (now >= sendAt) SendRequest();
            ProcessEvents(now);
        }

        public void ProcessEvents(long now)
        {
            Connection engine = Engine;
            if (engine == null || Finished) return;
            EngineObject source;
            while ((source = engine.NextEvent(out int kinds)) != null && !Finished)
            {
                if (source == engine)
                {
                    if ((kinds & EngineEvent.Authenticated) != 0) BeginLinks(now);
                    if ((kinds & EngineEvent.Ended) != 0) ConnectionEnded(engine.Error);
                }
                else if (source == receiver)
                {
                    if ((kinds & EngineEvent.Messages) != 0) OnAnswers(now);
                    if ((kinds & EngineEvent.Ended) != 0) LinkEnded(receiver);
                }
                else if (source == sender)
                {
                    if ((kinds & EngineEvent.Outcomes) != 0) OnOutcomes(now);
                    if ((kinds & EngineEvent.Ended) != 0) LinkEnded(sender);
                }
                else if (source == session && (kinds & EngineEvent.Ended) != 0)
                {
                    Fail(new ProvisioningException(ProvisioningError.ConnectionFailed, "DPS ended the session: " + Describe(session.Error)));
                }
            }
            if (!Finished && engine.IsEnded) ConnectionEnded(engine.Error);
        }

        // Receiver first, then sender (as every SDK does), then the register request right behind them.
        private void BeginLinks(long now)
        {
            authenticated = true;
            session = Engine.BeginSession(0);
            receiver = session.AttachReceiver("dps-rcv-" + registrationId, Address, 4, ReceiverSettleMode.First, MaxAnswerBytes, DpsWire.LinkProperties(clientVersion));
            sender = session.AttachSender("dps-snd-" + registrationId, Address, SenderSettleMode.Unsettled, DpsWire.LinkProperties(clientVersion));
            nextIsPoll = false;
            SendRequest();
        }

        private void SendRequest()
        {
            sendAt = long.MaxValue;
            correlationId = registrationId + ":" + (++serial);
            Message m = nextIsPoll
                ? DpsWire.StatusRequest(result.OperationId, correlationId)
                : DpsWire.RegisterRequest(registrationId, payloadJson, options.ForceRegistration, correlationId);
            sender.Send(m, null);
            RoundTrips++;
        }

        private void OnAnswers(long now)
        {
            IncomingDelivery d;
            while ((d = receiver.Take()) != null && !Finished)
            {
                if (!d.Settled) receiver.Accept(d);
                Message m = d.Message;
                object cid = m.Properties == null ? null : m.Properties.CorrelationId;
                // An answer to an earlier request (one that timed out or was retried) says nothing now.
                if (cid != null && !(cid is string s && s == correlationId)) continue;
                string status;
                try
                {
                    status = DpsWire.ReadAnswer(m, registrationId, result);
                }
                catch (ProvisioningException e)
                {
                    Fail(e);
                    return;
                }
                if (status == "assigned")
                {
                    result.RoundTrips = RoundTrips;
                    Succeed(result);
                    return;
                }
                int hint = DpsWire.RetryAfterSeconds(m.ApplicationProperties);
                Schedule(now, hint < 0 ? options.PollIntervalMs : hint * 1000L, true, null);
            }
        }

        private void OnOutcomes(long now)
        {
            OutgoingDelivery d;
            while ((d = sender.NextCompleted()) != null && !Finished)
            {
                Outcome o = d.Outcome;
                AmqpException err = d.Error;
                sender.Free(d);
                if (o is Rejected r)
                {
                    ProvisioningException x = DpsWire.Rejection(r.Error, registrationId);
                    if (!DpsWire.IsRetryable(x, r.Error))
                    {
                        Fail(x);
                        return;
                    }
                    long wait = x.RetryAfterSeconds > 0 ? x.RetryAfterSeconds * 1000L : options.PollIntervalMs;
                    // A rejected poll is retried as a poll, a rejected register as a register.
                    Schedule(now, wait, nextIsPoll, x);
                }
                else if (o == null && err != null)
                {
                    Fail(new ProvisioningException(ProvisioningError.ConnectionFailed, "the request to DPS failed: " + err.Message, err));
                    return;
                }
                else if (o != null && !(o is Accepted))
                {
                    Fail(new ProvisioningException(ProvisioningError.Failed, "DPS did not accept the request of '" + registrationId + "' (outcome " + o.GetType().Name + ")"));
                    return;
                }
            }
        }

        private void Schedule(long now, long waitMs, bool poll, ProvisioningException throttled)
        {
            if (now + waitMs >= deadline)
            {
                if (throttled != null)
                {
                    Fail(throttled);
                    return;
                }
                Fail(new ProvisioningException(ProvisioningError.Timeout, "DPS asked registration '" + registrationId + "' to poll again in " + waitMs
                    + " ms, past the deadline of " + options.TimeoutMs + " ms"));
                return;
            }
            nextIsPoll = poll;
            sendAt = now + waitMs;
        }

        private void ConnectionEnded(AmqpException e)
        {
            if (Finished) return;
            if (e != null && e.Condition == ErrorCode.UnauthorizedAccess && (!authenticated || sasl == null))
            {
                // SASL refused the token, or (X.509, no SASL) DPS closed the connection for the client certificate.
                Fail(new ProvisioningException(ProvisioningError.Unauthorized, "DPS refused the credentials of registration '" + registrationId + "' in id scope '" + idScope
                    + (sasl == null ? "': check the id scope and that the client certificate is enrolled (" : "': check the id scope, the registration id and the key (")
                    + e.Message + ")", e));
                return;
            }
            Fail(new ProvisioningException(ProvisioningError.ConnectionFailed, "DPS closed the connection: " + Describe(e), e));
        }

        private void LinkEnded(Link link)
        {
            AmqpException e = link.Error;
            bool denied = e != null && (e.Condition == ErrorCode.UnauthorizedAccess || e.Condition == ErrorCode.NotFound);
            Fail(new ProvisioningException(denied ? ProvisioningError.Unauthorized : ProvisioningError.ConnectionFailed,
                "DPS closed the link to '" + Address + "': " + Describe(e), e));
        }

        private void Succeed(DeviceRegistrationResult r)
        {
            Result = r;
            Finish();
        }

        private void Fail(ProvisioningException e)
        {
            if (Finished) return;
            Error = e;
            Finish();
        }

        private void Finish()
        {
            Finished = true;
            WantsTransport = false;
            sendAt = long.MaxValue;
            if (Engine != null && !Engine.IsEnded) Engine.Close(null);
        }

        private static string Describe(AmqpException e) => e == null ? "no error given" : e.Condition + ": " + e.Message;

        private static long Min(long a, long b) => a < b ? a : b;
    }
}
