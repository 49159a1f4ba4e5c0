// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
using System;
using System.Collections;
using IotHubAmqp.Device.Buffers;
using IotHubAmqp.Device.Engine;
using IotHubAmqp.Device.Framing;
using IotHubAmqp.Device.Messaging;
using IotHubAmqp.Device.Sasl;
using IotHubAmqp.Device.Types;
using nanoFramework.TestFramework;

namespace IotHubAmqp.Device.Tests
{
    /// <summary>One frame the client sent, decoded with the SDK's own performative classes.</summary>
    internal sealed class PeerFrame
    {
        public byte Type;
        public ushort Channel;

        /// <summary>Descriptor code of the body; 0 for an empty (heartbeat) frame.</summary>
        public ulong Code;

        /// <summary>The decoded performative (Open, Begin, ..., SaslInit), null for an empty frame.</summary>
        public object Performative;

        /// <summary>Bytes after the performative (a transfer's payload), never null.</summary>
        public byte[] Payload;

        public bool IsEmpty => Performative == null;
    }

    /// <summary>
    /// The far end of an engine, played step by step by a test, with no thread and no wait: what the engine wrote
    /// is handed in with <see cref="Accept"/> (by <see cref="EngineHarness.Pump"/>) and read back here frame by
    /// frame, decoded with the SDK's Framing classes; what the peer sends is queued until the next pump. Reading
    /// more than was written fails the test at once: nothing ever blocks.
    /// </summary>
    internal sealed class ScriptedAmqpPeer
    {
        /// <summary>Container id the peer announces.</summary>
        public const string ContainerId = "scripted-peer";

        private readonly ArrayList outbound = new ArrayList();
        private byte[] inbound = new byte[1024];
        private int inStart;
        private int inEnd;
        private uint sessionIncomingWindow = 1000;

        /// <summary>The channel the peer sends session frames on (its begin's channel).</summary>
        public ushort Channel;

        /// <summary>Empty frames skipped by <see cref="ReadPerformative"/>.</summary>
        public int EmptyFramesSeen;

        /// <summary>Bytes the engine wrote that the test has not read yet.</summary>
        public int Unread => inEnd - inStart;

        /// <summary>True when frames wait to go to the engine.</summary>
        public bool HasOutbound => outbound.Count > 0;

        // ---- the harness's side ----

        /// <summary>Takes bytes the engine wrote.</summary>
        public void Accept(byte[] buffer, int offset, int count)
        {
            if (inEnd + count > inbound.Length)
            {
                int n = inEnd - inStart;
                byte[] grown = new byte[(n + count) * 2];
                Array.Copy(inbound, inStart, grown, 0, n);
                inbound = grown;
                inStart = 0;
                inEnd = n;
            }
            Array.Copy(buffer, offset, inbound, inEnd, count);
            inEnd += count;
        }

        /// <summary>Takes the next chunk queued for the engine (one Send* call each).</summary>
        public byte[] TakeOutbound()
        {
            byte[] chunk = (byte[])outbound[0];
            outbound.RemoveAt(0);
            return chunk;
        }

        /// <summary>Drops what was queued for the engine (its transport is gone).</summary>
        public void DiscardOutbound() => outbound.Clear();

        // ---- reading what the client sent ----

        public void ExpectHeader(byte protocolId)
        {
            if (Unread < ProtocolHeader.Size) throw new AssertFailedException("expected a protocol header, the engine wrote " + Unread + " unread bytes");
            ProtocolHeader.Validate(inbound, inStart, protocolId);
            inStart += ProtocolHeader.Size;
        }

        /// <summary>True when a whole frame is waiting to be read.</summary>
        public bool HasFrame => Unread >= Frame.HeaderSize && Unread >= (int)BigEndian.Get32(inbound, inStart);

        /// <summary>Reads the next frame, empty ones included; fails when the engine wrote no whole frame.</summary>
        public PeerFrame ReadFrame()
        {
            if (!HasFrame) throw new AssertFailedException("expected a frame, the engine wrote " + Unread + " unread bytes (nothing more after the last pump)");
            int size = (int)BigEndian.Get32(inbound, inStart);
            int doff = inbound[inStart + 4] * 4;
            var f = new PeerFrame();
            f.Type = inbound[inStart + 5];
            f.Channel = (ushort)((inbound[inStart + 6] << 8) | inbound[inStart + 7]);
            var body = new ByteBuffer(inbound, inStart + doff, size - doff);
            inStart += size;
            if (body.Length == 0)
            {
                f.Payload = new byte[0];
                return f;
            }
            f.Code = Decoder.ReadDescriptor(body);
            f.Performative = DecodeBody(f.Code, body);
            f.Payload = new byte[body.Length];
            Array.Copy(body.Buffer, body.Offset, f.Payload, 0, body.Length);
            return f;
        }

        /// <summary>The next non-empty frame, or null when the engine wrote no more (empty frames are skipped).</summary>
        public PeerFrame TryReadPerformative()
        {
            while (HasFrame)
            {
                PeerFrame f = ReadFrame();
                if (!f.IsEmpty) return f;
                EmptyFramesSeen++;
            }
            return null;
        }

        /// <summary>Reads the next non-empty frame; fails when there is none.</summary>
        public PeerFrame ReadPerformative()
        {
            PeerFrame f = TryReadPerformative();
            if (f == null) throw new AssertFailedException("expected a frame, the engine wrote none (after the last pump)");
            return f;
        }

        /// <summary>Asserts the engine wrote nothing (but empty frames) that the test has not read.</summary>
        public void ExpectNothing(string why)
        {
            PeerFrame f = TryReadPerformative();
            if (f != null) throw new AssertFailedException(why + ": the engine sent " + Describe(f));
        }

        /// <summary>Reads the next non-empty frame and asserts its descriptor.</summary>
        public PeerFrame Expect(ulong code)
        {
            PeerFrame f = ReadPerformative();
            Assert.AreEqual(Descriptor.NameOf(code), Descriptor.NameOf(f.Code), "the client sent another performative than expected: " + Describe(f));
            return f;
        }

        public Open ExpectOpen() => (Open)Expect(Descriptor.Open).Performative;

        public Begin ExpectBegin() => (Begin)Expect(Descriptor.Begin).Performative;

        public Attach ExpectAttach() => (Attach)Expect(Descriptor.Attach).Performative;

        public Flow ExpectFlow() => (Flow)Expect(Descriptor.Flow).Performative;

        public Transfer ExpectTransfer() => (Transfer)Expect(Descriptor.Transfer).Performative;

        public Disposition ExpectDisposition() => (Disposition)Expect(Descriptor.Disposition).Performative;

        public Detach ExpectDetach() => (Detach)Expect(Descriptor.Detach).Performative;

        public End ExpectEnd() => (End)Expect(Descriptor.End).Performative;

        public Close ExpectClose() => (Close)Expect(Descriptor.Close).Performative;

        /// <summary>Reads the transfers of one delivery and returns its reassembled payload.</summary>
        public byte[] ReadDelivery(out Transfer first, out int frames)
        {
            first = null;
            frames = 0;
            byte[] all = new byte[0];
            while (true)
            {
                PeerFrame f = Expect(Descriptor.Transfer);
                var t = (Transfer)f.Performative;
                if (first == null) first = t;
                frames++;
                byte[] grown = new byte[all.Length + f.Payload.Length];
                Array.Copy(all, grown, all.Length);
                Array.Copy(f.Payload, 0, grown, all.Length, f.Payload.Length);
                all = grown;
                if (!t.More || t.Aborted) return all;
            }
        }

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
            Performatives.Encode(b, performative);
            if (payload != null) b.WriteBytes(payload, 0, payload.Length);
            Frame.End(b, start);
            outbound.Add(Copy(b));
        }

        /// <summary>Queues one SASL frame (mechanisms, challenge or outcome).</summary>
        public void SendSasl(object body)
        {
            var b = new ByteBuffer(1024);
            int start = Frame.Begin(b, Frame.TypeSasl, 0);
            if (body is SaslMechanisms m) m.Encode(b);
            else if (body is SaslOutcome o) o.Encode(b);
            else if (body is SaslChallenge c) c.Encode(b);
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
            Channel = peerChannel;
            var b = new Begin();
            b.HasRemoteChannel = true;
            b.RemoteChannel = f.Channel;
            b.NextOutgoingId = 0;
            b.IncomingWindow = incomingWindow;
            sessionIncomingWindow = incomingWindow;
            b.OutgoingWindow = 1000;
            b.HandleMax = handleMax;
            SendFrame(peerChannel, b);
            return (Begin)f.Performative;
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

        // ---- helpers ----

        public static ConnectionSettings NewSettings()
        {
            var s = new ConnectionSettings();
            s.ContainerId = "device-1";
            s.HostName = "hub.example.net";
            return s;
        }

        /// <summary>The bytes MessageCodec writes for a data message with <paramref name="body"/>.</summary>
        public static byte[] EncodeMessage(byte[] body)
        {
            var b = new ByteBuffer(body.Length + 64);
            MessageCodec.Encode(new Message(body), b);
            return Copy(b);
        }

        /// <summary>Decodes a message payload and returns its data body.</summary>
        public static byte[] DecodeBody(byte[] payload)
        {
            return MessageCodec.Decode(new ByteBuffer(payload, 0, payload.Length)).GetBytes();
        }

        /// <summary>A body of <paramref name="size"/> bytes with a position-dependent pattern.</summary>
        public static byte[] Pattern(int size)
        {
            byte[] a = new byte[size];
            for (int i = 0; i < size; i++) a[i] = (byte)(i * 7 + (i >> 8));
            return a;
        }

        public static byte[] Slice(byte[] a, int at, int n)
        {
            byte[] r = new byte[n];
            Array.Copy(a, at, r, 0, n);
            return r;
        }

        /// <summary>A frame for failure messages: its name and, for end, close and detach, the error.</summary>
        public static string Describe(PeerFrame f)
        {
            if (f == null) return "nothing";
            if (f.IsEmpty) return "an empty frame";
            string name = Descriptor.NameOf(f.Code);
            Error e = f.Performative is Close cl ? cl.Error : f.Performative is Detach d ? d.Error : f.Performative is End en ? en.Error : null;
            return e == null ? name : name + " with " + e.Condition + ": " + e.Description;
        }

        private static byte[] Copy(ByteBuffer b)
        {
            byte[] r = new byte[b.Length];
            Array.Copy(b.Buffer, b.Offset, r, 0, b.Length);
            return r;
        }

        private static object DecodeBody(ulong code, ByteBuffer body)
        {
            switch (code)
            {
                case Descriptor.Open: var open = new Open(); open.Decode(body); return open;
                case Descriptor.Begin: var begin = new Begin(); begin.Decode(body); return begin;
                case Descriptor.Attach: var attach = new Attach(); attach.Decode(body); return attach;
                case Descriptor.Flow: var flow = new Flow(); flow.Decode(body); return flow;
                case Descriptor.Transfer: var transfer = new Transfer(); transfer.Decode(body); return transfer;
                case Descriptor.Disposition: var disposition = new Disposition(); disposition.Decode(body); return disposition;
                case Descriptor.Detach: var detach = new Detach(); detach.Decode(body); return detach;
                case Descriptor.End: var end = new End(); end.Decode(body); return end;
                case Descriptor.Close: var close = new Close(); close.Decode(body); return close;
                case Descriptor.SaslInit: var init = new SaslInit(); init.Decode(body); return init;
                case Descriptor.SaslResponse: var response = new SaslResponse(); response.Decode(body); return response;
                default: throw new AssertFailedException("the client sent unknown performative 0x" + code.ToString("X"));
            }
        }
    }
}
