// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
// Knobs and settings are public fields a harness assigns; some are never assigned inside this assembly.
#pragma warning disable CS0649
using System;
using System.Collections;
using IotHubAmqp.Device.Buffers;
using IotHubAmqp.Device.Framing;
using IotHubAmqp.Device.Sasl;
using IotHubAmqp.Device.Types;

namespace IotHubAmqp.Device.Tests.Simulation
{
    /// <summary>
    /// A sans-I/O AMQP 1.0 server playing Azure IoT Hub for one device, under virtual time: the harness hands
    /// it the device's bytes (<see cref="Receive"/>), takes its bytes (<see cref="TakeOutput"/>), and calls
    /// <see cref="Tick"/> for its timers. No threads, locks or clock. Per-connection state is reset by
    /// <see cref="Accept"/>; telemetry, the C2D queue and the token stay across connections.
    /// This file: the byte pump, frame parsing, output and violations. Concerns live in the partial files.
    /// </summary>
    internal sealed partial class SimHub
    {
        // ---- connection-level state ----

        private const int PhaseIdle = 0, PhaseHeader = 1, PhaseSasl = 2, PhaseAmqpHeader = 3, PhaseOpen = 4, PhaseOpened = 5, PhaseClosed = 6;

        private int phase;
        private int generation;
        private long now;
        private byte[] input = new byte[1024];
        private int inStart, inEnd;
        private byte[] output = new byte[4096];
        private int outStart, outEnd;
        private readonly ByteBuffer scratch = new ByteBuffer(70000);
        private bool saslDone;
        private bool hubOpenSent, deviceOpened;
        private long hubOpenSentAt;
        private uint deviceMaxFrameSize = 512;
        private uint deviceIdleTimeoutMs;
        private bool hubCloseSent, deviceCloseSeen;
        private long hubCloseSentAt;
        private long lastDeviceBytesAt, lastHubBytesAt;
        private bool silenceFlagged;
        private bool connectionAuthorized;
        private long stalledUntil;
        private readonly ArrayList sessions = new ArrayList();
        private readonly ArrayList timers = new ArrayList();

        /// <summary>Violations of the device's obligations, each "t=ms: detail".</summary>
        public readonly ArrayList ViolationList = new ArrayList();

        /// <summary>What the hub did, bounded, for failure reports and determinism checks.</summary>
        public readonly ArrayList Trace = new ArrayList();

        public int Violations => ViolationList.Count;

        /// <summary>The hub dropped (or wants to drop) the transport; the harness cuts it.</summary>
        public bool WantsClose { get; private set; }

        public bool Connected => phase != PhaseIdle && phase != PhaseClosed;

        public bool HasOutput => outEnd > outStart && now >= stalledUntil;

        public long Now => now;

        // ---- the harness's calls ----

        /// <summary>A new transport connection from the device. A connection still open is dropped first.</summary>
        public void Accept(long now)
        {
            Advance(now);
            if (phase != PhaseIdle) DropConnection("replaced by a new connection");
            ForgetFeatureConnection("the device connected again");
            generation++;
            phase = PhaseHeader;
            inStart = inEnd = 0;
            outStart = outEnd = 0;
            saslDone = false;
            hubOpenSent = deviceOpened = false;
            deviceMaxFrameSize = 512;
            deviceIdleTimeoutMs = 0;
            hubCloseSent = deviceCloseSeen = false;
            lastDeviceBytesAt = lastHubBytesAt = now;
            silenceFlagged = false;
            connectionAuthorized = false;
            if (ClientCertificateVerified)
            {
                // Mutual TLS already proved the device: its links need no token, and nothing expires (wire-2 4).
                connectionAuthorized = true;
                TokenExpiresAt = long.MaxValue;
            }
            stalledUntil = 0;
            WantsClose = false;
            sessions.Clear();
            unsettledCbsReplies.Clear();
            ConnectionsAccepted++;
            Log("accept #" + ConnectionsAccepted);
        }

        /// <summary>Bytes from the device, split anywhere.</summary>
        public void Receive(byte[] buf, int off, int count, long now)
        {
            Advance(now);
            if (count <= 0) return;
            if (phase == PhaseIdle) return;
            CheckSilence();
            lastDeviceBytesAt = now;
            silenceFlagged = false;
            if (deviceCloseSeen)
            {
                Violation(count + " bytes after the device's close");
                return;
            }
            if (!ReadsInput) return;
            if (inEnd - inStart + count > MaxInput)
            {
                Violation("the device sent more than " + MaxInput + " bytes the hub could not read");
                return;
            }
            if (inEnd + count > input.Length)
            {
                int n = inEnd - inStart;
                int size = input.Length;
                while (size < n + count) size *= 2;
                byte[] grown = new byte[size];
                Array.Copy(input, inStart, grown, 0, n);
                input = grown;
                inStart = 0;
                inEnd = n;
            }
            Array.Copy(buf, off, input, inEnd, count);
            inEnd += count;
            Process();
        }

        /// <summary>Copies up to <paramref name="max"/> bytes for the device; nothing while stalled.</summary>
        public int TakeOutput(byte[] dst, int off, int max)
        {
            if (now < stalledUntil) return 0;
            int n = outEnd - outStart;
            if (n > max) n = max;
            if (n <= 0) return 0;
            Array.Copy(output, outStart, dst, off, n);
            outStart += n;
            if (outStart == outEnd) outStart = outEnd = 0;
            return n;
        }

        /// <summary>Runs the hub's timers up to <paramref name="now"/>: delayed replies, faults, idle timeout, token expiry.</summary>
        public void Tick(long now)
        {
            Advance(now);
            RunTimers();
            if (!Connected) return;
            if (now >= stalledUntil) Process();
            CheckSilence();
            CheckIdle();
            CheckToken();
            ServeC2d();
            ServeFeatures();
            if (hubCloseSent && !WantsClose && now - hubCloseSentAt >= CloseWaitMs)
            {
                Log("close wait over: dropping the transport");
                WantsClose = true;
            }
        }

        /// <summary>The transport was cut: in-flight C2D deliveries go back to the queue (redelivered later).</summary>
        public void Disconnect()
        {
            if (phase == PhaseIdle) return;
            DropConnection("transport cut");
        }

        /// <summary>The earliest virtual time the hub has something to do, or long.MaxValue.</summary>
        public long NextDueTime()
        {
            long t = long.MaxValue;
            for (int i = 0; i < timers.Count; i++)
            {
                long at = ((SimTimer)timers[i]).At;
                if (at < t) t = at;
            }
            if (Connected && hubOpenSent && IdleTimeoutMs > 0)
            {
                long at = lastDeviceBytesAt + IdleTimeoutMs / 2 + 1;
                if (at < t) t = at;
            }
            if (Connected && deviceIdleTimeoutMs > 0 && SendHeartbeats)
            {
                long at = lastHubBytesAt + deviceIdleTimeoutMs / 2;
                if (at < t) t = at;
            }
            if (stalledUntil > now && stalledUntil < t) t = stalledUntil;
            // A token that lapses (or was expired by a fault) closes the connection then, not at the next byte.
            if (connectionAuthorized && hubOpenSent && !hubCloseSent && phase != PhaseClosed && TokenExpiresAt > now && TokenExpiresAt < t) t = TokenExpiresAt;
            if (connectionAuthorized && hubOpenSent && !hubCloseSent && phase != PhaseClosed && TokenExpiresAt <= now) t = now;
            return t;
        }

        public string ViolationText()
        {
            string s = "";
            for (int i = 0; i < ViolationList.Count; i++) s += (string)ViolationList[i] + "\n";
            return s;
        }

        public string TraceText()
        {
            string s = "";
            for (int i = 0; i < Trace.Count; i++) s += (string)Trace[i] + "\n";
            return s;
        }

        // ---- internals ----

        private void Advance(long t)
        {
            if (t < now) throw new ArgumentException("virtual time went back from " + now + " to " + t);
            now = t;
        }

        private void Violation(string detail)
        {
            string v = "t=" + now + ": " + detail;
            if (ViolationList.Count < MaxTrace) ViolationList.Add(v);
            Log("VIOLATION " + detail);
        }

        private void Log(string line)
        {
            if (Trace.Count < MaxTrace) Trace.Add("t=" + now + " c" + generation + " " + line);
        }

        // After the hub's close it still reads, to see the device's close (2.4.3); after the device's close, nothing.
        private bool ReadsInput => phase != PhaseIdle && !deviceCloseSeen && (phase != PhaseClosed || hubCloseSent);

        // Reads whole frames (or the protocol header) from the input; stops at a partial one.
        private void Process()
        {
            while (ReadsInput && now >= stalledUntil)
            {
                int n = inEnd - inStart;
                if (phase == PhaseHeader || phase == PhaseAmqpHeader)
                {
                    if (n < ProtocolHeader.Size) break;
                    OnProtocolHeader(input, inStart);
                    inStart += ProtocolHeader.Size;
                    continue;
                }
                if (n < Frame.HeaderSize) break;
                uint size = BigEndian.Get32(input, inStart);
                // 2.7.1: until the hub's open is sent, and during SASL (5.3.1), frames are limited to 512 bytes.
                uint limit = hubOpenSent ? MaxFrameSize : Frame.MinMaxFrameSize;
                if (size > limit)
                {
                    Violation("frame of " + size + " bytes exceeds the hub's max-frame-size " + limit);
                    Fail(ErrorCode.FramingError, "frame larger than max-frame-size");
                    break;
                }
                int doff = input[inStart + 4] * 4;
                if (size < Frame.HeaderSize || doff < Frame.HeaderSize || doff > size)
                {
                    Violation("malformed frame header (size " + size + ", doff " + doff + ")");
                    Fail(ErrorCode.FramingError, "malformed frame header");
                    break;
                }
                if (n < size) break;
                int at = inStart;
                inStart += (int)size;
                OnFrame(input[at + 5], (ushort)((input[at + 6] << 8) | input[at + 7]), at + doff, (int)size - doff);
            }
            if (deviceCloseSeen && inEnd > inStart)
            {
                Violation((inEnd - inStart) + " bytes after the device's close");
                inStart = inEnd;
            }
            if (inStart == inEnd) inStart = inEnd = 0;
        }

        private void OnFrame(byte type, ushort channel, int bodyAt, int bodyLength)
        {
            if (deviceCloseSeen)
            {
                Violation("frame after the device's close");
                return;
            }
            var body = new ByteBuffer(input, bodyAt, bodyLength);
            try
            {
                if (phase == PhaseSasl)
                {
                    if (type != Frame.TypeSasl) throw new AmqpException(ErrorCode.FramingError, "AMQP frame during SASL");
                    OnSaslFrame(body);
                    return;
                }
                if (type != Frame.TypeAmqp) throw new AmqpException(ErrorCode.FramingError, "frame type " + type + " after SASL");
                if (bodyLength == 0)
                {
                    HeartbeatsSeen++;
                    return; // 2.4.5: an empty frame only resets the idle timer
                }
                ulong code = Decoder.ReadDescriptor(body);
                OnPerformative(channel, code, body);
            }
            catch (AmqpException e)
            {
                Violation("malformed frame from the device: " + e.Condition + " " + e.Description);
                Fail(e.Condition == ErrorCode.FramingError ? ErrorCode.FramingError : ErrorCode.DecodeError, e.Description);
            }
        }

        // ---- output ----

        private void WriteRaw(byte[] a, int off, int count)
        {
            if (outEnd + count > output.Length)
            {
                int n = outEnd - outStart;
                int size = output.Length;
                while (size < n + count) size *= 2;
                byte[] grown = new byte[size];
                Array.Copy(output, outStart, grown, 0, n);
                output = grown;
                outStart = 0;
                outEnd = n;
            }
            Array.Copy(a, off, output, outEnd, count);
            outEnd += count;
            lastHubBytesAt = now;
        }

        private void WriteHeader(byte protocolId)
        {
            scratch.Reset();
            ProtocolHeader.Write(scratch, protocolId);
            WriteRaw(scratch.Buffer, 0, scratch.Length);
        }

        private void SendSasl(object body)
        {
            scratch.Reset();
            int start = Frame.Begin(scratch, Frame.TypeSasl, 0);
            if (body is SaslMechanisms m) m.Encode(scratch);
            else ((SaslOutcome)body).Encode(scratch);
            Frame.End(scratch, start);
            WriteRaw(scratch.Buffer, 0, scratch.Length);
        }

        /// <summary>Writes one AMQP frame; <paramref name="payload"/> follows the performative (a transfer's message bytes).</summary>
        private void Send(ushort channel, object performative, byte[] payload, int off, int count)
        {
            if (hubCloseSent) return; // 2.7.9: nothing after close
            scratch.Reset();
            int start = Frame.Begin(scratch, Frame.TypeAmqp, channel);
            EncodePerformative(scratch, performative);
            if (count > 0) scratch.WriteBytes(payload, off, count);
            Frame.End(scratch, start);
            WriteRaw(scratch.Buffer, 0, scratch.Length);
        }

        private void Send(ushort channel, object performative) => Send(channel, performative, null, 0, 0);

        private void SendEmptyFrame()
        {
            scratch.Reset();
            Frame.WriteEmpty(scratch);
            WriteRaw(scratch.Buffer, 0, scratch.Length);
        }

        private static void EncodePerformative(ByteBuffer b, object p)
        {
            if (p is Open o) o.Encode(b);
            else if (p is Begin bg) bg.Encode(b);
            else if (p is Attach a) a.Encode(b);
            else if (p is Flow f) f.Encode(b);
            else if (p is Transfer t) t.Encode(b);
            else if (p is Disposition d) d.Encode(b);
            else if (p is Detach dt) dt.Encode(b);
            else if (p is End e) e.Encode(b);
            else if (p is Close c) c.Encode(b);
            else throw new ArgumentException("not a performative");
        }

        /// <summary>The largest frame the hub may send: the device's max-frame-size, bounded by the hub's own.</summary>
        private int OutgoingFrameLimit()
        {
            uint limit = deviceMaxFrameSize < MaxFrameSize ? deviceMaxFrameSize : MaxFrameSize;
            if (limit > 65536) limit = 65536;
            return (int)limit;
        }
    }
}
