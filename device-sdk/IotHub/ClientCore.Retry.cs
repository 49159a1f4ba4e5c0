// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
using System;
using IotHubAmqp.Device.Types;

namespace IotHubAmqp.Device.IotHub
{
    // Faults, failed attempts, backoff and redirects: what happens when a connection or an attempt ends.
    internal sealed partial class ClientCore
    {
        // Why the last attempt of a first Open failed, for the Open's own timeout message.
        private string openRetryReason;

        /// <summary>A bug of ours surfaced in the driver: start over on a new connection rather than stop.</summary>
        public void InternalError(Exception e, long now)
        {
            OnFault(new AmqpException(ErrorCode.InternalError, Named(e)), now);
        }

        // Any fault of the live connection or of a link it needs: tear down, then reconnect after a backoff.
        private void OnFault(AmqpException reason, long now)
        {
            // Closing, closed, idle or in backoff: no connection to lose.
            if (Phase == ClientPhase.Connecting)
            {
                AttemptFailed(reason, now);
                return;
            }
            if (Phase != ClientPhase.Connected) return;
            TearDown();
            NoteRedirect(reason);
            // A connection that fell over soon after it came up does not reset the backoff: a hub that drops every
            // connection at once gets a growing delay, not a reconnect storm.
            attempt = now - connectedAt >= StableConnectionMs ? 0 : attempt + 1;
            SetStatus(ClientStatus.Reconnecting, Describe(reason));
            ScheduleReconnect(now, redirectHost != null);
        }

        private void AttemptFailed(AmqpException reason, long now, Exception original = null)
        {
            TearDown();
            bool redirect = NoteRedirect(reason);
            if (redirect && redirects < MaxRedirects)
            {
                // A redirect is an answer, not a failure: follow it at once, even for the first Open.
                ScheduleReconnect(now, true);
                return;
            }
            if (openRequest != null && !RetryOpen(reason, original, now))
            {
                // The first Open reports its failure to the caller; later connects retry in the background.
                Phase = ClientPhase.Idle;
                redirectHost = null;
                Fail(openRequest, original ?? reason);
                openRequest = null;
                return;
            }
            if (openRequest != null) return;
            if (!redirect) redirectHost = null;
            SetStatus(ClientStatus.Reconnecting, "attempt " + (attempt + 1) + " failed: " + Describe(reason));
            attempt++;
            ScheduleReconnect(now, redirect);
        }

        private void ScheduleReconnect(long now, bool immediately)
        {
            if (immediately && redirects < MaxRedirects)
            {
                redirects++;
                Phase = ClientPhase.Backoff;
                reconnectAt = now;
                return;
            }
            if (!Options.Retry.MayRetry(attempt))
            {
                Phase = ClientPhase.Idle;
                SetStatus(ClientStatus.Disconnected, "gave up after " + attempt + " attempts");
                FailAllSends(new AmqpException(ErrorCode.ConnectionLost, "the client gave up reconnecting after " + attempt + " attempts"));
                return;
            }
            Phase = ClientPhase.Backoff;
            reconnectAt = now + Backoff(attempt);
        }

        // amqp:link:redirect / amqp:connection:redirect info (iothub-amqp-wire.md 10): network-host, hostname, port.
        private bool NoteRedirect(AmqpException reason)
        {
            AmqpMap info = reason == null ? null : reason.Info;
            if (info == null) return false;
            if (reason.Condition != ErrorCode.LinkRedirect && reason.Condition != ErrorCode.ConnectionRedirect) return false;
            string host = At(info, "network-host") as string ?? At(info, "hostname") as string;
            object port = At(info, "port");
            if (host == null) return false;
            redirectHost = host;
            redirectPort = port is int p ? p : port is uint u ? (int)u : Options.Port;
            return true;
        }

        private static object At(AmqpMap info, string key) => info[new Symbol(key)];

        // The first Open rides out what a retry can cure (SASL sys-temp, a busy, restarting or throttling hub, a
        // connection dropped mid-handshake) within its own deadline. A transport that cannot connect, a TLS trust
        // failure and a refusal (unauthorized, not-found, a bad field) end it at once: no retry would change them.
        private bool RetryOpen(AmqpException reason, Exception original, long now)
        {
            if (original != null && !(original is AmqpException)) return false;
            if (!RetryPolicy.IsTransient(reason.Condition)) return false;
            long at = now + Backoff(attempt);
            if (at >= openRequest.Deadline) return false;
            openRetryReason = reason.Message;
            attempt++;
            Phase = ClientPhase.Backoff;
            reconnectAt = at;
            return true;
        }
    }
}
