// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
using System;
using IotHubAmqp.Device.Engine;
using IotHubAmqp.Device.Framing;

namespace IotHubAmqp.Device.IotHub
{
    // The engine's events, CBS put-token and its replies, token renewal, and the timers.
    internal sealed partial class ClientCore
    {
        private string token;
        private long tokenExpiry;
        private string pendingToken;
        private long pendingExpiry;
        private bool tokenPut;
        private bool renewing;
        private string putTokenId;
        private int cbsRequestId;
        private int renewalFailures;
        private long putTokenDeadline;
        private long renewAt;
        private long reconnectAt;

        // Every timer off (the constructor starts with them so, as does a close).
        private void ClearTimers()
        {
            ConnectDeadline = Never;
            putTokenDeadline = Never;
            renewAt = Never;
            reconnectAt = Never;
            closeDeadline = Never;
        }

        private void OnTimers(long now)
        {
            if (Phase == ClientPhase.Connecting && now >= ConnectDeadline)
            {
                AttemptFailed(new AmqpException(ErrorCode.Timeout, Within("connect did not complete", Options.ConnectTimeoutMs, null)), now);
                return;
            }
            if (now >= putTokenDeadline)
            {
                putTokenDeadline = Never;
                PutTokenFailed(new AmqpException(ErrorCode.Timeout, Within("no CBS put-token reply", Options.OperationTimeoutMs, null)), now);
                return;
            }
            if (Phase == ClientPhase.Backoff && now >= reconnectAt)
            {
                reconnectAt = Never;
                StartAttempt(plannedRenewal, now);
                return;
            }
            if (Phase == ClientPhase.Connected && now >= renewAt)
            {
                renewAt = Never;
                Renew(now);
            }
        }

        /// <summary>Drains the engine's events and moves the state machine on.</summary>
        public void ProcessEvents(long now)
        {
            Connection engine = Engine;
            if (engine == null) return;
            // A torn-down connection waits only for its transport to close: nothing it says counts. An ended one:
            // whatever else happened in the same read no longer matters.
            if (engineRetired || engine.IsEnded)
            {
                while (engine.NextEvent(out int _) != null)
                {
                }
                if (!engineRetired) EngineEnded(engine, now);
                return;
            }
            EngineObject source;
            while ((source = engine.NextEvent(out int kinds)) != null)
            {
                if (engine != Engine) return;
                if (engine.IsEnded)
                {
                    ProcessEvents(now);
                    return;
                }
                if (source == engine)
                {
                    if ((kinds & EngineEvent.Authenticated) != 0 && Phase == ClientPhase.Connecting) BeginLinks(now);
                    if ((kinds & EngineEvent.Ended) != 0) EngineEnded(engine, now);
                    continue;
                }
                if (source is Session s)
                {
                    if ((kinds & EngineEvent.Ended) != 0 && s == session) OnFault(s.Error ?? new AmqpException(ErrorCode.IllegalState, "the hub ended the session"), now);
                    continue;
                }
                var link = (Link)source;
                if (RouteToFeature(link, kinds, now)) continue;
                // Outcomes come only from senders, messages only from receivers.
                // The put-token has no request (owner null): OnOutcomes only frees its slot.
                if ((kinds & EngineEvent.Outcomes) != 0) OnOutcomes((SenderLink)link);
                if ((kinds & EngineEvent.Messages) != 0)
                {
                    if (link == cbsIn) OnCbsReplies(now);
                    else if (link == c2d) PullC2d();
                }
                if ((kinds & EngineEvent.Attached) != 0) CheckConnected(now);
                if ((kinds & EngineEvent.Ended) != 0) OnLinkEnded(link, now);
            }
            if (engine == Engine && !engine.IsEnded) AttachAfterPutToken();
            DispatchSends();
        }

        private void EngineEnded(Connection engine, long now)
        {
            if (Phase == ClientPhase.Closing) FinishClose();
            else OnFault(engine.Error ?? new AmqpException(ErrorCode.ConnectionForced, "the hub closed the connection"), now);
        }

        private void OnLinkEnded(Link link, long now)
        {
            if (link.ClosedByUs) return;
            if (link != telemetry && link != c2d && link != cbsOut && link != cbsIn) return;
            // A link attached right behind the put-token may be refused because the hub checked it first: attach again
            // once the token is in place (pipelining saves a round trip when the hub handles frames in order).
            AmqpException error = link.Error;
            if (Phase == ClientPhase.Connecting && !tokenPut && error != null && error.Condition == ErrorCode.UnauthorizedAccess)
            {
                if (link == telemetry)
                {
                    telemetryRefused = true;
                    return;
                }
                if (link == c2d)
                {
                    c2dRefused = true;
                    return;
                }
            }
            OnFault(error ?? new AmqpException(ErrorCode.DetachForced, "the hub detached link '" + link.Name + "'"), now);
        }

        private void SendPutToken(long now)
        {
            putTokenId = "put-token-" + (++cbsRequestId).ToString();
            pendingExpiry = nextExpiry;
            OutgoingDelivery d = cbsOut.Send(CbsPutToken.Request(pendingToken, audience, Options.CbsTokenType, putTokenId), null);
            if (d == null) throw new AmqpException(ErrorCode.InternalError, "no slot for the put-token");
            putTokenSlot = d;
            putTokenDeadline = now + Options.OperationTimeoutMs;
        }

        private void OnCbsReplies(long now)
        {
            IncomingDelivery reply;
            // A refused token tears the connection down inside the loop (cbsIn gone): stop there.
            while (cbsIn != null && (reply = cbsIn.Take()) != null)
            {
                // Settle every reply, so the hub can forget it.
                if (!reply.Settled) cbsIn.Accept(reply);
                if (putTokenId == null || !CbsPutToken.Answers(reply.Message, putTokenId)) continue;
                putTokenId = null;
                putTokenDeadline = Never;
                int status = CbsPutToken.StatusCode(reply.Message);
                if (CbsPutToken.IsSuccess(status)) PutTokenSucceeded(now);
                else PutTokenFailed(new AmqpException(ErrorCode.UnauthorizedAccess, "CBS put-token refused with status " + status + ": " + CbsPutToken.StatusDescription(reply.Message)), now);
            }
        }

        private void PutTokenSucceeded(long now)
        {
            // The new token counts only now: a refused one never replaces the one in force.
            token = pendingToken;
            tokenExpiry = pendingExpiry;
            tokenPut = true;
            if (renewing)
            {
                renewing = false;
                renewalFailures = 0;
                ScheduleRenewal(now);
                TokenRenewed();
                return;
            }
            if (telemetryRefused) AttachTelemetry();
            if (c2dRefused) AttachC2d();
            telemetryRefused = false;
            c2dRefused = false;
            CheckConnected(now);
        }

        private void TokenRenewed()
        {
            TokenRenewals++;
            SetStatus(ClientStatus.TokenRenewed, "token renewed, valid for " + (tokenExpiry - SasToken.UnixSeconds(platform.UtcNow)) + " s");
        }

        private void PutTokenFailed(AmqpException e, long now)
        {
            putTokenId = null;
            if (!renewing)
            {
                OnFault(e, now);
                return;
            }
            renewing = false;
            int failures = ++renewalFailures;
            SetStatus(ClientStatus.TokenRenewalFailed, "renewal attempt " + failures + " failed: " + Describe(e));
            long left = TokenLeftMs();
            int delay = Backoff(failures - 1);
            if (left <= delay)
            {
                // It expires before another try: the reconnect path takes over.
                OnFault(new AmqpException(ErrorCode.UnauthorizedAccess, "token expired before it could be renewed"), now);
                return;
            }
            renewAt = now + delay;
        }

        private void Renew(long now)
        {
            if (Up(cbsOut))
            {
                // CBS: a new put-token on the live connection; links and sends carry on untouched.
                renewing = true;
                try
                {
                    pendingToken = NextToken(true);
                    SendPutToken(now);
                }
                catch (AmqpException e)
                {
                    PutTokenFailed(e, now);
                }
                return;
            }
            // PLAIN binds the token to the connection: a planned reconnect with a new one. Sends wait in line.
            // A planned step, not a fault: the status stays Connected, and reads Reconnecting only if it fails.
            TearDown();
            Phase = ClientPhase.Backoff;
            plannedRenewal = true;
            reconnectAt = now;
        }

        // With RenewTokens, the renewal is due at the renewal point of the current token.
        private void ScheduleRenewal(long now)
        {
            if (!Options.RenewTokens) return;
            long left = TokenLeftMs();
            double delay = 0;
            if (left > 0) delay = left * (Options.RenewalPoint + Options.RenewalJitter * (2 * random.NextDouble() - 1));
            renewAt = now + (delay >= int.MaxValue ? int.MaxValue : (int)delay);
        }

        // Milliseconds the token in force has left (its expiry is whole seconds; the clock is not).
        private long TokenLeftMs() => tokenExpiry * 1000 - (platform.UtcNow.Ticks - Types.Encoder.EpochTicks) / TimeSpan.TicksPerMillisecond;

        private long nextExpiry;

        // A token from the key; or the application's: the current one while it is still valid (a reconnect),
        // else a new one from the TokenRenewal callback. The expiry is kept aside until the token is accepted.
        private string NextToken(bool renew)
        {
            long now = SasToken.UnixSeconds(platform.UtcNow);
            if (Identity.HasKey)
            {
                long expiry = now + Options.TokenLifetimeSeconds;
                nextExpiry = expiry;
                return SasToken.Create(platform, audience, Identity.Key, Identity.SharedAccessKeyName, expiry);
            }
            string current = token ?? Identity.SharedAccessSignature;
            string supplied = null;
            if (!renew && SasToken.ParseExpiry(current) > now)
                supplied = current;
            else if (Options.TokenRenewal != null)
                supplied = Options.TokenRenewal(audience, platform.UtcNow.AddSeconds(Options.TokenLifetimeSeconds));
            if (supplied == null)
                throw new AmqpException(ErrorCode.UnauthorizedAccess, "the SAS token " + (renew ? "needs renewal" : "has expired") + " and no TokenRenewal callback gave a new one");
            nextExpiry = SasToken.ParseExpiry(supplied);
            return supplied;
        }
    }
}
