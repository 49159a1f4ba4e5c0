// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
using System;
using System.Collections;
using IotHubAmqp.Device.Engine;
using IotHubAmqp.Device.Framing;
using IotHubAmqp.Device.IotHub;
using IotHubAmqp.Device.Messaging;

namespace IotHubAmqp.Device.Twin
{
    /// <summary>
    /// The twin channel on the connection's state machine (iothub-amqp-wire-2.md 2): a sender and a receiver on
    /// <c>/devices/{id}[/modules/{mid}]/twin</c>. On every connection it subscribes to desired-property
    /// notifications (PUT) and reads the twin again (GET), so a change made while the device was away raises
    /// <see cref="DeviceTwinClient.TwinUpdated"/> once; notifications at or below the known desired <c>$version</c>
    /// are dropped (2.5 race rule). Driver thread only.
    /// </summary>
    internal sealed class TwinChannel : ClientFeature
    {
        /// <summary>Application twin operations waiting at once.</summary>
        public const int MaxPending = 8;

        /// <summary>Largest twin message taken (a larger one detaches the link; the operation fails with the reason).</summary>
        public const int MaxReplyBytes = Json.MaxDocumentChars + 1024;

        public const int OpGet = 1;
        public const int OpPatch = 2;
        internal const int OpSubscribe = 3;
        internal const int OpResync = 4;

        /// <summary>First wait before asking again for a subscription or resync read the hub refused or never answered; doubles up to the max.</summary>
        internal const int RetryFirstMs = 1000;
        internal const int RetryMaxMs = 30000;

        private readonly DeviceTwinClient owner;
        private readonly ArrayList waiting = new ArrayList();
        private readonly ArrayList sent = new ArrayList();
        private readonly ArrayList own = new ArrayList();
        private Session session;
        private SenderLink sender;
        private ReceiverLink receiver;
        private int serial;
        private long desiredVersion = -1;
        private long retryAt = long.MaxValue;
        private int retryDelayMs = RetryFirstMs;
        private bool retrySubscribe, retryResync;

        public TwinChannel(DeviceTwinClient owner)
        {
            this.owner = owner;
        }

        /// <summary>The highest desired <c>$version</c> seen (-1 before the first).</summary>
        public long DesiredVersion => desiredVersion;

        internal override void Attach(Session session, long now) => AttachPair(session, now, true);

        private void AttachPair(Session session, long now, bool resync)
        {
            this.session = session;
            IotHubConnectionString id = Core.Identity;
            string address = TwinWire.Twin(id.DeviceId, id.ModuleId);
            var props = TwinWire.ChannelProperties("twin", TwinWire.Who(id.DeviceId, id.ModuleId));
            sender = session.AttachSender(Core.NextLinkName("twin-sender"), address, SenderSettleMode.Unsettled, props);
            receiver = session.AttachReceiver(Core.NextLinkName("twin-receiver"), address, 4, ReceiverSettleMode.First, MaxReplyBytes, props);
            own.Add(sender);
            own.Add(receiver);
            // Subscribe, then read: the GET's desired $version tells which notifications are news (2.5).
            if (resync) waiting.Insert(0, Internal(OpResync, now));
            waiting.Insert(0, Internal(OpSubscribe, now));
            Flush();
        }

        internal override void LinksLost()
        {
            sender = null;
            receiver = null;
            session = null;
            own.Clear();
            // The hub forgot what was in flight with the link: the application's operations go again, ours are
            // asked anew on the next connection.
            for (int i = sent.Count - 1; i >= 0; i--)
            {
                var r = (ClientRequest)sent[i];
                r.Slot = null;
                r.SlotLink = null;
                if (r.Operation == OpGet || r.Operation == OpPatch) waiting.Insert(0, r);
            }
            sent.Clear();
            for (int i = waiting.Count - 1; i >= 0; i--)
                if (((ClientRequest)waiting[i]).Operation >= OpSubscribe) waiting.RemoveAt(i);
            // The next connection subscribes and reads afresh.
            retrySubscribe = retryResync = false;
            retryAt = long.MaxValue;
            retryDelayMs = RetryFirstMs;
        }

        internal override bool OnLinkEvent(Link link, int kinds, long now)
        {
            if (link == null || !own.Contains(link)) return false;
            if ((kinds & EngineEvent.Ended) != 0) own.Remove(link);
            if (link is SenderLink s && (kinds & EngineEvent.Outcomes) != 0) OnOutcomes(s, now);
            if (link != sender && link != receiver) return true; // a link this channel replaced
            if ((kinds & EngineEvent.Messages) != 0) OnReplies(now);
            if ((kinds & EngineEvent.Attached) != 0) Flush();
            if ((kinds & EngineEvent.Ended) == 0 || link.ClosedByUs) return true;
            if (link.Error != null && link.Error.Condition == ErrorCode.MessageSizeExceeded)
            {
                OnOversized(link.Error, now);
                return true;
            }
            Core.FeatureFault(link.Error ?? new AmqpException(ErrorCode.DetachForced, "the hub detached the twin link '" + link.Name + "'"), now);
            return true;
        }

        internal override void Submit(ClientRequest r, long now)
        {
            int user = 0;
            for (int i = 0; i < waiting.Count; i++) if (((ClientRequest)waiting[i]).Operation < OpSubscribe) user++;
            for (int i = 0; i < sent.Count; i++) if (((ClientRequest)sent[i]).Operation < OpSubscribe) user++;
            if (user >= MaxPending)
            {
                Core.FailRequest(r, new InvalidOperationException(MaxPending + " twin operations are already waiting"));
                return;
            }
            waiting.Add(r);
            Flush();
        }

        internal override long NextDeadline
        {
            get
            {
                long next = long.MaxValue;
                for (int i = 0; i < waiting.Count; i++) next = Min(next, ((ClientRequest)waiting[i]).Deadline);
                for (int i = 0; i < sent.Count; i++) next = Min(next, ((ClientRequest)sent[i]).Deadline);
                return Min(next, retryAt);
            }
        }

        internal override void Tick(long now)
        {
            Expire(waiting, now, "not connected");
            Expire(sent, now, "no reply from the hub");
            if (now < retryAt) return;
            retryAt = long.MaxValue;
            if (sender == null) return; // the next connection subscribes and reads anyway
            // Subscribe before reading, as on connect (2.5).
            if (retryResync) waiting.Insert(0, Internal(OpResync, now));
            if (retrySubscribe) waiting.Insert(0, Internal(OpSubscribe, now));
            retrySubscribe = retryResync = false;
            Flush();
        }

        // A subscription or resync read the hub refused (429, say) or left unanswered: without it a desired change
        // could go unseen until the next reconnect, so it is asked again later; a new subscription reads again too.
        private void RetryLater(int op, long now)
        {
            if (op == OpSubscribe) retrySubscribe = true;
            retryResync = true;
            retryAt = now + retryDelayMs;
            retryDelayMs = retryDelayMs >= RetryMaxMs / 2 ? RetryMaxMs : retryDelayMs * 2;
        }

        internal override void Closed()
        {
            for (int i = 0; i < waiting.Count; i++) Core.FailRequest((ClientRequest)waiting[i], new InvalidOperationException("the client was closed"));
            for (int i = 0; i < sent.Count; i++) Core.FailRequest((ClientRequest)sent[i], new InvalidOperationException("the client was closed"));
            waiting.Clear();
            sent.Clear();
        }

        private void Expire(ArrayList list, long now, string why)
        {
            for (int i = list.Count - 1; i >= 0; i--)
            {
                var r = (ClientRequest)list[i];
                if (!r.IsGivenUp && now < r.Deadline) continue;
                list.RemoveAt(i);
                // Still waiting for credit in the link: it is not sent late, after its caller was told it failed.
                if (r.Slot != null && !r.SlotLink.IsEnded) r.SlotLink.Cancel(r.Slot);
                r.Slot = null;
                r.SlotLink = null;
                if (r.Operation >= OpSubscribe) RetryLater(r.Operation, now);
                else if (!r.IsGivenUp)
                    Core.FailRequest(r, new AmqpException(ErrorCode.Timeout, "twin " + (r.Operation == OpGet ? "GET" : "PATCH") + " did not complete in time (" + why + ")"));
            }
        }

        private ClientRequest Internal(int op, long now)
        {
            var r = new ClientRequest();
            r.Reset(RequestKind.Feature, now + Core.Options.OperationTimeoutMs);
            r.Feature = this;
            r.Operation = op;
            return r;
        }

        private void Flush()
        {
            while (waiting.Count > 0 && sender != null && sender.IsAttached)
            {
                var r = (ClientRequest)waiting[0];
                string cid = "twin-" + (++serial).ToString();
                Message m = r.Operation == OpPatch ? TwinWire.PatchReported(cid, (byte[])r.Payload)
                    : r.Operation == OpSubscribe ? TwinWire.SubscribeDesired(cid)
                    : TwinWire.Get(cid);
                OutgoingDelivery d = sender.Send(m, r);
                if (d == null) return;
                r.Slot = d;
                r.SlotLink = sender;
                r.MessageId = cid;
                waiting.RemoveAt(0);
                sent.Add(r);
            }
        }

        // We refused a twin message over MaxReplyBytes (a reply or a notification): what was in flight fails with
        // that reason rather than being asked again (it would be as large again), and a new pair carries on without the
        // resync read, so a twin too large for the device cannot make it reconnect in a loop.
        private void OnOversized(AmqpException reason, long now)
        {
            for (int i = 0; i < sent.Count; i++)
            {
                var r = (ClientRequest)sent[i];
                if (r.Operation < OpSubscribe)
                    Core.FailRequest(r, new AmqpException(ErrorCode.MessageSizeExceeded, "a twin message from the hub was over the device's " + MaxReplyBytes + " bytes: " + reason.Description));
            }
            sent.Clear();
            if (!sender.IsEnded) sender.Close();
            if (!receiver.IsEnded) receiver.Close();
            AttachPair(session, now, false);
        }

        private void OnOutcomes(SenderLink link, long now)
        {
            OutgoingDelivery d;
            while ((d = link.NextCompleted()) != null)
            {
                var r = d.Owner as ClientRequest;
                if (r != null && r.Slot == d)
                {
                    r.Slot = null;
                    r.SlotLink = null;
                }
                var rejected = d.Outcome as Rejected;
                link.Free(d);
                if (r == null || rejected == null || !sent.Contains(r)) continue;
                // The hub refused the request itself (no reply will come).
                sent.Remove(r);
                if (r.Operation >= OpSubscribe) RetryLater(r.Operation, now);
                else
                    Core.FailRequest(r, new AmqpException(rejected.Error == null ? ErrorCode.InternalError : rejected.Error.Condition, "the hub rejected the twin request" + (rejected.Error == null ? "" : ": " + rejected.Error.Description)));
            }
        }

        private void OnReplies(long now)
        {
            IncomingDelivery d;
            while (receiver != null && (d = receiver.Take()) != null)
            {
                if (!d.Settled) receiver.Accept(d);
                Message m = d.Message;
                object correlation = TwinWire.Correlation(m);
                if (correlation == null) OnDesiredPatch(TwinWire.Body(m));
                else OnReply(correlation.ToString(), m, now);
            }
        }

        private void OnReply(string cid, Message m, long now)
        {
            ClientRequest r = null;
            for (int i = 0; i < sent.Count; i++)
            {
                if (((ClientRequest)sent[i]).MessageId != cid) continue;
                r = (ClientRequest)sent[i];
                sent.RemoveAt(i);
                break;
            }
            if (r == null) return;
            int status = TwinWire.Status(m);
            byte[] body = TwinWire.Body(m); // the GET reply is read from its bytes
            if (r.Operation >= OpSubscribe)
            {
                if (!TwinWire.IsSuccess(status)) RetryLater(r.Operation, now);
                else if (r.Operation == OpResync)
                {
                    retryDelayMs = RetryFirstMs;
                    OnResync(body);
                }
                return;
            }
            if (!TwinWire.IsSuccess(status))
            {
                Core.FailRequest(r, new IotHubStatusException(status, "twin " + (r.Operation == OpGet ? "GET" : "PATCH") + " refused with status " + status + (body.Length == 0 ? "" : ": " + TwinWire.BodyText(m))));
                return;
            }
            if (r.Operation == OpGet) r.Reply = body;
            else r.Reply = TwinWire.Version(m);
            r.Complete();
        }

        // A notification: the desired patch with its $version; stale or repeated ones are dropped.
        private void OnDesiredPatch(byte[] body)
        {
            TwinCollection patch;
            try
            {
                patch = Json.ParseObject(body);
            }
            catch (ArgumentException)
            {
                return; // A notification we cannot read cannot be applied; the next reconnect's GET catches up.
            }
            long v = patch.Version;
            if (v >= 0 && v <= desiredVersion) return;
            if (v >= 0) desiredVersion = v;
            Core.Post(new TwinUpdatedNotice(owner, patch));
        }

        // The twin read after (re)connecting: news only if its desired $version passed what we saw.
        private void OnResync(byte[] body)
        {
            TwinCollection desired;
            try
            {
                desired = Twin.FromJson(null, body).Properties.Desired;
            }
            catch (ArgumentException)
            {
                return;
            }
            long v = desired.Version;
            if (v < 0 || v <= desiredVersion) return;
            bool news = desiredVersion >= 0;
            desiredVersion = v;
            if (news) Core.Post(new TwinUpdatedNotice(owner, desired));
        }

        private static long Min(long a, long b) => a < b ? a : b;
    }

    /// <summary>Raises <see cref="DeviceTwinClient.TwinUpdated"/> on the dispatcher.</summary>
    internal sealed class TwinUpdatedNotice : FeatureNotice
    {
        private readonly DeviceTwinClient owner;

        public TwinUpdatedNotice(DeviceTwinClient owner, TwinCollection desired)
        {
            this.owner = owner;
            Desired = desired;
        }

        public TwinCollection Desired { get; }

        internal override void Run() => owner.RaiseTwinUpdated(Desired);
    }
}
