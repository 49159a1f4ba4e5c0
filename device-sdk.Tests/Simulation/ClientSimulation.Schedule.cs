// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
using IotHubAmqp.Device.Framing;
using IotHubAmqp.Device.IotHub;
using IotHubAmqp.Device.Messaging;

namespace IotHubAmqp.Device.Tests.Simulation
{
    // The seeded schedule (settings, sends, faults), the application's side, and the invariants.
    internal sealed partial class ClientSimulation
    {
        private static readonly string[] CloseConditions =
        {
            ErrorCode.ConnectionForced, ErrorCode.InternalError, ErrorCode.Timeout, ErrorCode.ResourceLimitExceeded, ErrorCode.UnauthorizedAccess,
        };

        private const int FaultCut = 0, FaultStall = 1, FaultClose = 2, FaultDetach = 3, FaultRedirect = 4, FaultExpire = 5,
            FaultDropPutToken = 6, FaultC2d = 7, FaultAbortC2d = 8, FaultEnd = 9, FaultStarve = 10, FaultFeed = 11,
            FaultReject = 12, FaultDropOutcome = 13, FaultKinds = 14;

        private long reopenAt = long.MaxValue;
        private readonly System.Collections.ArrayList statusLog = new System.Collections.ArrayList();

        private string StatusLog()
        {
            string s = "";
            for (int i = 0; i < statusLog.Count; i++) s += statusLog[i] + "\n";
            return s;
        }

        private void Configure()
        {
            int mode = rnd.Next(3);
            options.Authentication = mode == 0 ? AuthenticationMode.Cbs : mode == 1 ? AuthenticationMode.CbsWithSaslAnonymous : AuthenticationMode.SaslPlain;
            options.TokenLifetimeSeconds = rnd.Next(8, 120);
            options.ConnectTimeoutMs = rnd.Next(5000, 10000);
            options.OperationTimeoutMs = rnd.Next(1500, 6000);
            options.MaxFrameSize = (uint)Pick(512, 1024, 4096, 16384);
            options.C2dPrefetch = (uint)rnd.Next(1, 4);
            options.IdleTimeoutMs = (uint)Pick(240000, 240000, rnd.Next(3000, 20000), 0);
            options.Retry.MinDelayMs = rnd.Next(20, 500);
            options.Retry.MaxDelayMs = rnd.Next(1000, 5000);
            hub.TokenLifetimeMs = options.TokenLifetimeSeconds * 1000L;
            hub.MaxFrameSize = (uint)Pick(512, 4096, 65536, 65536);
            hub.IdleTimeoutMs = (uint)Pick(240000, 240000, 100, rnd.Next(300, 5000));
            hub.IncomingWindow = (uint)Pick(1, 2, 10, 1000);
            hub.TelemetryCredit = (uint)Pick(1, 3, 16, 50);
            hub.HubInitialDeliveryCount = (uint)Pick(0, 0, 1000, 4294967294);
            hub.CreditDelayMs = rnd.NextBool(20) ? rnd.Next(1, 300) : 0;
            hub.PutTokenReplyDelayMs = rnd.NextBool(20) ? rnd.Next(1, 1000) : 0;
            hub.C2dAttachDelayMs = rnd.NextBool(15) ? rnd.Next(1, 1500) : 0;
            hub.DetachTelemetryAfterMs = rnd.NextBool(5) ? rnd.Next(20, 200) : 0;

            int messages = rnd.Next(5, 26);
            for (int i = 0; i < messages; i++)
            {
                var p = new PlannedSend();
                p.At = rnd.Next(0, (int)ActivityMs);
                p.Size = rnd.NextBool(20) ? rnd.Next(1500, 20000) : rnd.Next(1, 600);
                plannedSends.Add(p);
            }
            int n = rnd.Next(0, 7);
            for (int i = 0; i < n; i++)
            {
                var f = new PlannedFault();
                f.At = rnd.Next(0, (int)ActivityMs);
                f.Kind = rnd.Next(FaultKinds);
                faults.Add(f);
                if (f.Kind == FaultStarve)
                {
                    var feed = new PlannedFault();
                    feed.At = f.At + rnd.Next(100, 4000);
                    feed.Kind = FaultFeed;
                    faults.Add(feed);
                }
            }
        }

        private int Pick(int a, int b, int c, int d)
        {
            switch (rnd.Next(4))
            {
                case 0: return a;
                case 1: return b;
                case 2: return c;
                default: return d;
            }
        }

        private long Pick(long a, long b, long c, long d)
        {
            switch (rnd.Next(4))
            {
                case 0: return a;
                case 1: return b;
                case 2: return c;
                default: return d;
            }
        }

        private void AppStep()
        {
            for (int i = plannedSends.Count - 1; i >= 0; i--)
            {
                var p = (PlannedSend)plannedSends[i];
                if (p.At > now) continue;
                plannedSends.RemoveAt(i);
                var m = new Message(SimBody(p.Size, messagesSent));
                m.Properties = new MessageProperties();
                m.Properties.MessageId = "m-" + messagesSent;
                messagesSent++;
                ClientRequest r = NewRequest(RequestKind.Send, options.OperationTimeoutMs);
                r.Message = m;
                r.MessageId = (string)m.Properties.MessageId;
                Submit(r);
            }
            for (int i = faults.Count - 1; i >= 0; i--)
            {
                var f = (PlannedFault)faults[i];
                if (f.At > now) continue;
                faults.RemoveAt(i);
                Inject(f.Kind);
            }
            FeatureStep();
            if (open.IsCompleted && open.Error != null && reopenAt == long.MaxValue)
            {
                reopenAt = now + 1000;
                statusLog.Add("t=" + now + " Open failed: " + open.Error.Message);
                if (statusLog.Count > 12) statusLog.RemoveAt(0);
            }
            if (now >= reopenAt)
            {
                // A real application retries a failed first Open.
                reopenAt = long.MaxValue;
                open = NewRequest(RequestKind.Open, options.ConnectTimeoutMs);
                Submit(open);
                statusLog.Add("t=" + now + " Open again: phase " + (int)core.Phase + (open.IsCompleted ? " completed" : "") + (open.Error == null ? "" : " " + open.Error.Message));
                if (statusLog.Count > 12) statusLog.RemoveAt(0);
            }
        }

        private string faultLog = "";

        private void Inject(int kind)
        {
            faultLog += " " + kind + "@" + now;
            string condition = CloseConditions[rnd.Next(CloseConditions.Length)];
            switch (kind)
            {
                case FaultCut: if (net != null) net.Cut(); break;
                case FaultStall:
                    long until = now + rnd.Next(100, 3000);
                    if (net != null) net.StallUntil(until);
                    hub.SilenceCheckFrom = until + 200;
                    break;
                case FaultClose: hub.CloseAt(now, condition, "simulated close"); break;
                case FaultDetach: hub.DetachAt(now, SimLinkKind.Telemetry, condition, "simulated detach"); break;
                case FaultRedirect: hub.RedirectAt(now, rnd.NextBool(50) ? SimLinkKind.Telemetry : SimLinkKind.None, hub.HostName, 5671); break;
                case FaultExpire: hub.ExpireTokenAt(now); break;
                case FaultDropPutToken: hub.DropPutTokenReplies = 1; break;
                case FaultC2d when hub.ModuleId != null: break; // a module has no C2D queue
                case FaultAbortC2d when hub.ModuleId != null: break;
                case FaultC2d: hub.EnqueueC2dAt(now, rnd.NextBool(25) ? rnd.Next(2000, 70000) : rnd.Next(1, 500)); break;
                case FaultAbortC2d:
                    hub.AbortNextC2d = 1;
                    hub.EnqueueC2dAt(now, rnd.Next(2000, 20000));
                    break;
                case FaultEnd: hub.EndAt(now, condition, "simulated end"); break;
                case FaultStarve: hub.WithholdCredit = true; break;
                case FaultFeed: hub.FeedCredit(now); break;
                case FaultReject: hub.RejectTelemetryCount = 1; break;
                case FaultDropOutcome: hub.DropTelemetryOutcomes = 1; break;
            }
        }

        private static byte[] SimBody(int size, int index)
        {
            var b = new byte[size];
            for (int i = 0; i < size; i++) b[i] = (byte)(i * 31 + index);
            return b;
        }

        // Notices run after the driver step, never inside the client: the application's handlers.
        private void OnNotice(object n)
        {
            if (insideCore) Fail("an application handler ran inside the client");
            if (n is FeatureNotice feature)
            {
                statusLog.Add("t=" + now + " " + feature.GetType().Name);
                if (statusLog.Count > 12) statusLog.RemoveAt(0);
                feature.Run();
                return;
            }
            if (n is StatusNotice st)
            {
                statusLog.Add("t=" + now + " " + ClientStatusName.Of(st.Status) + ": " + st.Reason);
                if (statusLog.Count > 12) statusLog.RemoveAt(0);
            }
            if (n != ClientCore.C2dAvailable) return;
            ClientRequest take = NewRequest(RequestKind.TakeC2d, options.OperationTimeoutMs);
            take.MaxCount = (int)options.C2dPrefetch;
            take.ForHandler = true;
            Submit(take);
            if (take.Taken == null) return;
            for (int i = 0; i < take.Taken.Length; i++)
            {
                ClientRequest settle = NewRequest(RequestKind.Settle, options.OperationTimeoutMs);
                settle.C2d = take.Taken[i];
                int roll = rnd.Next(10);
                settle.Settlement = roll < 8 ? 0 : roll == 8 ? 1 : 2;
                Submit(settle);
                statusLog.Add("t=" + now + " C2D " + take.Taken[i].MessageId + " settled " + settle.Settlement + (settle.Error == null ? "" : " failed: " + settle.Error.Message));
                if (statusLog.Count > 12) statusLog.RemoveAt(0);
            }
            ClientRequest back = NewRequest(RequestKind.C2dReturned, options.OperationTimeoutMs);
            back.MaxCount = take.Taken.Length;
            Submit(back);
        }

        private void Check()
        {
            if (failure != null) return;
            if (hub.Violations > 0)
            {
                Fail("the hub saw a protocol violation: " + hub.ViolationText());
                return;
            }
            for (int i = requests.Count - 1; i >= 0; i--)
            {
                var r = (ClientRequest)requests[i];
                if (r.IsCompleted)
                {
                    requests.RemoveAt(i);
                    if (r.Kind == RequestKind.Feature) OnTwinOpDone(r);
                    if (r.Kind != RequestKind.Send) continue;
                    Completed++;
                    if (r.Result != null && r.Result.Outcome == SendOutcome.Accepted)
                    {
                        Accepted++;
                        if (hub.AcceptedSent(r.MessageId) < 1 || hub.TelemetryCount(r.MessageId) < 1)
                            Fail("send " + r.MessageId + " was reported Accepted but the hub never accepted it");
                    }
                    continue;
                }
                if (now > r.Deadline) Fail(r.Kind + " request " + (r.MessageId ?? "") + " is still waiting " + (now - r.Deadline) + " ms past its deadline");
            }
        }

        private void FinalChecks()
        {
            // A hub that detaches every telemetry link at once never lets the client settle; the run still bounds
            // every call (checked at each step).
            if (hub.DetachTelemetryAfterMs > 0) return;
            if (!open.IsCompleted || open.Error != null)
            {
                Fail("the client never opened: " + (open.Error == null ? "still waiting" : open.Error.Message));
                return;
            }
            // Connected, or reconnecting for a moment (a planned PLAIN renewal at the very end).
            if (core.Status != ClientStatus.Connected && now - lastConnectedAt > 5000)
                Fail("the client is " + ClientStatusName.Of(core.Status) + " " + QuietMs + " ms after the last fault (phase " + (int)core.Phase + ")");
            if (hub.C2dCount(SimC2d.Queued) + hub.C2dCount(SimC2d.InFlight) > 0)
                Fail(hub.C2dCount(SimC2d.Queued) + " C2D queued and " + hub.C2dCount(SimC2d.InFlight) + " in flight at the end: not delivered");
            FinalFeatureChecks();
        }
    }
}
