// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
using System;
using System.Collections;
using IotHubAmqp.Device.Buffers;
using IotHubAmqp.Device.Framing;
using IotHubAmqp.Device.Messaging;
using IotHubAmqp.Device.Sasl;
using IotHubAmqp.Device.Types;

namespace IotHubAmqp.Device.Tests.Simulation
{
    /// <summary>One frame the hub sent, decoded with the SDK's frame classes.</summary>
    internal sealed class SimFrame
    {
        public bool IsHeader;
        public byte HeaderId;
        public byte Type;
        public ushort Channel;
        public ulong Code; // 0 = empty frame
        public object Body;
        public byte[] Payload;
    }

    /// <summary>A tiny scripted device for SimHub tests: encodes frames with the Framing classes, reads the hub's.</summary>
    internal sealed class SimScriptedDevice
    {
        private readonly ByteBuffer pending = new ByteBuffer(1 << 20);
        private byte[] received = new byte[0];
        private int receivedAt;
        public readonly ArrayList Frames = new ArrayList();

        public void Header(byte id) => ProtocolHeader.Write(pending, id);

        public void SaslPlain(string user, string password)
        {
            var init = new SaslInit();
            init.Mechanism = "PLAIN";
            init.InitialResponse = SaslProfile.Plain(user, password).InitialResponse;
            int start = Frame.Begin(pending, Frame.TypeSasl, 0);
            init.Encode(pending);
            Frame.End(pending, start);
        }

        public void SaslAnonymous()
        {
            var init = new SaslInit();
            init.Mechanism = "ANONYMOUS";
            int start = Frame.Begin(pending, Frame.TypeSasl, 0);
            init.Encode(pending);
            Frame.End(pending, start);
        }

        public void Perf(object p) => Perf(p, null);

        public void Perf(object p, byte[] payload)
        {
            int start = Frame.Begin(pending, Frame.TypeAmqp, 0);
            if (p is Open o) o.Encode(pending);
            else if (p is Begin b) b.Encode(pending);
            else if (p is Attach a) a.Encode(pending);
            else if (p is Flow f) f.Encode(pending);
            else if (p is Transfer t) t.Encode(pending);
            else if (p is Disposition d) d.Encode(pending);
            else if (p is Detach dt) dt.Encode(pending);
            else if (p is End e) e.Encode(pending);
            else if (p is Close c) c.Encode(pending);
            if (payload != null) pending.WriteBytes(payload, 0, payload.Length);
            Frame.End(pending, start);
        }

        public void Empty() => Frame.WriteEmpty(pending);

        public void Open(uint maxFrameSize, uint idleTimeoutMs)
        {
            var o = new Open();
            o.ContainerId = "device-1";
            o.Hostname = "sim-hub.azure-devices.net";
            o.MaxFrameSize = maxFrameSize;
            o.IdleTimeOut = idleTimeoutMs;
            Perf(o);
        }

        public void Begin()
        {
            var b = new Begin();
            b.NextOutgoingId = 0;
            b.IncomingWindow = 1000;
            b.OutgoingWindow = 1000;
            Perf(b);
        }

        public void Attach(uint handle, string name, bool role, string address)
        {
            var a = new Attach();
            a.Name = name;
            a.Handle = handle;
            a.Role = role;
            a.SndSettleMode = SenderSettleMode.Unsettled;
            a.Source = new Source();
            a.Target = new Target();
            if (role == Role.Sender)
            {
                a.Target.Address = address;
                a.HasInitialDeliveryCount = true;
            }
            else a.Source.Address = address;
            Perf(a);
        }

        public void Flow(uint handle, uint deliveryCount, uint credit)
        {
            var f = new Flow();
            f.HasNextIncomingId = true;
            f.IncomingWindow = 1000;
            f.OutgoingWindow = 1000;
            f.HasHandle = true;
            f.Handle = handle;
            f.HasDeliveryCount = true;
            f.DeliveryCount = deliveryCount;
            f.HasLinkCredit = true;
            f.LinkCredit = credit;
            Perf(f);
        }

        public void Transfer(uint handle, uint deliveryId, bool first, byte[] payload, bool more, bool aborted)
        {
            var t = new Transfer();
            t.Handle = handle;
            if (first)
            {
                t.HasDeliveryId = true;
                t.DeliveryId = deliveryId;
                t.DeliveryTag = new byte[] { (byte)deliveryId };
            }
            t.More = more;
            t.Aborted = aborted;
            Perf(t, payload);
        }

        public void Settle(uint deliveryId, Outcome outcome)
        {
            var d = new Disposition();
            d.Role = Role.Receiver;
            d.First = deliveryId;
            d.Settled = true;
            d.State = outcome;
            Perf(d);
        }

        public static byte[] PutToken(string token, string messageId)
        {
            var m = new Message();
            m.Properties = new MessageProperties();
            m.Properties.MessageId = messageId;
            m.Properties.To = "$cbs";
            m.Properties.ReplyTo = "cbs";
            m.ApplicationProperties = new AmqpMap();
            m.ApplicationProperties["operation"] = "put-token";
            m.ApplicationProperties["type"] = "servicebus.windows.net:sastoken";
            m.ApplicationProperties["name"] = "sim-hub.azure-devices.net/devices/device-1";
            m.BodyType = BodyType.AmqpValue;
            m.Body = token;
            return Encode(m);
        }

        public static byte[] Telemetry(string messageId, byte[] body)
        {
            var m = new Message(body);
            m.Properties = new MessageProperties();
            m.Properties.MessageId = messageId;
            return Encode(m);
        }

        public static byte[] Encode(Message m)
        {
            var b = new ByteBuffer(1 << 20);
            MessageCodec.Encode(m, b);
            byte[] r = new byte[b.Length];
            Array.Copy(b.Buffer, b.Offset, r, 0, b.Length);
            return r;
        }

        public static byte[] Pattern(int size)
        {
            byte[] a = new byte[size];
            for (int i = 0; i < size; i++) a[i] = (byte)(i * 7 + (i >> 8));
            return a;
        }

        /// <summary>The standard opening: SASL ANONYMOUS, open, begin, both CBS links.</summary>
        public void OpenWithCbs(uint maxFrameSize, uint idleTimeoutMs)
        {
            Header(ProtocolHeader.Sasl);
            SaslAnonymous();
            Header(ProtocolHeader.Amqp);
            Open(maxFrameSize, idleTimeoutMs);
            Begin();
            Attach(0, "$cbs-sender", Role.Sender, "$cbs");
            Attach(1, "$cbs-receiver", Role.Receiver, "$cbs");
            Flow(1, 0, 10);
        }

        /// <summary>The put-token request on the CBS sender (handle 0), once the hub granted credit.</summary>
        public void PutTokenRequest()
        {
            Transfer(0, 0, true, PutToken("SharedAccessSignature sr=x&sig=y&se=1", "put-1"), false, false);
        }

        /// <summary>Hands the pending bytes to the hub in pieces of <paramref name="split"/> bytes, then reads its output.</summary>
        public void Flush(SimHub hub, long now, int split)
        {
            byte[] a = pending.Buffer;
            for (int at = 0; at < pending.Length; at += split)
            {
                int n = pending.Length - at < split ? pending.Length - at : split;
                hub.Receive(a, at, n, now);
            }
            pending.Reset();
            hub.Tick(now);
            ReadHub(hub);
        }

        /// <summary>The bytes written so far and not flushed (for a test that drives a SimNetwork itself).</summary>
        public byte[] TakePending()
        {
            byte[] r = new byte[pending.Length];
            Array.Copy(pending.Buffer, pending.Offset, r, 0, pending.Length);
            pending.Reset();
            return r;
        }

        public void ReadHub(SimHub hub)
        {
            byte[] buf = new byte[65536];
            while (true)
            {
                int n = hub.TakeOutput(buf, 0, buf.Length);
                if (n <= 0) break;
                byte[] grown = new byte[received.Length + n];
                Array.Copy(received, grown, received.Length);
                Array.Copy(buf, 0, grown, received.Length, n);
                received = grown;
            }
            Parse();
        }

        public byte[] AllReceived => received;

        private void Parse()
        {
            while (received.Length - receivedAt >= 8)
            {
                var f = new SimFrame();
                if (received[receivedAt] == (byte)'A')
                {
                    f.IsHeader = true;
                    f.HeaderId = received[receivedAt + 4];
                    receivedAt += 8;
                    Frames.Add(f);
                    continue;
                }
                int size = (int)BigEndian.Get32(received, receivedAt);
                if (received.Length - receivedAt < size) return;
                int doff = received[receivedAt + 4] * 4;
                f.Type = received[receivedAt + 5];
                f.Channel = (ushort)((received[receivedAt + 6] << 8) | received[receivedAt + 7]);
                var body = new ByteBuffer(received, receivedAt + doff, size - doff);
                receivedAt += size;
                Frames.Add(f);
                if (body.Length == 0) continue;
                f.Code = Decoder.ReadDescriptor(body);
                f.Body = DecodeBody(f.Code, body);
                f.Payload = new byte[body.Length];
                Array.Copy(body.Buffer, body.Offset, f.Payload, 0, body.Length);
            }
        }

        private static object DecodeBody(ulong code, ByteBuffer b)
        {
            switch (code)
            {
                case Descriptor.Open: var o = new Open(); o.Decode(b); return o;
                case Descriptor.Begin: var bg = new Begin(); bg.Decode(b); return bg;
                case Descriptor.Attach: var a = new Attach(); a.Decode(b); return a;
                case Descriptor.Flow: var f = new Flow(); f.Decode(b); return f;
                case Descriptor.Transfer: var t = new Transfer(); t.Decode(b); return t;
                case Descriptor.Disposition: var d = new Disposition(); d.Decode(b); return d;
                case Descriptor.Detach: var dt = new Detach(); dt.Decode(b); return dt;
                case Descriptor.End: var e = new End(); e.Decode(b); return e;
                case Descriptor.Close: var c = new Close(); c.Decode(b); return c;
                case Descriptor.SaslMechanisms: var m = new SaslMechanisms(); m.Decode(b); return m;
                case Descriptor.SaslOutcome: var so = new SaslOutcome(); so.Decode(b); return so;
                default: return null;
            }
        }

        /// <summary>Frames of <paramref name="code"/> the hub sent, in order.</summary>
        public ArrayList All(ulong code)
        {
            var r = new ArrayList();
            for (int i = 0; i < Frames.Count; i++) if (((SimFrame)Frames[i]).Code == code) r.Add(((SimFrame)Frames[i]).Body);
            return r;
        }

        public object Last(ulong code)
        {
            ArrayList a = All(code);
            return a.Count == 0 ? null : a[a.Count - 1];
        }

        /// <summary>The reassembled payloads of the hub's transfers on <paramref name="hubHandle"/>; aborted ones are left out.</summary>
        public ArrayList Deliveries(uint hubHandle)
        {
            var r = new ArrayList();
            byte[] cur = null;
            for (int i = 0; i < Frames.Count; i++)
            {
                var f = (SimFrame)Frames[i];
                if (f.Code != Descriptor.Transfer || ((Transfer)f.Body).Handle != hubHandle) continue;
                var t = (Transfer)f.Body;
                if (t.Aborted)
                {
                    cur = null;
                    continue;
                }
                byte[] grown = new byte[(cur == null ? 0 : cur.Length) + f.Payload.Length];
                if (cur != null) Array.Copy(cur, grown, cur.Length);
                Array.Copy(f.Payload, 0, grown, grown.Length - f.Payload.Length, f.Payload.Length);
                cur = grown;
                if (!t.More)
                {
                    r.Add(cur);
                    cur = null;
                }
            }
            return r;
        }
    }
}
