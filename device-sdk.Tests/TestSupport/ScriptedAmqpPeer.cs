// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
using System;
using System.Threading;
using IotHubAmqp.Device.Buffers;
using IotHubAmqp.Device.Engine;
using IotHubAmqp.Device.Framing;
using IotHubAmqp.Device.Messaging;
using IotHubAmqp.Device.Sasl;
using IotHubAmqp.Device.Types;
using nanoFramework.TestFramework;
using TestFrameworkShared;

namespace IotHubAmqp.Device.Tests
{
    /// <summary>A condition polled by <see cref="ScriptedAmqpPeer.WaitUntil"/>.</summary>
    internal delegate bool Probe();

    /// <summary>A peer script run on its own thread (for steps that must answer while the test thread waits).</summary>
    internal delegate void PeerScript(ScriptedAmqpPeer peer);

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
    /// The far end of a <see cref="MemoryTransport"/> pair, played step by step by a test: it reads what the
    /// engine sent (every read bounded by <see cref="TimeoutMs"/>, so a test fails instead of hanging) and
    /// answers with frames encoded by the SDK's performative classes or with raw bytes.
    /// </summary>
    internal sealed class ScriptedAmqpPeer
    {
        /// <summary>How long any single wait of a test may take.</summary>
        public const int TimeoutMs = 3000;

        /// <summary>Container id the peer announces.</summary>
        public const string ContainerId = "scripted-peer";

        private readonly FrameReader reader;
        private readonly ByteBuffer view = new ByteBuffer(new byte[0], 0, 0);
        private Thread scriptThread;
        private Exception scriptError;

        public ScriptedAmqpPeer(int maxFrameSize = 65536)
        {
            MemoryTransport.CreatePair(out MemoryTransport client, out MemoryTransport peer);
            Client = client;
            Transport = peer;
            Transport.ReceiveTimeoutMs = TimeoutMs;
            reader = new FrameReader(Transport, maxFrameSize);
        }

        /// <summary>The end to hand to the engine.</summary>
        public MemoryTransport Client { get; }

        /// <summary>The peer's own end.</summary>
        public MemoryTransport Transport { get; }

        /// <summary>The channel the peer sends session frames on (its begin's channel).</summary>
        public ushort Channel;

        /// <summary>Empty frames skipped by <see cref="ReadPerformative"/>.</summary>
        public int EmptyFramesSeen;

        // ---- reading what the client sent ----

        public void ExpectHeader(byte protocolId) => reader.ReadProtocolHeader(protocolId);

        /// <summary>Reads the next frame, empty ones included.</summary>
        public PeerFrame ReadFrame()
        {
            ByteBuffer body = reader.ReadFrame(view);
            var f = new PeerFrame();
            f.Type = reader.Type;
            f.Channel = reader.Channel;
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

        /// <summary>Reads the next non-empty frame.</summary>
        public PeerFrame ReadPerformative()
        {
            while (true)
            {
                PeerFrame f = ReadFrame();
                if (!f.IsEmpty) return f;
                EmptyFramesSeen++;
            }
        }

        /// <summary>The next non-empty frame, or null when none arrives within <paramref name="timeoutMs"/>.</summary>
        public PeerFrame TryReadPerformative(int timeoutMs)
        {
            int saved = Transport.ReceiveTimeoutMs;
            Transport.ReceiveTimeoutMs = timeoutMs;
            try
            {
                return ReadPerformative();
            }
            catch (TransportTimeoutException)
            {
                return null;
            }
            finally
            {
                Transport.ReceiveTimeoutMs = saved;
            }
        }

        /// <summary>Reads the next non-empty frame and asserts its descriptor.</summary>
        public PeerFrame Expect(ulong code)
        {
            PeerFrame f = ReadPerformative();
            Assert.AreEqual(Descriptor.NameOf(code), Descriptor.NameOf(f.Code), "the client sent another performative than expected");
            return f;
        }

        public Open ExpectOpen() => (Open)Expect(Descriptor.Open).Performative;

        public Begin ExpectBegin() => (Begin)Expect(Descriptor.Begin).Performative;

        public Attach ExpectAttach() => (Attach)Expect(Descriptor.Attach).Performative;

        public Flow ExpectFlow() => (Flow)Expect(Descriptor.Flow).Performative;

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
                if (!t.More) return all;
            }
        }

        /// <summary>Reads until the client closes the transport; true when it did within the timeout.</summary>
        public bool WaitClientClosed(int timeoutMs)
        {
            long deadline = Now() + timeoutMs;
            while (Now() < deadline)
            {
                if (Client.IsClosed) return true;
                Thread.Sleep(10);
            }
            return Client.IsClosed;
        }

        // ---- sending to the client ----

        public void SendRaw(byte[] bytes) => Transport.Send(bytes);

        public void SendHeader(byte protocolId)
        {
            var b = new ByteBuffer(ProtocolHeader.Size);
            ProtocolHeader.Write(b, protocolId);
            Transport.Send(b.Buffer, b.Offset, b.Length);
        }

        /// <summary>Sends one AMQP frame holding <paramref name="performative"/> and an optional payload.</summary>
        public void SendFrame(ushort channel, object performative, byte[] payload = null)
        {
            var b = new ByteBuffer(1024 + (payload == null ? 0 : payload.Length));
            int start = Frame.Begin(b, Frame.TypeAmqp, channel);
            Performatives.Encode(b, performative);
            if (payload != null) b.WriteBytes(payload, 0, payload.Length);
            Frame.End(b, start);
            Transport.Send(b.Buffer, b.Offset, b.Length);
        }

        /// <summary>Sends one SASL frame (mechanisms, challenge or outcome).</summary>
        public void SendSasl(object body)
        {
            var b = new ByteBuffer(1024);
            int start = Frame.Begin(b, Frame.TypeSasl, 0);
            if (body is SaslMechanisms m) m.Encode(b);
            else if (body is SaslOutcome o) o.Encode(b);
            else if (body is SaslChallenge c) c.Encode(b);
            else throw new ArgumentException("not a SASL frame body");
            Frame.End(b, start);
            Transport.Send(b.Buffer, b.Offset, b.Length);
        }

        /// <summary>Sends the peer's header and an open with the given limits.</summary>
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

        private uint sessionIncomingWindow = 1000;

        /// <summary>Sends a link flow granting <paramref name="credit"/> from <paramref name="deliveryCount"/>.</summary>
        public void SendLinkFlow(uint handle, uint deliveryCount, uint credit, uint nextIncomingId = 0)
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
            SendFrame(Channel, f);
        }

        /// <summary>Sends one transfer frame of a delivery to the client's receiver.</summary>
        public void SendTransfer(uint handle, uint deliveryId, byte[] payload, bool more = false, bool settled = false, bool withId = true)
        {
            var t = new Transfer();
            t.Handle = handle;
            t.HasDeliveryId = withId;
            t.DeliveryId = deliveryId;
            if (withId) t.DeliveryTag = new byte[] { (byte)deliveryId };
            t.Settled = settled;
            t.More = more;
            SendFrame(Channel, t, payload);
        }

        /// <summary>Settles deliveries <paramref name="first"/>..<paramref name="last"/> of the client's sender with <paramref name="outcome"/>.</summary>
        public void SendDisposition(uint first, uint last, Outcome outcome)
        {
            var d = new Disposition();
            d.Role = Role.Receiver;
            d.First = first;
            d.Last = last;
            d.HasLast = last != first;
            d.Settled = true;
            d.State = outcome;
            SendFrame(Channel, d);
        }

        // ---- whole steps ----

        /// <summary>Starts a connection to this peer and answers its header and open.</summary>
        public Connection Connect(ConnectionSettings settings = null, uint peerMaxFrameSize = 65536, uint peerIdleTimeoutMs = 0)
        {
            if (settings == null) settings = NewSettings();
            Connection c = Connection.Start(Client, settings, TestPlatform.Instance, TimeoutMs);
            ExpectHeader(ProtocolHeader.Amqp);
            ExpectOpen();
            SendHeaderAndOpen(peerMaxFrameSize, peerIdleTimeoutMs);
            c.WaitOpened(TimeoutMs);
            return c;
        }

        /// <summary>Begins a session and answers it from <paramref name="peerChannel"/>.</summary>
        public Session BeginSession(Connection c, ushort peerChannel = 0)
        {
            Session s = c.BeginSession(0);
            AnswerBegin(peerChannel);
            s.WaitMapped(TimeoutMs);
            return s;
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
        public void AnswerAttach(Attach clientAttach, uint peerHandle, ulong maxMessageSize = 0, bool refuse = false)
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
                a.InitialDeliveryCount = 0;
            }
            a.MaxMessageSize = maxMessageSize;
            SendFrame(Channel, a);
        }

        /// <summary>Attaches an unsettled sender, answers it on <paramref name="peerHandle"/>, and grants <paramref name="credit"/>.</summary>
        public SenderLink AttachSender(Session s, uint credit, uint peerHandle = 0, ulong maxMessageSize = 0, byte settleMode = SenderSettleMode.Unsettled)
        {
            SenderLink link = s.AttachSender("sender", "target/address", settleMode, null);
            AnswerAttach(ExpectAttach(), peerHandle, maxMessageSize);
            if (credit > 0) SendLinkFlow(peerHandle, 0, credit);
            link.WaitAttached(TimeoutMs);
            return link;
        }

        /// <summary>Attaches a receiver, reads its attach and flow, and answers it on <paramref name="peerHandle"/>.</summary>
        public ReceiverLink AttachReceiver(Session s, uint credit, int maxMessageSize = 65536, uint peerHandle = 0, byte rcvSettleMode = ReceiverSettleMode.First)
        {
            ReceiverLink link = s.AttachReceiver("receiver", "source/address", credit, rcvSettleMode, maxMessageSize, null);
            Attach a = ExpectAttach();
            ExpectFlow();
            AnswerAttach(a, peerHandle);
            link.WaitAttached(TimeoutMs);
            return link;
        }

        // ---- scripts and cleanup ----

        /// <summary>Runs <paramref name="script"/> on a new thread; <see cref="Join"/> rethrows its failure.</summary>
        public void Start(PeerScript script)
        {
            scriptThread = new Thread(() =>
            {
                try
                {
                    script(this);
                }
                catch (Exception e)
                {
                    scriptError = e;
                }
            });
            scriptThread.Start();
        }

        public void Join(int timeoutMs = TimeoutMs)
        {
            if (!scriptThread.Join(timeoutMs)) throw new AssertFailedException("the peer script did not finish within " + timeoutMs + " ms");
            if (scriptError != null) throw new AssertFailedException("the peer script failed: " + scriptError.GetType().Name + ": " + scriptError.Message);
        }

        /// <summary>Drops the pipe, which ends the engine's I/O thread and any script still reading.</summary>
        public void Dispose()
        {
            Transport.Close();
            if (scriptThread != null) scriptThread.Join(TimeoutMs);
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
            byte[] result = new byte[b.Length];
            Array.Copy(b.Buffer, b.Offset, result, 0, b.Length);
            return result;
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

        /// <summary>Polls <paramref name="probe"/> until it holds or the timeout passes; returns its last value.</summary>
        public static bool WaitUntil(Probe probe, int timeoutMs = TimeoutMs)
        {
            long deadline = Now() + timeoutMs;
            while (!probe())
            {
                if (Now() >= deadline) return probe();
                Thread.Sleep(5);
            }
            return true;
        }

        public static long Now() => DateTime.UtcNow.Ticks / TimeSpan.TicksPerMillisecond;

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
