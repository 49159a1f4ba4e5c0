// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
// Knobs and settings are public fields a harness assigns; some are never assigned inside this assembly.
#pragma warning disable CS0649
using System.Collections;
using IotHubAmqp.Device.Framing;
using IotHubAmqp.Device.Types;

namespace IotHubAmqp.Device.Tests.Simulation
{
    /// <summary>SimHub: fault knobs a seeded schedule sets, the hub's timers, and the observations a harness checks.</summary>
    internal sealed partial class SimHub
    {
        // ---- fault knobs ----

        public bool WithholdCredit;          // never grant credit to device senders (starvation)
        public long CreditDelayMs;           // grant credit this long after attach / top-up
        public bool WithholdWindow;          // never reopen the session incoming window
        public long PutTokenReplyDelayMs;
        public int DropPutTokenReplies;      // the next N put-token replies are never sent
        public bool RefusePutToken;          // every put-token gets 401
        public long DetachTelemetryAfterMs;  // detach the telemetry link this long after attaching (0 = never)
        public string DetachTelemetryCondition = ErrorCode.DetachForced;
        public long C2dAttachDelayMs;        // answer the C2D attach this late
        public int AbortNextC2d;             // the next N C2D deliveries are aborted mid-message
        public int RejectTelemetryCount;     // the next N telemetry messages are rejected with RejectTelemetryCondition
        public string RejectTelemetryCondition = ErrorCode.ResourceLimitExceeded;
        public int DropTelemetryOutcomes;    // the next N telemetry outcomes are never sent

        /// <summary>Ends a starvation: credit is granted again, also to the links attached while it was withheld.</summary>
        public void FeedCredit(long now)
        {
            Advance(now);
            WithholdCredit = false;
            if (!Connected || hubCloseSent) return;
            for (int i = 0; i < sessions.Count; i++)
            {
                var s = (SimSession)sessions[i];
                for (int j = 0; j < s.Links.Count; j++)
                {
                    var l = (SimHubLink)s.Links[j];
                    if (l.DeviceIsSender && l.Attached && !l.HubDetached && l.Credit == 0 && !l.FlowPending) GrantCredit(l);
                }
            }
        }

        /// <summary>The token expires at <paramref name="at"/> (virtual ms): the hub closes with unauthorized-access then.</summary>
        public void ExpireTokenAt(long at) => TokenExpiresAt = at;

        public void CloseAt(long at, string condition, string description)
        {
            SimTimer t = AddTimer(at, SimTimer.Close, null);
            t.Generation = 0;
            t.Error = condition == null ? null : new Error(condition, description);
        }

        public void EndAt(long at, string condition, string description)
        {
            SimTimer t = AddTimer(at, SimTimer.End, null);
            t.Generation = 0;
            t.Error = condition == null ? null : new Error(condition, description);
        }

        /// <summary>Detaches the device's link of <paramref name="linkKind"/> (<see cref="SimLinkKind"/>) at <paramref name="at"/>.</summary>
        public void DetachAt(long at, int linkKind, string condition, string description)
        {
            SimTimer t = AddTimer(at, SimTimer.DetachLink, null);
            t.Generation = 0;
            t.LinkKind = linkKind;
            t.Error = condition == null ? null : new Error(condition, description);
        }

        /// <summary>Redirects a link (amqp:link:redirect) or, with <see cref="SimLinkKind.None"/>, the connection (amqp:connection:redirect).</summary>
        public void RedirectAt(long at, int linkKind, string host, int port)
        {
            var e = new Error(linkKind == SimLinkKind.None ? ErrorCode.ConnectionRedirect : ErrorCode.LinkRedirect, "redirected by the simulation");
            e.Info = new AmqpMap();
            e.Info[new Symbol("network-host")] = host;
            e.Info[new Symbol("hostname")] = host;
            e.Info[new Symbol("port")] = port;
            if (linkKind == SimLinkKind.None)
            {
                SimTimer c = AddTimer(at, SimTimer.Close, null);
                c.Generation = 0;
                c.Error = e;
                return;
            }
            e.Info[new Symbol("address")] = "amqps://" + host + ":" + port + "/devices/" + DeviceId;
            SimTimer t = AddTimer(at, SimTimer.DetachLink, null);
            t.Generation = 0;
            t.LinkKind = linkKind;
            t.Error = e;
        }

        /// <summary>The hub stops reading and writing from <paramref name="at"/> for <paramref name="durationMs"/>.</summary>
        public void StallAt(long at, long durationMs)
        {
            SimTimer t = AddTimer(at, SimTimer.Stall, null);
            t.Generation = 0;
            t.Duration = durationMs;
        }

        public void EnqueueC2dAt(long at, int size)
        {
            SimTimer t = AddTimer(at, SimTimer.EnqueueC2d, null);
            t.Generation = 0;
            t.Duration = size;
        }

        // ---- observations ----

        public int ConnectionsAccepted;
        public int PutTokensSeen;
        public int PutTokensAccepted;
        public int PutTokenRepliesSent;
        public long TokenExpiresAt;
        public int TokenExpirations;
        public int HeartbeatsSeen;
        public int AttachesSeen;
        public int AttachesRefused;
        public int IdleTimeouts;
        public int TelemetryReceived;
        public int TelemetryAborted;
        public int C2dDelivered;
        public int C2dSettled;
        public int C2dAborted;

        /// <summary>One <see cref="SimTelemetry"/> per message-id, in arrival order.</summary>
        public readonly ArrayList TelemetryList = new ArrayList();

        /// <summary>Times the hub stored telemetry with <paramref name="messageId"/> (duplicates included).</summary>
        public int TelemetryCount(string messageId)
        {
            SimTelemetry r = TelemetryRecord(messageId, false);
            return r == null ? 0 : r.Stored;
        }

        public byte[] TelemetryBody(string messageId)
        {
            SimTelemetry r = TelemetryRecord(messageId, false);
            return r == null ? null : r.Body;
        }

        /// <summary>Accepted outcomes the hub wrote for <paramref name="messageId"/>: a send the device reports accepted needs one.</summary>
        public int AcceptedSent(string messageId)
        {
            SimTelemetry r = TelemetryRecord(messageId, false);
            return r == null ? 0 : r.AcceptedSent;
        }

        // ---- timers ----

        private SimTimer AddTimer(long at, int kind, SimHubLink link)
        {
            var t = new SimTimer();
            t.At = at;
            t.Kind = kind;
            t.Link = link;
            t.Generation = generation;
            timers.Add(t);
            return t;
        }

        private void RunTimers()
        {
            for (int guard = 0; guard < 10000; guard++)
            {
                int due = -1;
                for (int i = 0; i < timers.Count; i++)
                {
                    var t = (SimTimer)timers[i];
                    if (t.At <= now && (due < 0 || t.At < ((SimTimer)timers[due]).At)) due = i;
                }
                if (due < 0) return;
                var x = (SimTimer)timers[due];
                timers.RemoveAt(due);
                if (x.Generation != 0 && x.Generation != generation) continue;
                Fire(x);
            }
        }

        private void Fire(SimTimer t)
        {
            if (t.Kind == SimTimer.EnqueueC2d)
            {
                EnqueueC2d((int)t.Duration);
                return;
            }
            if (t.Kind == SimTimer.MethodTimeout)
            {
                TimeOutMethodCall((SimMethodCall)t.Arg);
                return;
            }
            if (t.Kind == SimTimer.CbsReply)
            {
                pendingCbsReplies.Add(t.Arg);
                FlushCbsReplies();
                return;
            }
            if (!Connected || hubCloseSent) return;
            switch (t.Kind)
            {
                case SimTimer.GrantCredit: GrantCredit(t.Link); break;
                case SimTimer.AnswerAttach:
                    if (t.Link.Session.Links.Contains(t.Link) && sessions.Contains(t.Link.Session)) AnswerAttach(t.Link);
                    break;
                case SimTimer.DetachLink:
                    SimHubLink l = t.Link != null ? t.Link : FindLink(t.LinkKind);
                    if (l != null && !l.HubDetached && l.Session.Links.Contains(l)) DetachLink(l, t.Error);
                    break;
                case SimTimer.Close:
                    if (!hubOpenSent)
                    {
                        WantsClose = true;
                        break;
                    }
                    SendClose(t.Error);
                    phase = PhaseClosed;
                    break;
                case SimTimer.End:
                    if (sessions.Count > 0)
                    {
                        var s = (SimSession)sessions[0];
                        ReleaseSessionDeliveries(s);
                        SendEnd(s, t.Error);
                    }
                    break;
                case SimTimer.Stall:
                    stalledUntil = now + t.Duration;
                    Log("stall for " + t.Duration + " ms");
                    break;
            }
        }
    }
}
