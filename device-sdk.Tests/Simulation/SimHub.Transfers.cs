// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
using System;
using System.Collections;
using IotHubAmqp.Device.Buffers;
using IotHubAmqp.Device.Framing;
using IotHubAmqp.Device.Messaging;
using IotHubAmqp.Device.Types;

namespace IotHubAmqp.Device.Tests.Simulation
{
    /// <summary>SimHub: transfers from the device (telemetry, put-token), their outcomes, and CBS replies.</summary>
    internal sealed partial class SimHub
    {
        private const int MaxDeliveryBytes = 1024 * 1024;
        private readonly ArrayList pendingCbsReplies = new ArrayList();
        private readonly ArrayList unsettledCbsReplies = new ArrayList();

        /// <summary>Put-token replies sent unsettled on this connection that the device has not settled yet.</summary>
        public int UnsettledCbsReplies => unsettledCbsReplies.Count;
        private ByteBuffer messageScratch; // one encode buffer for the hub's messages, made on first use

        private ByteBuffer EncodeForSend(Message m)
        {
            if (messageScratch == null) messageScratch = new ByteBuffer(MaxDeliveryBytes);
            messageScratch.Reset();
            MessageCodec.Encode(m, messageScratch);
            return messageScratch;
        }

        private void OnTransfer(SimSession s, Transfer t, ByteBuffer payload)
        {
            // 2.5.5: frames crossing our end are dropped.
            if (s.Ended) return;
            // 2.5.6: every transfer frame takes one transfer-id from the hub's incoming window.
            if ((int)(s.WindowEnd - s.NextIncomingId) <= 0)
                Violation("transfer-id " + s.NextIncomingId + " beyond the hub's incoming window (ends at " + s.WindowEnd + ")");
            s.NextIncomingId++;
            SimHubLink l = LinkOf(s, t.Handle);
            if (l == null) throw new AmqpException(ErrorCode.UnattachedHandle, "transfer on unattached handle " + t.Handle);
            if (!l.DeviceIsSender) throw new AmqpException(ErrorCode.IllegalState, "transfer on the device's receiver link");
            // 2.6.5: frames the device sent before it saw our detach are dropped, not judged.
            if (l.HubDetached || l.Refused) return;
            if (!l.InDelivery)
            {
                if (!t.HasDeliveryId) throw new AmqpException(ErrorCode.InvalidField, "first transfer of a delivery has no delivery-id");
                // 2.6.12: delivery-ids are assigned in sequence in a session; one used before is a duplicate.
                if (s.HasDeliveryId && (int)(t.DeliveryId - s.LastDeliveryId) <= 0)
                    Violation("duplicate delivery-id " + t.DeliveryId + " (last was " + s.LastDeliveryId + ")");
                s.HasDeliveryId = true;
                s.LastDeliveryId = t.DeliveryId;
                // 2.6.7: a sender must not send with no link credit.
                if (l.Credit == 0) Violation("transfer on " + SimLinkKind.Name(l.Kind) + " beyond link credit (delivery-id " + t.DeliveryId + ")");
                else l.Credit--;
                l.DeviceDeliveryCount++;
                l.InDelivery = true;
                l.CurrentDeliveryId = t.DeliveryId;
                l.CurrentSettled = false;
                l.PartialLength = 0;
            }
            else if (t.HasDeliveryId && t.DeliveryId != l.CurrentDeliveryId)
            {
                Violation("continuation transfer with delivery-id " + t.DeliveryId + " inside delivery " + l.CurrentDeliveryId);
            }
            if (t.Settled) l.CurrentSettled = true;
            if (t.Aborted)
            {
                // 2.6.14: an aborted delivery is discarded, its payload ignored.
                l.InDelivery = false;
                TelemetryAborted++;
                Log("aborted delivery " + l.CurrentDeliveryId + " on " + SimLinkKind.Name(l.Kind));
                AfterTransfer(s, l);
                return;
            }
            int n = payload.Length;
            if (l.PartialLength + n > MaxDeliveryBytes)
            {
                Violation("delivery larger than " + MaxDeliveryBytes + " bytes");
                Fail(ErrorCode.MessageSizeExceeded, "delivery too large");
                return;
            }
            if (l.PartialLength + n > l.Partial.Length)
            {
                int size = l.Partial.Length == 0 ? 1024 : l.Partial.Length;
                while (size < l.PartialLength + n) size *= 2;
                byte[] grown = new byte[size];
                Array.Copy(l.Partial, grown, l.PartialLength);
                l.Partial = grown;
            }
            Array.Copy(payload.Buffer, payload.Offset, l.Partial, l.PartialLength, n);
            l.PartialLength += n;
            if (!t.More)
            {
                l.InDelivery = false;
                if (!l.HubDetached) OnDelivery(l, l.CurrentDeliveryId, l.CurrentSettled, l.Partial, l.PartialLength);
            }
            AfterTransfer(s, l);
        }

        private void AfterTransfer(SimSession s, SimHubLink l)
        {
            if (hubCloseSent) return;
            MaybeReopenWindow(s);
            if (l.Attached && !l.HubDetached) MaybeTopUpCredit(l);
        }

        private void OnDelivery(SimHubLink l, uint deliveryId, bool settled, byte[] bytes, int length)
        {
            Message m;
            try
            {
                m = MessageCodec.Decode(new ByteBuffer(bytes, 0, length));
            }
            catch (AmqpException e)
            {
                Violation("malformed message on " + SimLinkKind.Name(l.Kind) + ": " + e.Description);
                if (!settled) SendOutcome(l, deliveryId, RejectedWith(ErrorCode.DecodeError, e.Description));
                return;
            }
            if (l.Kind == SimLinkKind.CbsSender) OnPutToken(l, deliveryId, settled, m);
            else if (l.Kind == SimLinkKind.TwinSender) OnTwinRequest(l, deliveryId, settled, m);
            else if (l.Kind == SimLinkKind.MethodsSender) OnMethodResponse(l, deliveryId, settled, m);
            else OnTelemetry(l, deliveryId, settled, m);
        }

        private static Rejected RejectedWith(string condition, string description)
        {
            var r = new Rejected();
            r.Error = new Error(condition, description);
            return r;
        }

        // Dispositions to the device's senders settle at once (IoT Hub answers in settle mode first).
        private void SendOutcome(SimHubLink l, uint deliveryId, Outcome outcome)
        {
            var d = new Disposition();
            d.Role = Role.Receiver;
            d.First = deliveryId;
            d.Settled = true;
            d.State = outcome;
            Send(l.Session.HubChannel, d);
        }

        private void OnTelemetry(SimHubLink l, uint deliveryId, bool settled, Message m)
        {
            string id = m.Properties == null || m.Properties.MessageId == null ? "(none)" : m.Properties.MessageId.ToString();
            SimTelemetry rec = TelemetryRecord(id, true);
            rec.Received++;
            TelemetryReceived++;
            if (RejectTelemetryCount > 0)
            {
                RejectTelemetryCount--;
                Log("telemetry " + id + " rejected " + RejectTelemetryCondition);
                if (!settled && !hubCloseSent)
                {
                    SendOutcome(l, deliveryId, RejectedWith(RejectTelemetryCondition, "rejected by the simulation"));
                    rec.RejectedSent++;
                }
                return;
            }
            rec.Stored++;
            rec.Body = m.GetBytes();
            Log("telemetry " + id + " stored" + (settled ? " (settled)" : ""));
            if (settled) return;
            if (DropTelemetryOutcomes > 0)
            {
                DropTelemetryOutcomes--;
                Log("telemetry " + id + " outcome dropped");
                return;
            }
            if (hubCloseSent) return;
            SendOutcome(l, deliveryId, Accepted.Instance);
            rec.AcceptedSent++;
        }

        private SimTelemetry TelemetryRecord(string id, bool create)
        {
            for (int i = 0; i < TelemetryList.Count; i++)
            {
                var r = (SimTelemetry)TelemetryList[i];
                if (r.MessageId == id) return r;
            }
            if (!create) return null;
            var n = new SimTelemetry();
            n.MessageId = id;
            TelemetryList.Add(n);
            return n;
        }

        // 3: put-token: app properties operation/type/name, body = the token; reply correlated by message-id.
        private void OnPutToken(SimHubLink l, uint deliveryId, bool settled, Message m)
        {
            PutTokensSeen++;
            AmqpMap ap = m.ApplicationProperties;
            string operation = ap == null ? null : ap["operation"] as string;
            string audience = ap == null ? null : ap["name"] as string;
            string token = m.Body as string;
            int status;
            string description;
            if (operation != "put-token" || token == null)
            {
                status = 400;
                description = "Bad request: operation put-token with a string token body expected";
            }
            else
            {
                status = ValidateToken(token, audience);
                description = status == 200 || status == 202 ? "OK" : "Unauthorized";
            }
            bool ok = status == 200 || status == 202;
            if (ok) PutTokensAccepted++;
            if (ok && AcceptPipelinedAttach) Authorize();
            Log("put-token " + (audience == null ? "(no name)" : audience) + " -> " + status);
            if (!settled && !hubCloseSent) SendOutcome(l, deliveryId, Accepted.Instance);
            if (DropPutTokenReplies > 0)
            {
                DropPutTokenReplies--;
                Log("put-token reply dropped");
                return;
            }
            var reply = new SimCbsReply();
            reply.CorrelationId = m.Properties == null ? null : m.Properties.MessageId;
            reply.Status = status;
            reply.Description = description;
            SimTimer t = AddTimer(now + PutTokenReplyDelayMs, SimTimer.CbsReply, null);
            t.Arg = reply;
        }

        // Replies wait for the device's CBS receiver to be attached with credit (2.6.7).
        private void FlushCbsReplies()
        {
            while (pendingCbsReplies.Count > 0 && Connected && !hubCloseSent)
            {
                SimHubLink l = FindLink(SimLinkKind.CbsReceiver);
                if (l == null || l.DeviceCredit == 0) return;
                if ((int)(l.Session.DeviceIncomingWindowEnd - l.Session.NextOutgoingId) <= 0) return;
                var reply = (SimCbsReply)pendingCbsReplies[0];
                pendingCbsReplies.RemoveAt(0);
                var m = new Message();
                m.Properties = new MessageProperties();
                m.Properties.CorrelationId = reply.CorrelationId;
                m.ApplicationProperties = new AmqpMap();
                m.ApplicationProperties["status-code"] = reply.Status;
                m.ApplicationProperties["status-description"] = reply.Description;
                m.BodyType = BodyType.None;
                uint replyId = SendMessage(l, m, !CbsRepliesUnsettled, false);
                if (CbsRepliesUnsettled) unsettledCbsReplies.Add(replyId);
                PutTokenRepliesSent++;
                if (!AcceptPipelinedAttach && (reply.Status == 200 || reply.Status == 202)) Authorize();
                Log("put-token reply " + reply.Status);
            }
        }

        /// <summary>Sends <paramref name="m"/> on a hub sender link, split by the frame limit (2.6.14); returns the delivery-id.</summary>
        private uint SendMessage(SimHubLink l, Message m, bool settled, bool abort)
        {
            ByteBuffer b = EncodeForSend(m);
            SimSession s = l.Session;
            uint deliveryId = s.NextOutgoingId;
            int chunk = OutgoingFrameLimit() - 64; // frame header and transfer performative fit in 64 bytes
            int total = b.Length;
            int cut = abort ? total / 2 : total; // an aborted delivery stops halfway
            int at = 0;
            bool first = true;
            while (true)
            {
                int n = cut - at;
                if (n > chunk) n = chunk;
                bool last = at + n >= cut;
                var t = new Transfer();
                t.Handle = l.HubHandle;
                if (first)
                {
                    t.HasDeliveryId = true;
                    t.DeliveryId = deliveryId;
                    t.DeliveryTag = Tag(deliveryId, l.HubDeliveryCount);
                    t.MessageFormat = 0;
                    t.Settled = settled;
                }
                t.More = !last || abort;
                Send(s.HubChannel, t, b.Buffer, b.Offset + at, n);
                s.NextOutgoingId++;
                at += n;
                first = false;
                if (last) break;
            }
            if (abort)
            {
                // 2.7.5: aborted=true ends the delivery; its payload (none here) is ignored.
                var t = new Transfer();
                t.Handle = l.HubHandle;
                t.Aborted = true;
                Send(s.HubChannel, t);
                s.NextOutgoingId++;
            }
            l.HubDeliveryCount++;
            if (l.DeviceCredit > 0) l.DeviceCredit--;
            return deliveryId;
        }

        // 16 bytes, as IoT Hub's lock tokens are (iothub-amqp-wire.md 6).
        private static byte[] Tag(uint deliveryId, uint count)
        {
            byte[] tag = new byte[16];
            BigEndian.Put32(tag, 0, deliveryId);
            BigEndian.Put32(tag, 4, count);
            tag[15] = 0x5a;
            return tag;
        }
    }
}
