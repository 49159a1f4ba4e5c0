// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
using System.Collections;
using IotHubAmqp.Device.Engine;
using IotHubAmqp.Device.Framing;
using nanoFramework.TestFramework;
using TestFrameworkShared;

namespace IotHubAmqp.Device.Tests
{
    /// <summary>One piece of engine output handed to the transport: one transport write.</summary>
    internal sealed class EngineWrite
    {
        /// <summary>The array the engine handed out (its own buffer, or the caller's body array).</summary>
        public byte[] Array;
        public int Offset;
        public int Count;

        /// <summary>A copy of the bytes, taken when written.</summary>
        public byte[] Bytes;

        /// <summary>Virtual time of the write.</summary>
        public long Time;
    }

    /// <summary>
    /// An engine and a <see cref="ScriptedAmqpPeer"/> on the test's own thread, with virtual time: no threads, no
    /// sockets, no clock. <see cref="Pump"/> moves every byte both ways until neither side has more; each piece of
    /// engine output is one recorded transport write. <see cref="Advance"/> moves time on, firing the engine's
    /// timers at the deadlines it names, as a driver would. Events are collected into a log the test asserts on.
    /// </summary>
    internal sealed class EngineHarness
    {
        private readonly ArrayList writes = new ArrayList();
        private readonly ArrayList eventSources = new ArrayList();
        private readonly ArrayList eventKinds = new ArrayList();

        public EngineHarness(ConnectionSettings settings = null)
        {
            Settings = settings ?? ScriptedAmqpPeer.NewSettings();
            Connection = new Connection(Settings);
            Peer = new ScriptedAmqpPeer();
        }

        public ConnectionSettings Settings { get; }

        public Connection Connection { get; }

        public ScriptedAmqpPeer Peer { get; }

        /// <summary>Virtual time in ms, passed to every engine call.</summary>
        public long Now;

        /// <summary>At most this many peer bytes per Received call (1 feeds the engine byte by byte).</summary>
        public int ReceiveChunk = int.MaxValue;

        /// <summary>Transport writes so far.</summary>
        public int WriteCount => writes.Count;

        public EngineWrite Write(int index) => (EngineWrite)writes[index];

        /// <summary>Queues the engine's opening bytes (header and open, or SASL header and init).</summary>
        public void Open() => Connection.Open(Now);

        /// <summary>Moves output to the peer and the peer's bytes into the engine until both are idle; returns the writes made.</summary>
        public int Pump()
        {
            int before = writes.Count;
            for (int round = 0; ; round++)
            {
                if (round > 10000) throw new AssertFailedException("the engine and the peer did not go quiet");
                bool moved = false;
                while (Connection.HasOutput)
                {
                    Connection.GetOutput(out byte[] buffer, out int offset, out int count);
                    if (count <= 0) throw new AssertFailedException("HasOutput with an empty output piece");
                    var w = new EngineWrite();
                    w.Array = buffer;
                    w.Offset = offset;
                    w.Count = count;
                    w.Bytes = ScriptedAmqpPeer.Slice(buffer, offset, count);
                    w.Time = Now;
                    writes.Add(w);
                    Peer.Accept(buffer, offset, count);
                    Connection.OutputWritten(Now);
                    moved = true;
                }
                while (Peer.HasOutbound)
                {
                    byte[] chunk = Peer.TakeOutbound();
                    if (Connection.IsEnded) continue; // the transport is gone: nothing reaches the engine
                    Feed(chunk);
                    moved = true;
                }
                if (!moved) return writes.Count - before;
            }
        }

        // Through the engine's own buffer, as a transport reading into it would.
        private void Feed(byte[] chunk)
        {
            int at = 0;
            while (at < chunk.Length && !Connection.IsEnded)
            {
                Connection.GetReceiveSpace(out byte[] buffer, out int offset, out int room);
                int n = chunk.Length - at;
                if (n > room) n = room;
                if (n > ReceiveChunk) n = ReceiveChunk;
                System.Array.Copy(chunk, at, buffer, offset, n);
                Connection.Received(n, Now);
                at += n;
            }
        }

        /// <summary>Moves time on by <paramref name="ms"/>, calling Tick at each deadline the engine names and pumping.</summary>
        public void Advance(long ms)
        {
            long target = Now + ms;
            Pump();
            for (int i = 0; ; i++)
            {
                if (i > 100000) throw new AssertFailedException("NextDeadline does not move on (stuck at " + Connection.NextDeadline + ", now " + Now + ")");
                long deadline = Connection.NextDeadline;
                if (deadline > target) break;
                if (deadline > Now) Now = deadline;
                Connection.Tick(Now);
                Pump();
            }
            Now = target;
        }

        /// <summary>The transport ended under the engine.</summary>
        public void DropTransport()
        {
            Peer.DiscardOutbound();
            Connection.TransportClosed(null, Now);
        }

        // ---- events ----

        /// <summary>Moves the engine's pending events into the log; returns how many entries there were.</summary>
        public int DrainEvents()
        {
            int n = 0;
            while (true)
            {
                EngineObject o = Connection.NextEvent(out int kinds);
                if (o == null) return n;
                eventSources.Add(o);
                eventKinds.Add(kinds);
                n++;
            }
        }

        /// <summary>The event bits logged for <paramref name="source"/> (all entries or'ed).</summary>
        public int Kinds(EngineObject source)
        {
            DrainEvents();
            int k = 0;
            for (int i = 0; i < eventSources.Count; i++) if (eventSources[i] == source) k |= (int)eventKinds[i];
            return k;
        }

        /// <summary>True when <paramref name="source"/> raised <paramref name="kind"/> since the log was cleared.</summary>
        public bool Saw(EngineObject source, int kind) => (Kinds(source) & kind) != 0;

        /// <summary>How many log entries name <paramref name="source"/>.</summary>
        public int Entries(EngineObject source)
        {
            DrainEvents();
            int n = 0;
            for (int i = 0; i < eventSources.Count; i++) if (eventSources[i] == source) n++;
            return n;
        }

        public int LoggedEvents
        {
            get
            {
                DrainEvents();
                return eventSources.Count;
            }
        }

        public void ClearEvents()
        {
            DrainEvents();
            eventSources.Clear();
            eventKinds.Clear();
        }

        // ---- whole steps ----

        /// <summary>A harness whose connection is open to the peer (no SASL).</summary>
        public static EngineHarness Connected(ConnectionSettings settings = null, uint peerMaxFrameSize = 65536, uint peerIdleTimeoutMs = 0)
        {
            var h = new EngineHarness(settings);
            h.Open();
            h.Pump();
            h.Peer.ExpectHeader(ProtocolHeader.Amqp);
            h.Peer.ExpectOpen();
            h.Peer.SendHeaderAndOpen(peerMaxFrameSize, peerIdleTimeoutMs);
            h.Pump();
            if (!h.Connection.IsOpen) throw new AssertFailedException("the connection did not open: " + h.Connection.State);
            return h;
        }

        /// <summary>Begins a session and answers it from <paramref name="peerChannel"/> with the peer's incoming window.</summary>
        public Session BeginSession(ushort peerChannel = 0, uint peerIncomingWindow = 1000, uint ourIncomingWindow = 0)
        {
            Session s = Connection.BeginSession(ourIncomingWindow);
            Pump();
            Peer.AnswerBegin(peerChannel, peerIncomingWindow);
            Pump();
            if (!s.IsMapped) throw new AssertFailedException("the session was not mapped: " + s.State);
            return s;
        }

        /// <summary>Attaches a sender, answers it on <paramref name="peerHandle"/> and grants <paramref name="credit"/>.</summary>
        public SenderLink AttachSender(Session s, uint credit, uint peerHandle = 0, ulong maxMessageSize = 0, byte settleMode = SenderSettleMode.Unsettled, string name = "sender")
        {
            SenderLink link = s.AttachSender(name, "target/address", settleMode, null);
            Pump();
            Peer.AnswerAttach(Peer.ExpectAttach(), peerHandle, maxMessageSize);
            if (credit > 0) Peer.SendLinkFlow(peerHandle, 0, credit);
            Pump();
            if (!link.IsAttached) throw new AssertFailedException("the sender did not attach: " + link.State);
            return link;
        }

        /// <summary>Attaches a receiver, reads its attach and flow, and answers it on <paramref name="peerHandle"/>.</summary>
        public ReceiverLink AttachReceiver(Session s, uint credit, int maxMessageSize = 65536, uint peerHandle = 0, byte rcvSettleMode = ReceiverSettleMode.First, uint initialDeliveryCount = 0, string name = "receiver")
        {
            ReceiverLink link = s.AttachReceiver(name, "source/address", credit, rcvSettleMode, maxMessageSize, null);
            Pump();
            Attach a = Peer.ExpectAttach();
            Peer.ExpectFlow();
            Peer.AnswerAttach(a, peerHandle, 0, false, initialDeliveryCount);
            Pump();
            if (!link.IsAttached) throw new AssertFailedException("the receiver did not attach: " + link.State);
            return link;
        }
    }
}
