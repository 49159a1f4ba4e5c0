// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
using System;
using System.Collections;
using IotHubAmqp.Device.Buffers;
using IotHubAmqp.Device.Engine;
using IotHubAmqp.Device.Framing;
using IotHubAmqp.Device.IotHub;
using IotHubAmqp.Device.Messaging;
using IotHubAmqp.Device.Twin;
using TestFrameworkShared;

namespace IotHubAmqp.Device.Tests.Twin
{
    /// <summary>One link the peer saw attached: the client's attach and the handle the peer answered on.</summary>
    internal sealed class PeerLink
    {
        public Attach Attach;
        public uint PeerHandle;
        public int Connection;

        public string Address => Attach.Role == Role.Sender ? Attach.Target.Address : Attach.Source.Address;

        public bool ClientSends => Attach.Role == Role.Sender;
    }

    /// <summary>A message the client sent on a link other than $cbs.</summary>
    internal sealed class PeerReceived
    {
        public PeerLink Link;
        public Message Message;
    }

    /// <summary>
    /// Plays the driver for a real <see cref="ClientCore"/> on one thread with virtual time, against
    /// <see cref="ScriptedAmqpPeer"/> acting as a minimal hub: it answers open, begin and every attach, grants
    /// credit, answers put-tokens with 200, accepts transfers and records them; the test sends the hub's messages.
    /// Also the feature host (requests go straight to the core; notices run when the test says).
    /// </summary>
    internal sealed class CoreHarness : IFeatureHost
    {
        private static readonly DateTime Epoch = new DateTime(2026, 1, 1, 0, 0, 0);
        private readonly FixedPlatform platform = new FixedPlatform(Epoch);
        private readonly DeviceClientOptions options = new DeviceClientOptions();
        private readonly ArrayList pendingNotices = new ArrayList();
        private readonly ArrayList submitted = new ArrayList();
        private ScriptedAmqpPeer peer;
        private bool headerSeen;
        private uint nextPeerHandle;
        private uint nextDeliveryId;
        private int connections;

        public readonly ArrayList Links = new ArrayList();
        public readonly ArrayList Received = new ArrayList();
        public readonly ArrayList CbsRequests = new ArrayList();
        public readonly ClientCore Core;
        public long Now;

        public CoreHarness(string connectionString = "HostName=hub.example.net;DeviceId=dev1;SharedAccessKey=AAAAAAAAAAAAAAAAAAAAAA==")
        {
            options.ReceiveCloudToDevice = false;
            Core = new ClientCore(IotHubConnectionString.Parse(connectionString), options, platform, new Random(1));
        }

        public DeviceClientOptions Options => options;

        /// <summary>While true the peer records transfers but sends no disposition (sends stay waiting).</summary>
        public bool HoldOutcomes;

        /// <summary>The hub detaches <paramref name="l"/> (closed) with <paramref name="error"/>.</summary>
        public void HubDetaches(PeerLink l, Error error)
        {
            peer.SendDetach(l.PeerHandle, true, error);
            Pump();
        }

        /// <summary>Notices the core queued that the test has not run yet.</summary>
        public int PendingNotices
        {
            get
            {
                int n = 0;
                for (int i = 0; i < pendingNotices.Count; i++) if (pendingNotices[i] is FeatureNotice) n++;
                return n;
            }
        }

        public long NowMs => Now;

        public string DeviceId => Core.Identity.DeviceId;

        public void AddFeature(ClientFeature feature)
        {
            var r = new ClientRequest();
            r.Reset(RequestKind.AddFeature, Now + 1000);
            r.Feature = feature;
            Core.Submit(r, Now);
            Pump();
        }

        public void CallFeature(ClientRequest r, int timeoutMs, string what)
        {
            submitted.Add(r);
            Core.Submit(r, Now);
            Pump();
        }

        /// <summary>Opens the client and runs the connection up to Connected.</summary>
        public void Open()
        {
            var r = new ClientRequest();
            r.Reset(RequestKind.Open, Now + options.ConnectTimeoutMs);
            Core.Submit(r, Now);
            Connect();
            if (!r.IsCompleted || r.Error != null) throw new AssertFailedException("Open did not complete: " + (r.Error == null ? "pending" : r.Error.Message));
        }

        private void Connect()
        {
            if (!Core.WantsTransport) throw new AssertFailedException("the client does not ask for a transport");
            Core.TransportConnecting();
            peer = new ScriptedAmqpPeer();
            headerSeen = false;
            nextPeerHandle = 0;
            nextDeliveryId = 0;
            connections++;
            Core.TransportConnected(Now);
            Pump();
        }

        /// <summary>Cuts the transport, lets the backoff pass and connects again.</summary>
        public void Reconnect()
        {
            peer.DiscardOutbound();
            Core.TransportEnded(new AmqpException(ErrorCode.ConnectionLost, "cut by the test"), Now);
            if (Core.WantsTransportClosed) Core.TransportClosed(Now);
            for (int i = 0; i < 1000 && !Core.WantsTransport; i++)
            {
                long next = Core.NextDeadline;
                if (next == long.MaxValue) throw new AssertFailedException("no reconnect scheduled");
                if (next > Now) Now = next;
                Core.Tick(Now);
            }
            Connect();
        }

        /// <summary>Links of the current connection whose address is <paramref name="address"/>.</summary>
        public PeerLink Link(string address, bool clientSends)
        {
            for (int i = Links.Count - 1; i >= 0; i--)
            {
                var l = (PeerLink)Links[i];
                if (l.Connection == connections && l.Address == address && l.ClientSends == clientSends) return l;
            }
            return null;
        }

        /// <summary>The hub sends <paramref name="m"/> pre-settled on the client's receiver for <paramref name="address"/>.</summary>
        public void SendToClient(string address, Message m)
        {
            PeerLink l = Link(address, false);
            if (l == null) throw new AssertFailedException("no receiver attached on " + address);
            var b = new ByteBuffer(70000);
            MessageCodec.Encode(m, b);
            // In frames under the client's 4 KB max-frame-size, as a hub would split a large message.
            const int Chunk = 3000;
            uint id = nextDeliveryId++;
            for (int at = 0; at < b.Length; at += Chunk)
            {
                int n = b.Length - at < Chunk ? b.Length - at : Chunk;
                peer.SendTransfer(l.PeerHandle, id, ScriptedAmqpPeer.Slice(b.Buffer, b.Offset + at, n), at + n < b.Length, true, at == 0);
            }
            Pump();
        }

        /// <summary>Runs the notices the core queued (the dispatcher's part), feature notices only.</summary>
        public int RunNotices()
        {
            int n = 0;
            for (int i = 0; i < pendingNotices.Count; i++)
            {
                var f = pendingNotices[i] as FeatureNotice;
                if (f == null) continue;
                f.Run();
                n++;
            }
            pendingNotices.Clear();
            return n;
        }

        public void Advance(long ms)
        {
            long target = Now + ms;
            for (int i = 0; i < 10000; i++)
            {
                long next = Core.NextDeadline;
                if (next > target) break;
                if (next > Now) Now = next;
                Core.Tick(Now);
                Pump();
            }
            Now = target;
            Core.Tick(Now);
            Pump();
        }

        public void Pump()
        {
            for (int round = 0; round < 10000; round++)
            {
                bool moved = false;
                Connection engine = Core.Engine;
                while (engine != null && engine.HasOutput)
                {
                    engine.GetOutput(out byte[] buffer, out int offset, out int count);
                    peer.Accept(buffer, offset, count);
                    engine.OutputWritten(Now);
                    moved = true;
                }
                if (peer != null) Serve();
                while (peer != null && peer.HasOutbound)
                {
                    byte[] chunk = peer.TakeOutbound();
                    engine = Core.Engine;
                    if (engine == null || engine.IsEnded) continue;
                    int at = 0;
                    while (at < chunk.Length)
                    {
                        engine.GetReceiveSpace(out byte[] rb, out int ro, out int room);
                        int n = chunk.Length - at < room ? chunk.Length - at : room;
                        Array.Copy(chunk, at, rb, ro, n);
                        engine.Received(n, Now);
                        at += n;
                    }
                    Core.ProcessEvents(Now);
                    moved = true;
                }
                Core.Tick(Now);
                object notice;
                while ((notice = Core.TakeNotice()) != null) pendingNotices.Add(notice);
                if (!moved) return;
            }
            throw new AssertFailedException("the client and the peer did not go quiet");
        }

        private void Serve()
        {
            if (!headerSeen)
            {
                if (peer.Unread < 8) return;
                peer.ExpectHeader(ProtocolHeader.Amqp);
                headerSeen = true;
            }
            PeerFrame f;
            while ((f = peer.TryReadPerformative()) != null)
            {
                switch (f.Performative)
                {
                    case Open _: peer.SendHeaderAndOpen(65536, 0); break;
                    case Begin _: peer.SendBeginAnswer(f.Channel, 0); break;
                    case Attach a: OnAttach(a); break;
                    case Transfer t: OnTransfer(t, f.Payload); break;
                }
            }
        }

        private void OnAttach(Attach a)
        {
            var copy = new Attach();
            copy.Name = a.Name;
            copy.Handle = a.Handle;
            copy.Role = a.Role;
            copy.SndSettleMode = a.SndSettleMode;
            copy.RcvSettleMode = a.RcvSettleMode;
            copy.Source = a.Source;
            copy.Target = a.Target;
            copy.Properties = a.Properties;
            copy.MaxMessageSize = a.MaxMessageSize;
            var l = new PeerLink { Attach = copy, PeerHandle = nextPeerHandle++, Connection = connections };
            Links.Add(l);
            peer.AnswerAttach(copy, l.PeerHandle);
            if (copy.Role == Role.Sender) peer.SendLinkFlow(l.PeerHandle, 0, 20);
        }

        private PeerLink ByClientHandle(uint handle)
        {
            for (int i = Links.Count - 1; i >= 0; i--)
            {
                var l = (PeerLink)Links[i];
                if (l.Connection == connections && l.Attach.Handle == handle) return l;
            }
            return null;
        }

        private void OnTransfer(Transfer t, byte[] payload)
        {
            PeerLink l = ByClientHandle(t.Handle);
            Message m = MessageCodec.Decode(new ByteBuffer(payload, 0, payload.Length));
            if (!t.Settled && !HoldOutcomes) peer.SendDisposition(t.DeliveryId, t.DeliveryId, Accepted.Instance);
            if (l.Address == IotHubAddress.Cbs)
            {
                CbsRequests.Add(m);
                var reply = new Message();
                reply.Properties = new MessageProperties { CorrelationId = m.Properties.MessageId };
                reply.ApplicationProperties = new AmqpMap();
                reply.ApplicationProperties["status-code"] = 200;
                reply.ApplicationProperties["status-description"] = "OK";
                PeerLink cbsIn = Link(IotHubAddress.Cbs, false);
                var b = new ByteBuffer(256);
                MessageCodec.Encode(reply, b);
                peer.SendTransfer(cbsIn.PeerHandle, nextDeliveryId++, ScriptedAmqpPeer.Slice(b.Buffer, b.Offset, b.Length), false, true);
                return;
            }
            Received.Add(new PeerReceived { Link = l, Message = m });
        }

        /// <summary>Messages the client sent to <paramref name="address"/> (all connections).</summary>
        public ArrayList SentTo(string address)
        {
            var list = new ArrayList();
            for (int i = 0; i < Received.Count; i++)
                if (((PeerReceived)Received[i]).Link.Address == address) list.Add(((PeerReceived)Received[i]).Message);
            return list;
        }
    }
}
