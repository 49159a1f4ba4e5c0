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
using TestFrameworkShared;

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
    internal sealed partial class ScriptedAmqpPeer
    {
        /// <summary>Container id the peer announces.</summary>
        public const string ContainerId = "scripted-peer";

        private readonly ArrayList outbound = new ArrayList();
        private byte[] inbound = new byte[1024];
        private int inStart;
        private int inEnd;

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
                default: throw new AssertFailedException("the client sent unknown performative 0x" + code.ToString("X"));
            }
        }
    }
}
