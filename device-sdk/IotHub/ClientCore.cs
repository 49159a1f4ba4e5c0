// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
using System;
using System.Collections;
using IotHubAmqp.Device.Engine;
using IotHubAmqp.Device.Framing;
using IotHubAmqp.Device.Messaging;
using IotHubAmqp.Device.Platform;

namespace IotHubAmqp.Device.IotHub
{
    /// <summary>Where the client is in its life.</summary>
    internal enum ClientPhase
    {
        Idle,
        Connecting,
        Connected,
        Backoff,
        Closing,
        Closed,
    }

    /// <summary>
    /// The IoT Hub client's logic as a state machine: connect, CBS put-token, renewal schedule, backoff, reconnect,
    /// redirects, sends with their deadlines, C2D. No I/O, threads, locks or clock: its driver passes requests,
    /// transport results and the time in, pumps the engine's bytes, performs <see cref="WantsTransport"/> and
    /// <see cref="WantsTransportClosed"/>, and hands <see cref="TakeNotice"/> to the application outside of it.
    /// </summary>
    internal sealed partial class ClientCore
    {
        /// <summary>Sends waiting for a slot or an outcome at once; more are refused as throttled.</summary>
        public const int MaxPendingSends = 32;

        /// <summary>How long a close waits for the hub's answer before dropping the transport.</summary>
        public const int CloseTimeoutMs = 2000;

        /// <summary>The identity the client connects as (addresses and link names of a feature come from it).</summary>
        internal readonly IotHubConnectionString Identity;

        internal readonly DeviceClientOptions Options;

        // The identity's parts the core reads most (one field load instead of a property call each).
        private readonly string deviceId;
        private readonly string moduleId;
        private readonly string hostName;
        private readonly IPlatform platform;
        private readonly Random random;
        private readonly string audience;
        private readonly ArrayList sends = new ArrayList();
        private readonly ArrayList notices = new ArrayList();
        private readonly ArrayList c2dReady = new ArrayList();

        private ClientRequest openRequest;
        private ClientRequest closeRequest;
        private long closeDeadline;
        private int c2dOut;

        // "No deadline": a static field is 5 bytes of IL where the ldc.i8 constant is 9.
        private static readonly long Never = long.MaxValue;

        public ClientCore(IotHubConnectionString identity, DeviceClientOptions options, IPlatform platform, Random random)
        {
            Identity = identity;
            deviceId = identity.DeviceId;
            moduleId = identity.ModuleId;
            hostName = identity.HostName;
            Options = options;
            this.platform = platform;
            this.random = random;
            audience = IotHubAddress.Audience(hostName, deviceId, moduleId);
            ClearTimers();
        }

        // Fields, not properties: read by the driver, the client and tests; written only here.
        public ClientPhase Phase;

        /// <summary>The status the application reads; changes only with a notice.</summary>
        public ClientStatus Status; // Disconnected (0) until the first notice

        public int Reconnects;

        public int TokenRenewals;

        /// <summary>True once closed: the driver may stop after dispatching the last notices.</summary>
        public bool Finished => Phase == ClientPhase.Closed && Engine == null;

        /// <summary>The connection whose bytes the driver pumps (null between connections).</summary>
        public Connection Engine;

        /// <summary>The next notice for the application (a status change, a completed callback send, C2D ready), or null.</summary>
        public object TakeNotice()
        {
            ArrayList queue = notices;
            if (queue.Count == 0) return null;
            object n = queue[0];
            queue.RemoveAt(0);
            return n;
        }

        /// <summary>Handles one application request.</summary>
        public void Submit(ClientRequest r, long now)
        {
            if (r.IsGivenUp) return;
            switch (r.Kind)
            {
                case RequestKind.Open: OnOpenRequest(r, now); break;
                case RequestKind.Close: OnCloseRequest(r, now); break;
                case RequestKind.Send:
                case RequestKind.FeatureSend: OnSendRequest(r, now); break;
                case RequestKind.Settle: OnSettle(r); break;
                case RequestKind.TakeC2d: OnTakeC2d(r); break;
                case RequestKind.AddFeature:
                case RequestKind.Feature: OnFeatureRequest(r, now); break;
                case RequestKind.C2dReturned:
                    c2dOut -= r.MaxCount;
                    if (c2dOut < 0) c2dOut = 0;
                    PullC2d();
                    r.Complete();
                    break;
            }
        }

        /// <summary>The earliest tick at which <see cref="Tick"/> has work.</summary>
        public long NextDeadline
        {
            get
            {
                long next = Engine == null ? Never : Engine.NextDeadline;
                if (openRequest != null) next = Min(next, openRequest.Deadline);
                next = Min(next, Min(ConnectDeadline, putTokenDeadline));
                if (Phase == ClientPhase.Connected) next = Min(next, renewAt);
                if (Phase == ClientPhase.Backoff) next = Min(next, reconnectAt);
                next = Min(next, closeDeadline);
                for (int i = 0; i < featureCount; i++) next = Min(next, features[i].NextDeadline);
                for (int i = 0; i < sends.Count; i++) next = Min(next, ((ClientRequest)sends[i]).Deadline);
                return next;
            }
        }

        /// <summary>Fires what is due at <paramref name="now"/> and handles the engine's events.</summary>
        public void Tick(long now)
        {
            if (Engine != null) Engine.Tick(now);
            ProcessEvents(now);
            if (openRequest != null && now >= openRequest.Deadline)
                AttemptFailed(new AmqpException(ErrorCode.Timeout, Within("Open did not complete", Options.ConnectTimeoutMs,
                    openRetryReason == null ? null : "; the last attempt failed: " + openRetryReason)), now);
            OnTimers(now);
            if (Phase == ClientPhase.Closing && now >= closeDeadline) FinishClose();
            ExpireSends(now);
            for (int i = 0; i < featureCount; i++) features[i].Tick(now);
            ProcessEvents(now);
            DispatchSends();
        }

        private void OnOpenRequest(ClientRequest r, long now)
        {
            if (Phase != ClientPhase.Idle)
            {
                Refuse(r, Phase >= ClientPhase.Closing ? "the client was closed; create a new one" : "the client is already open");
                return;
            }
            openRequest = r;
            openRetryReason = null;
            attempt = 0;
            StartAttempt(false, now);
        }

        private void OnCloseRequest(ClientRequest r, long now)
        {
            if (Phase == ClientPhase.Closed)
            {
                r.Complete();
                return;
            }
            closeRequest = r;
            if (openRequest != null) Refuse(openRequest, "the client was closed while connecting");
            openRequest = null;
            FailAllSends(new InvalidOperationException("the client was closed"));
            for (int i = 0; i < featureCount; i++) features[i].Closed();
            Phase = ClientPhase.Closing;
            ClearTimers();
            Connection engine = Engine;
            if (engine != null && !engine.IsEnded)
            {
                engine.Close(null);
                closeDeadline = now + CloseTimeoutMs;
            }
            else
            {
                FinishClose();
            }
        }

        // The hub answered our close, or it did not in time: drop the transport and finish.
        private void FinishClose()
        {
            closeDeadline = Never;
            if (Engine != null)
            {
                Engine.Abort(new AmqpException(ErrorCode.IllegalState, "the client was closed"));
                DropLinks();
                WantsTransportClosed = transportUp;
                if (!transportUp) Engine = null;
            }
            if (Phase == ClientPhase.Closed) return;
            Phase = ClientPhase.Closed;
            SetStatus(ClientStatus.Closed, "closed by the application");
            if (closeRequest != null) closeRequest.Complete();
            closeRequest = null;
        }

        private void OnSendRequest(ClientRequest r, long now)
        {
            string refused = Phase == ClientPhase.Idle ? "call Open first"
                : Phase >= ClientPhase.Closing ? "the client is closed"
                // A feature's sends (feedback) are refused while not connected.
                : r.Kind == RequestKind.FeatureSend && Phase != ClientPhase.Connected ? "the client is not connected" : null;
            if (refused != null)
            {
                Refuse(r, refused);
                return;
            }
            if (sends.Count >= MaxPendingSends)
            {
                Finish(r, new SendResult(SendOutcome.Throttled, ErrorCode.ResourceLimitExceeded, MaxPendingSends + " sends are already waiting", r.MessageId));
                return;
            }
            sends.Add(r);
            DispatchSends();
        }

        // Gives waiting sends a slot on their link, oldest first.
        private void DispatchSends()
        {
            if (Phase != ClientPhase.Connected) return;
            for (int i = 0; i < sends.Count; i++)
            {
                var r = (ClientRequest)sends[i];
                if (r.Slot != null) continue;
                SenderLink link = r.Kind == RequestKind.FeatureSend ? r.Feature.SenderFor(session) : telemetry;
                if (!Up(link)) continue;
                OutgoingDelivery d = link.Send(r.Message, r);
                if (d == null) continue;
                d.MessageFormat = r.MessageFormat;
                r.Slot = d;
                r.SlotLink = link;
            }
        }

        private void ExpireSends(long now)
        {
            for (int i = sends.Count - 1; i >= 0; i--)
            {
                var r = (ClientRequest)sends[i];
                if (r.IsGivenUp)
                {
                    CancelSlot(r);
                    sends.RemoveAt(i);
                    continue;
                }
                if (now < r.Deadline) continue;
                string why;
                if (r.Slot == null) why = r.LastFault == null ? " (not connected)" : " (" + r.LastFault.Description + ")";
                else why = CancelSlot(r) ? " (not sent: no credit or window from the hub)" : " (the hub gave no outcome)";
                sends.RemoveAt(i);
                Finish(r, new SendResult(SendOutcome.TimedOut, ErrorCode.Timeout, Within("no outcome", Options.OperationTimeoutMs, why), r.MessageId));
            }
            // Outcomes that never come would hold every slot (2.6.12 leaves them unsettled): a new link frees them.
            SenderLink link = telemetry;
            if (Up(link) && link.AbandonedCount >= SenderLink.MaxInFlight / 2)
            {
                // Too many sends the hub never answered: a new link frees their slots (the hub forgets them with the old one).
                link.Close();
                AttachTelemetry();
            }
        }

        // A sender's deliveries are done: results to their requests, or back in line after a lost link.
        internal void OnOutcomes(SenderLink link)
        {
            if (link == null) return;
            OutgoingDelivery d;
            string condition;
            while ((d = link.NextCompleted()) != null)
            {
                var r = d.Owner as ClientRequest;
                Outcome outcome = d.Outcome;
                AmqpException error = d.Error;
                link.Free(d);
                if (r == null) continue;
                r.Slot = null;
                r.SlotLink = null;
                if (error == null)
                {
                    sends.Remove(r);
                    Finish(r, ToResult(outcome, r.MessageId));
                }
                else if ((condition = error.Condition) == ErrorCode.MessageSizeExceeded || condition == ErrorCode.InvalidField || condition == ErrorCode.FrameSizeTooSmall)
                {
                    sends.Remove(r);
                    Fail(r, error);
                }
                else
                {
                    // At-least-once: the link went away with it in flight; it goes again on the next link.
                    r.LastFault = error;
                }
            }
        }

        private void FailAllSends(Exception e)
        {
            for (int i = 0; i < sends.Count; i++)
            {
                var r = (ClientRequest)sends[i];
                CancelSlot(r);
                r.Slot = null;
                Fail(r, e);
            }
            sends.Clear();
        }

        // True when the send was still waiting for credit (it never went out).
        private static bool CancelSlot(ClientRequest r) => r.Slot != null && r.SlotLink.Cancel(r.Slot);

        private void SetStatus(ClientStatus status, string reason)
        {
            if (status != ClientStatus.TokenRenewed && status != ClientStatus.TokenRenewalFailed) Status = status;
            notices.Add(new StatusNotice(status, reason));
        }

        private void Finish(ClientRequest r, SendResult result)
        {
            r.Result = result;
            Fail(r, null); // no error: completes with the result
        }

        // A request the client's state does not allow.
        private void Refuse(ClientRequest r, string why) => Fail(r, new InvalidOperationException(why));

        private void Fail(ClientRequest r, Exception e)
        {
            r.Error = e;
            if (r.Complete() && r.Callback != null) notices.Add(r);
        }

        internal static SendResult ToResult(Outcome outcome, string messageId)
        {
            SendOutcome result = SendOutcome.Released;
            string condition = null, description = null;
            if (outcome is Accepted)
            {
                if (messageId == null) return SendResult.AcceptedWithoutId;
                result = SendOutcome.Accepted;
            }
            else if (outcome is Rejected rj)
            {
                Error error = rj.Error;
                if (error != null)
                {
                    condition = error.Condition;
                    description = error.Description;
                }
                result = condition == ErrorCode.ResourceLimitExceeded ? SendOutcome.Throttled : SendOutcome.Rejected;
            }
            else if (outcome == null)
            {
                result = SendOutcome.Accepted;
                description = "sent settled";
            }
            return new SendResult(result, condition, description, messageId);
        }

        private static long Min(long a, long b) => a < b ? a : b;

        // An attached link (null when there is none).
        private static bool Up(Link link) => link != null && link.IsAttached;

        // The retry policy's delay before try n + 1.
        private int Backoff(int n) => Options.Retry.DelayMs(n, random.NextDouble());

        // "<what> within <ms> ms<detail>": the text of every timeout.
        private static string Within(string what, int ms, string detail) => string.Concat(what, " within ", ms.ToString(), " ms" + detail);
    }

    /// <summary>A status change for the application's handler.</summary>
    internal sealed class StatusNotice
    {
        public StatusNotice(ClientStatus status, string reason)
        {
            Status = status;
            Reason = reason;
        }

        public readonly ClientStatus Status;

        public readonly string Reason;
    }
}
