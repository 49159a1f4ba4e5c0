// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
using System;
using IotHubAmqp.Device.Buffers;
using IotHubAmqp.Device.Engine;
using IotHubAmqp.Device.Framing;
using IotHubAmqp.Device.Sasl;
using IotHubAmqp.Device.Types;

namespace IotHubAmqp.Device.Tests
{
    // What the peer sends: frames encoded with the SDK's performative classes, queued until the next pump.
    internal sealed partial class ScriptedAmqpPeer
    {
        private uint sessionIncomingWindow = 1000;

        // ---- sending to the client (queued until the next pump) ----

        public void SendRaw(byte[] bytes) => outbound.Add(bytes);

        public void SendHeader(byte protocolId)
        {
            var b = new ByteBuffer(ProtocolHeader.Size);
            ProtocolHeader.Write(b, protocolId);
            outbound.Add(b.Buffer);
        }

        /// <summary>Queues one AMQP frame holding <paramref name="performative"/> and an optional payload.</summary>
        public void SendFrame(ushort channel, object performative, byte[] payload = null)
        {
            var b = new ByteBuffer(1024 + (payload == null ? 0 : payload.Length));
            int start = Frame.Begin(b, Frame.TypeAmqp, channel);
            ((DescribedList)performative).Encode(b);
            if (payload != null) b.WriteBytes(payload, 0, payload.Length);
            Frame.End(b, start);
            outbound.Add(Copy(b));
        }

        /// <summary>Queues one SASL frame (mechanisms or outcome).</summary>
        public void SendSasl(object body)
        {
            var b = new ByteBuffer(1024);
            int start = Frame.Begin(b, Frame.TypeSasl, 0);
            if (body is SaslMechanisms m) m.Encode(b);
            else if (body is SaslOutcome o) o.Encode(b);
            else throw new ArgumentException("not a SASL frame body");
            Frame.End(b, start);
            outbound.Add(Copy(b));
        }

        /// <summary>Queues the peer's header and an open with the given limits.</summary>
        public void SendHeaderAndOpen(uint maxFrameSize, uint idleTimeoutMs, ushort channelMax = Open.DefaultChannelMax)
        {
            SendHeader(ProtocolHeader.Amqp);
            var o = new Open();
            o.ContainerId = ContainerId;
            o.MaxFrameSize = maxFrameSize;
            o.IdleTimeOut = idleTimeoutMs;
            o.ChannelMax = channelMax;
            SendFrame(0, o);
        }

        public void SendEmptyFrame() => outbound.Add(new byte[] { 0, 0, 0, 8, 2, 0, 0, 0 });

        public void SendClose(Error error)
        {
            var c = new Close();
            c.Error = error;
            SendFrame(0, c);
        }

        public void SendEnd(Error error)
        {
            var e = new End();
            e.Error = error;
            SendFrame(Channel, e);
        }

        public void SendDetach(uint handle, bool closed, Error error)
        {
            var d = new Detach();
            d.Handle = handle;
            d.Closed = closed;
            d.Error = error;
            SendFrame(Channel, d);
        }

        /// <summary>Queues a session flow opening <paramref name="incomingWindow"/> frames from <paramref name="nextIncomingId"/>.</summary>
        public void SendSessionFlow(uint nextIncomingId, uint incomingWindow, bool echo = false)
        {
            var f = new Flow();
            f.HasNextIncomingId = true;
            f.NextIncomingId = nextIncomingId;
            f.IncomingWindow = incomingWindow;
            sessionIncomingWindow = incomingWindow;
            f.NextOutgoingId = 0;
            f.OutgoingWindow = 1000;
            f.Echo = echo;
            SendFrame(Channel, f);
        }

        /// <summary>Queues a link flow granting <paramref name="credit"/> from <paramref name="deliveryCount"/>.</summary>
        public void SendLinkFlow(uint handle, uint deliveryCount, uint credit, uint nextIncomingId = 0, bool drain = false, bool echo = false)
        {
            var f = new Flow();
            f.HasNextIncomingId = true;
            f.NextIncomingId = nextIncomingId;
            // The session window the peer announced in its begin, not a fresh one: a link flow restates it.
            f.IncomingWindow = sessionIncomingWindow;
            f.NextOutgoingId = 0;
            f.OutgoingWindow = 1000;
            f.HasHandle = true;
            f.Handle = handle;
            f.HasDeliveryCount = true;
            f.DeliveryCount = deliveryCount;
            f.HasLinkCredit = true;
            f.LinkCredit = credit;
            f.Drain = drain;
            f.Echo = echo;
            SendFrame(Channel, f);
        }

        /// <summary>Queues one transfer frame of a delivery to the client's receiver.</summary>
        public void SendTransfer(uint handle, uint deliveryId, byte[] payload, bool more = false, bool settled = false, bool withId = true, bool aborted = false)
        {
            var t = new Transfer();
            t.Handle = handle;
            t.HasDeliveryId = withId;
            t.DeliveryId = deliveryId;
            if (withId) t.DeliveryTag = new byte[] { (byte)deliveryId };
            t.Settled = settled;
            t.More = more;
            t.Aborted = aborted;
            SendFrame(Channel, t, payload);
        }

        /// <summary>Queues a disposition for deliveries <paramref name="first"/>..<paramref name="last"/> of the client's sender.</summary>
        public void SendDisposition(uint first, uint last, Outcome outcome, bool settled = true)
        {
            var d = new Disposition();
            d.Role = Role.Receiver;
            d.First = first;
            d.Last = last;
            d.HasLast = last != first;
            d.Settled = settled;
            d.State = outcome;
            SendFrame(Channel, d);
        }

        /// <summary>Reads the client's begin and answers it on <paramref name="peerChannel"/>.</summary>
        public Begin AnswerBegin(ushort peerChannel, uint incomingWindow = 1000, uint handleMax = Begin.DefaultHandleMax)
        {
            PeerFrame f = Expect(Descriptor.Begin);
            SendBeginAnswer(f.Channel, peerChannel, incomingWindow, handleMax);
            return (Begin)f.Performative;
        }

        /// <summary>Answers a begin already read from <paramref name="clientChannel"/>, on <paramref name="peerChannel"/>.</summary>
        public void SendBeginAnswer(ushort clientChannel, ushort peerChannel, uint incomingWindow = 1000, uint handleMax = Begin.DefaultHandleMax)
        {
            Channel = peerChannel;
            var b = new Begin();
            b.HasRemoteChannel = true;
            b.RemoteChannel = clientChannel;
            b.NextOutgoingId = 0;
            b.IncomingWindow = incomingWindow;
            sessionIncomingWindow = incomingWindow;
            b.OutgoingWindow = 1000;
            b.HandleMax = handleMax;
            SendFrame(peerChannel, b);
        }

        /// <summary>Answers an attach the client sent, mirroring its termini, on <paramref name="peerHandle"/>.</summary>
        public void AnswerAttach(Attach clientAttach, uint peerHandle, ulong maxMessageSize = 0, bool refuse = false, uint initialDeliveryCount = 0)
        {
            var a = new Attach();
            a.Name = clientAttach.Name;
            a.Handle = peerHandle;
            a.Role = !clientAttach.Role;
            a.SndSettleMode = clientAttach.SndSettleMode;
            a.RcvSettleMode = clientAttach.RcvSettleMode;
            a.Source = clientAttach.Source;
            a.Target = clientAttach.Target;
            // 2.6.3: a refusing peer answers with a null terminus on its side and detaches.
            if (refuse && clientAttach.Role == Role.Sender) a.Target = null;
            if (refuse && clientAttach.Role == Role.Receiver) a.Source = null;
            if (a.Role == Role.Sender)
            {
                a.HasInitialDeliveryCount = true;
                a.InitialDeliveryCount = initialDeliveryCount;
            }
            a.MaxMessageSize = maxMessageSize;
            SendFrame(Channel, a);
        }
    }
}
