// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
using IotHubAmqp.Device.Framing;
using IotHubAmqp.Device.Types;

namespace IotHubAmqp.Device.Tests.Simulation
{
    /// <summary>SimHub: attach, detach, flow and credit, and who may attach (CBS authorization).</summary>
    internal sealed partial class SimHub
    {
        private int KindOf(Attach a)
        {
            string address = a.Role == Role.Sender ? (a.Target == null ? null : a.Target.Address) : (a.Source == null ? null : a.Source.Address);
            if (address == null) return SimLinkKind.None;
            if (address == "$cbs") return a.Role == Role.Sender ? SimLinkKind.CbsSender : SimLinkKind.CbsReceiver;
            string device = "/devices/" + DeviceId + (ModuleId == null ? "" : "/modules/" + ModuleId);
            if (a.Role == Role.Sender && address.EndsWith(device + "/messages/events")) return SimLinkKind.Telemetry;
            if (a.Role == Role.Receiver && ModuleId == null && address.EndsWith(device + "/messages/devicebound")) return SimLinkKind.C2d;
            if (a.Role == Role.Sender && address.EndsWith("/messages/serviceBound/feedback")) return SimLinkKind.Feedback;
            if (address == device + "/methods/devicebound") return a.Role == Role.Sender ? SimLinkKind.MethodsSender : SimLinkKind.MethodsReceiver;
            if (address == device + "/twin") return a.Role == Role.Sender ? SimLinkKind.TwinSender : SimLinkKind.TwinReceiver;
            return SimLinkKind.None;
        }

        private SimHubLink LinkOf(SimSession s, uint deviceHandle)
        {
            for (int i = 0; i < s.Links.Count; i++)
            {
                var l = (SimHubLink)s.Links[i];
                if (l.DeviceHandle == deviceHandle) return l;
            }
            return null;
        }

        /// <summary>The attached link of <paramref name="kind"/> on any session, or null.</summary>
        internal SimHubLink FindLink(int kind)
        {
            for (int i = 0; i < sessions.Count; i++)
            {
                var s = (SimSession)sessions[i];
                for (int j = 0; j < s.Links.Count; j++)
                {
                    var l = (SimHubLink)s.Links[j];
                    if (l.Attached && !l.HubDetached && (kind == SimLinkKind.Any || l.Kind == kind)) return l;
                }
            }
            return null;
        }

        private void OnAttach(SimSession s, Attach a)
        {
            if (LinkOf(s, a.Handle) != null) throw new AmqpException(ErrorCode.HandleInUse, "handle " + a.Handle + " in use");
            var l = new SimHubLink();
            l.Session = s;
            l.Name = a.Name;
            l.DeviceHandle = a.Handle;
            l.HubHandle = NextHubHandle(s);
            l.DeviceIsSender = a.Role == Role.Sender;
            l.DeviceAttach = a;
            l.Kind = KindOf(a);
            if (l.DeviceIsSender) l.DeviceDeliveryCount = a.InitialDeliveryCount;
            l.HubDeliveryCount = HubInitialDeliveryCount;
            s.Links.Add(l);
            AttachesSeen++;
            Log("attach " + SimLinkKind.Name(l.Kind) + " '" + a.Name + "' handle " + a.Handle);
            if (l.Kind == SimLinkKind.C2d && C2dAttachDelayMs > 0)
            {
                AddTimer(now + C2dAttachDelayMs, SimTimer.AnswerAttach, l);
                return;
            }
            AnswerAttach(l);
        }

        private uint NextHubHandle(SimSession s)
        {
            uint h = 0;
            while (true)
            {
                bool used = false;
                for (int i = 0; i < s.Links.Count; i++) if (((SimHubLink)s.Links[i]).HubHandle == h) used = true;
                if (!used) return h;
                h++;
            }
        }

        private void AnswerAttach(SimHubLink l)
        {
            Attach a = l.DeviceAttach;
            Error refusal = null;
            if (l.Kind == SimLinkKind.None) refusal = new Error(ErrorCode.NotFound, "no such node");
            else if (l.Kind != SimLinkKind.CbsSender && l.Kind != SimLinkKind.CbsReceiver && !IsAuthorized())
                refusal = new Error(ErrorCode.UnauthorizedAccess, "Token Invalid. Put a token on $cbs first.");
            else if (l.Kind == SimLinkKind.C2d && OtherLink(l) != null)
                refusal = new Error(ErrorCode.InternalError, "Another AMQP Client has opened a Receive Link");
            var r = new Attach();
            r.Name = a.Name;
            r.Handle = l.HubHandle;
            r.Role = !a.Role;
            r.SndSettleMode = a.SndSettleMode;
            r.RcvSettleMode = a.RcvSettleMode;
            r.Source = a.Source;
            r.Target = a.Target;
            if (!l.DeviceIsSender)
            {
                r.HasInitialDeliveryCount = true;
                r.InitialDeliveryCount = HubInitialDeliveryCount;
            }
            if (l.Kind == SimLinkKind.Telemetry) r.MaxMessageSize = 262144;
            if (refusal != null)
            {
                // 2.6.3: a refused attach is answered with a null terminus on the hub's side, then a detach.
                if (l.DeviceIsSender) r.Target = null;
                else r.Source = null;
                Send(l.Session.HubChannel, r);
                l.Refused = true;
                AttachesRefused++;
                DetachLink(l, refusal);
                return;
            }
            Send(l.Session.HubChannel, r);
            l.Attached = true;
            l.AttachedAt = now;
            if (l.DeviceIsSender)
            {
                if (WithholdCredit) Log("credit withheld on " + SimLinkKind.Name(l.Kind));
                else if (CreditDelayMs == 0) GrantCredit(l);
                else AddTimer(now + CreditDelayMs, SimTimer.GrantCredit, l);
            }
            if (l.Kind == SimLinkKind.Telemetry && DetachTelemetryAfterMs > 0)
            {
                SimTimer t = AddTimer(now + DetachTelemetryAfterMs, SimTimer.DetachLink, l);
                t.Error = new Error(DetachTelemetryCondition, "detached by the simulation");
            }
        }

        private SimHubLink OtherLink(SimHubLink l)
        {
            for (int i = 0; i < sessions.Count; i++)
            {
                var s = (SimSession)sessions[i];
                for (int j = 0; j < s.Links.Count; j++)
                {
                    var o = (SimHubLink)s.Links[j];
                    if (o != l && o.Kind == l.Kind && o.Attached && !o.HubDetached) return o;
                }
            }
            return null;
        }

        /// <summary>The hub detaches a link with <paramref name="error"/> (closed, as IoT Hub does).</summary>
        private void DetachLink(SimHubLink l, Error error)
        {
            if (l.HubDetached) return;
            var d = new Detach();
            d.Handle = l.HubHandle;
            d.Closed = true;
            d.Error = error;
            Send(l.Session.HubChannel, d);
            l.HubDetached = true;
            ReleaseLinkDeliveries(l);
            Log("detach " + SimLinkKind.Name(l.Kind) + (error == null ? "" : " " + error.Condition));
        }

        private void OnDetach(SimSession s, Detach d)
        {
            SimHubLink l = LinkOf(s, d.Handle);
            if (l == null) throw new AmqpException(ErrorCode.UnattachedHandle, "detach of unattached handle " + d.Handle);
            Log("detach from device " + SimLinkKind.Name(l.Kind) + (d.Error == null ? "" : " " + d.Error.Condition));
            if (!l.HubDetached)
            {
                ReleaseLinkDeliveries(l);
                var r = new Detach();
                r.Handle = l.HubHandle;
                r.Closed = d.Closed;
                Send(s.HubChannel, r);
                l.HubDetached = true;
            }
            s.Links.Remove(l);
        }

        // 2.6.7: link credit for the device's senders; topped up once half of it is used.
        private void GrantCredit(SimHubLink l)
        {
            if (!l.Attached || l.HubDetached || WithholdCredit) return;
            uint full = l.Kind == SimLinkKind.CbsSender ? CbsCredit : TelemetryCredit;
            l.Credit = full;
            l.FlowPending = false;
            SendLinkFlow(l, l.DeviceDeliveryCount, full);
            Log("credit " + full + " on " + SimLinkKind.Name(l.Kind));
        }

        private void MaybeTopUpCredit(SimHubLink l)
        {
            uint full = l.Kind == SimLinkKind.CbsSender ? CbsCredit : TelemetryCredit;
            if (WithholdCredit || l.FlowPending || l.Credit > full / 2) return;
            l.FlowPending = true;
            if (CreditDelayMs == 0) GrantCredit(l);
            else AddTimer(now + CreditDelayMs, SimTimer.GrantCredit, l);
        }

        private void SendLinkFlow(SimHubLink l, uint deliveryCount, uint credit)
        {
            SimSession s = l.Session;
            Flow f = SessionFlow(s);
            f.HasHandle = true;
            f.Handle = l.HubHandle;
            f.HasDeliveryCount = true;
            f.DeliveryCount = deliveryCount;
            f.HasLinkCredit = true;
            f.LinkCredit = credit;
            Send(s.HubChannel, f);
        }

        private Flow SessionFlow(SimSession s)
        {
            var f = new Flow();
            f.HasNextIncomingId = true;
            f.NextIncomingId = s.NextIncomingId;
            f.IncomingWindow = s.WindowEnd - s.NextIncomingId;
            f.NextOutgoingId = s.NextOutgoingId;
            f.OutgoingWindow = 1000;
            return f;
        }

        // 2.5.6: reopen the incoming window (as a session flow) once half of it is used.
        private void MaybeReopenWindow(SimSession s)
        {
            if (WithholdWindow) return;
            if (s.WindowEnd - s.NextIncomingId > IncomingWindow / 2) return;
            s.WindowEnd = s.NextIncomingId + IncomingWindow;
            Send(s.HubChannel, SessionFlow(s));
        }

        private void OnFlow(SimSession s, Flow f)
        {
            // 2.5.6: the device's incoming window bounds the transfers the hub may send.
            uint nextIncoming = f.HasNextIncomingId ? f.NextIncomingId : 0;
            s.DeviceIncomingWindowEnd = nextIncoming + f.IncomingWindow;
            bool echo = f.Echo;
            if (f.HasHandle)
            {
                SimHubLink l = LinkOf(s, f.Handle);
                if (l == null) throw new AmqpException(ErrorCode.UnattachedHandle, "flow on unattached handle " + f.Handle);
                if (!l.DeviceIsSender && f.HasLinkCredit)
                {
                    // 2.6.7: credit = delivery-count(receiver) + link-credit(receiver) - delivery-count(sender).
                    uint deviceCount = f.HasDeliveryCount ? f.DeliveryCount : HubInitialDeliveryCount;
                    l.DeviceCredit = deviceCount + f.LinkCredit - l.HubDeliveryCount;
                    if ((int)l.DeviceCredit < 0) l.DeviceCredit = 0;
                    l.HasDeviceFlow = true;
                    if (f.Drain && l.DeviceCredit > 0 && !HasDeliverable(l))
                    {
                        // 2.6.7 drain: nothing to send, so advance the delivery-count to use up the credit.
                        l.HubDeliveryCount += l.DeviceCredit;
                        l.DeviceCredit = 0;
                        SendLinkFlow(l, l.HubDeliveryCount, 0);
                        echo = false;
                    }
                }
                if (echo) SendLinkFlow(l, l.DeviceIsSender ? l.DeviceDeliveryCount : l.HubDeliveryCount, l.DeviceIsSender ? l.Credit : l.DeviceCredit);
            }
            else if (echo)
            {
                Send(s.HubChannel, SessionFlow(s));
            }
            FlushCbsReplies();
            ServeC2d();
            ServeFeatures();
        }

        // ---- authorization ----

        private bool IsAuthorized() => connectionAuthorized && now < TokenExpiresAt;

        private void Authorize()
        {
            connectionAuthorized = true;
            TokenExpiresAt = now + TokenLifetimeMs;
        }

        private int ValidateToken(string token, string audience)
        {
            if (RefusePutToken) return 401;
            if (TokenValidator != null) return TokenValidator(token, audience, now);
            if (token == null || ExpectedTokenPrefix == null || !token.StartsWith(ExpectedTokenPrefix)) return 401;
            return 200;
        }

        // 4: a token that expired unrenewed ends the connection with unauthorized-access.
        private void CheckToken()
        {
            if (!connectionAuthorized || hubCloseSent || phase == PhaseClosed || !hubOpenSent) return;
            if (now < TokenExpiresAt) return;
            Log("token expired");
            TokenExpirations++;
            connectionAuthorized = false;
            SendClose(new Error(ErrorCode.UnauthorizedAccess, "Token Invalid"));
            phase = PhaseClosed;
        }
    }
}
