// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
using System.Collections;
using IotHubAmqp.Device.Framing;
using IotHubAmqp.Device.Messaging;
using IotHubAmqp.Device.Types;

namespace IotHubAmqp.Device.Tests.Simulation
{
    /// <summary>SimHub: the device's C2D queue, deliveries under credit, settlement and redelivery (iothub-amqp-wire.md 6).</summary>
    internal sealed partial class SimHub
    {
        /// <summary>Every C2D message ever enqueued, in order (hub-wide).</summary>
        public readonly ArrayList C2dQueue = new ArrayList();

        /// <summary>Queues a C2D message for the device; delivered when a C2D link has credit.</summary>
        public SimC2d EnqueueC2d(byte[] body, string messageId)
        {
            var c = new SimC2d();
            c.Seq = C2dQueue.Count + 1;
            c.MessageId = messageId == null ? "c2d-" + c.Seq : messageId;
            c.Body = body;
            c.State = SimC2d.Queued;
            C2dQueue.Add(c);
            Log("c2d enqueued " + c.MessageId + " (" + body.Length + " bytes)");
            ServeC2d();
            return c;
        }

        /// <summary>Queues a C2D message of <paramref name="size"/> bytes with a position-dependent pattern.</summary>
        public SimC2d EnqueueC2d(int size)
        {
            byte[] body = new byte[size];
            for (int i = 0; i < size; i++) body[i] = (byte)(i * 31 + (i >> 8) + C2dQueue.Count);
            return EnqueueC2d(body, null);
        }

        public SimC2d C2dOf(string messageId)
        {
            for (int i = 0; i < C2dQueue.Count; i++)
            {
                var c = (SimC2d)C2dQueue[i];
                if (c.MessageId == messageId) return c;
            }
            return null;
        }

        /// <summary>Messages in <paramref name="state"/> (<see cref="SimC2d.Queued"/>, ...).</summary>
        public int C2dCount(int state)
        {
            int n = 0;
            for (int i = 0; i < C2dQueue.Count; i++) if (((SimC2d)C2dQueue[i]).State == state) n++;
            return n;
        }

        private SimC2d NextQueued()
        {
            for (int i = 0; i < C2dQueue.Count; i++)
            {
                var c = (SimC2d)C2dQueue[i];
                if (c.State == SimC2d.Queued) return c;
            }
            return null;
        }

        private bool HasDeliverable(SimHubLink l) => l.Kind == SimLinkKind.C2d && NextQueued() != null;

        private void ServeC2d()
        {
            if (!Connected || hubCloseSent || now < stalledUntil) return;
            SimHubLink l = FindLink(SimLinkKind.C2d);
            if (l == null) return;
            for (int guard = 0; guard < 1000 && l.DeviceCredit > 0; guard++)
            {
                SimC2d c = NextQueued();
                if (c == null) return;
                if (c.Deliveries >= MaxC2dDeliveryCount)
                {
                    c.State = SimC2d.DeadLettered;
                    c.Outcome = "delivery-count-exceeded";
                    Log("c2d " + c.MessageId + " dead-lettered after " + c.Deliveries + " deliveries");
                    continue;
                }
                Message m = C2dMessage(c);
                int frames = FramesFor(m) + 1;
                // 2.5.6: the hub may not send more transfer frames than the device's incoming window.
                if ((int)(l.Session.DeviceIncomingWindowEnd - l.Session.NextOutgoingId) < frames) return;
                bool abort = AbortNextC2d > 0;
                if (abort) AbortNextC2d--;
                c.Deliveries++;
                uint id = SendMessage(l, m, false, abort);
                if (abort)
                {
                    C2dAborted++;
                    Log("c2d " + c.MessageId + " aborted mid-delivery " + id);
                    continue; // stays queued: redelivered on the next credit
                }
                c.State = SimC2d.InFlight;
                c.DeliveryId = id;
                c.Generation = generation;
                c.Link = l;
                c.CompleteDeliveries++;
                C2dDelivered++;
                Log("c2d " + c.MessageId + " delivered as " + id);
            }
        }

        private Message C2dMessage(SimC2d c)
        {
            var m = new Message(c.Body);
            m.Properties = new MessageProperties();
            m.Properties.MessageId = c.MessageId;
            m.Properties.To = "/devices/" + DeviceId + "/messages/devicebound";
            m.MessageAnnotations = new AmqpMap();
            m.MessageAnnotations[new Symbol("x-opt-sequence-number")] = (long)c.Seq;
            m.MessageAnnotations[new Symbol("iothub-deliverycount")] = c.Deliveries;
            return m;
        }

        private int FramesFor(Message m)
        {
            IotHubAmqp.Device.Buffers.ByteBuffer b = EncodeForSend(m);
            int chunk = OutgoingFrameLimit() - 64;
            return (b.Length + chunk - 1) / chunk;
        }

        private void OnDisposition(SimSession s, Disposition d)
        {
            if (d.Role != Role.Receiver) return; // the device's sender side: nothing the hub waits for
            uint last = d.HasLast ? d.Last : d.First;
            for (uint id = d.First, guard = 0; guard < 10000; id++, guard++)
            {
                OnSettle(s, id, d);
                if (id == last) break;
            }
            ServeC2d();
        }

        private void OnSettle(SimSession s, uint id, Disposition d)
        {
            object boxed = id;
            if (d.Settled)
            {
                for (int i = 0; i < s.SettledIds.Count; i++)
                {
                    if ((uint)s.SettledIds[i] == id)
                    {
                        Violation("the device settled delivery " + id + " twice");
                        return;
                    }
                }
            }
            SimC2d c = null;
            for (int i = 0; i < C2dQueue.Count; i++)
            {
                var x = (SimC2d)C2dQueue[i];
                if (x.State == SimC2d.InFlight && x.DeliveryId == id && x.Generation == generation && x.Link != null && x.Link.Session == s) c = x;
            }
            if (d.Settled)
            {
                if (s.SettledIds.Count > 4096) s.SettledIds.RemoveAt(0);
                s.SettledIds.Add(boxed);
            }
            if (c == null)
            {
                // A CBS reply, or an unknown id.
                if (d.Settled) unsettledCbsReplies.Remove(boxed);
                return;
            }
            string outcome = d.State is Accepted ? "accepted" : d.State is Rejected ? "rejected" : d.State is Released ? "released" : d.State is Modified ? "modified" : "settled";
            c.Outcome = outcome;
            C2dSettled++;
            if (d.State is Released || (d.State is Modified mod && !mod.UndeliverableHere))
            {
                c.State = SimC2d.Queued; // abandon: requeued, delivered again (delivery count + 1)
            }
            else if (d.State is Rejected || d.State is Modified)
            {
                c.State = SimC2d.DeadLettered;
            }
            else
            {
                c.State = SimC2d.Completed;
            }
            c.Link = null;
            Log("c2d " + c.MessageId + " settled " + outcome);
            if (!d.Settled)
            {
                // 2.6.12 rcv-settle-mode second: the hub settles, then the device does.
                var r = new Disposition();
                r.Role = Role.Sender;
                r.First = id;
                r.Settled = true;
                r.State = d.State;
                Send(s.HubChannel, r);
            }
        }

        private void ReleaseLinkDeliveries(SimHubLink l)
        {
            l.InDelivery = false;
            if (l.Kind == SimLinkKind.MethodsReceiver) FailMethodCalls("the methods link was detached");
            for (int i = 0; i < C2dQueue.Count; i++)
            {
                var c = (SimC2d)C2dQueue[i];
                if (c.State == SimC2d.InFlight && c.Link == l)
                {
                    // Unsettled when the link went: IoT Hub delivers it again later.
                    c.State = SimC2d.Queued;
                    c.Link = null;
                    Log("c2d " + c.MessageId + " back in the queue");
                }
            }
        }

        private void ReleaseSessionDeliveries(SimSession s)
        {
            for (int i = 0; i < s.Links.Count; i++) ReleaseLinkDeliveries((SimHubLink)s.Links[i]);
        }
    }
}
