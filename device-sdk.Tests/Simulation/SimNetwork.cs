// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
using System;
using System.Collections;

namespace IotHubAmqp.Device.Tests.Simulation
{
    /// <summary>
    /// One direction of a simulated transport under virtual time: bytes written at t arrive at
    /// t + latency (+ jitter, never reordering: TCP is in order), at most <see cref="MaxReadBytes"/> per read,
    /// nothing during a stall, and nothing past a cut. All randomness comes from the seeded source.
    /// </summary>
    internal sealed class SimLink
    {
        private sealed class Chunk
        {
            public byte[] Data;
            public int Pos;
            public long Due;
        }

        private readonly ArrayList chunks = new ArrayList();
        private readonly SimRandom random;
        private long lastDue;

        public SimLink(SimRandom random)
        {
            this.random = random;
        }

        public int LatencyMs;
        public int JitterMs;

        /// <summary>At most this many bytes per read (0 = no limit); with <see cref="RandomReadSizes"/>, a random size up to it.</summary>
        public int MaxReadBytes;
        public bool RandomReadSizes;

        /// <summary>Total bytes after which this direction is cut (-1 = never); both ends then see the connection end.</summary>
        public long CutAtOffset = -1;

        public long BytesWritten { get; private set; }
        public long BytesDelivered { get; private set; }
        public bool Closed { get; private set; }
        public long StalledUntil { get; private set; }

        /// <summary>Set when this direction reached its cut offset.</summary>
        public bool CutReached { get; private set; }

        public void StallUntil(long t)
        {
            if (t > StalledUntil) StalledUntil = t;
        }

        /// <summary>Ends the direction: queued bytes still arrive, new ones are dropped.</summary>
        public void Close() => Closed = true;

        /// <summary>Queues bytes; returns how many were taken (fewer at a cut, 0 once closed).</summary>
        public int Write(byte[] buf, int off, int count, long now)
        {
            if (Closed || count <= 0) return 0;
            int n = count;
            if (CutAtOffset >= 0 && BytesWritten + n >= CutAtOffset)
            {
                n = (int)(CutAtOffset - BytesWritten);
                CutReached = true;
                Closed = true;
            }
            if (n > 0)
            {
                var c = new Chunk();
                c.Data = new byte[n];
                Array.Copy(buf, off, c.Data, 0, n);
                long due = now + LatencyMs + (JitterMs > 0 ? random.Next(JitterMs + 1) : 0);
                if (due < lastDue) due = lastDue;
                lastDue = due;
                c.Due = due;
                chunks.Add(c);
                BytesWritten += n;
            }
            return n;
        }

        /// <summary>Bytes due by <paramref name="now"/>; 0 when none yet, -1 once closed and drained.</summary>
        public int Read(byte[] dst, int off, int max, long now)
        {
            if (now < StalledUntil) return 0;
            int limit = max;
            if (MaxReadBytes > 0 && limit > MaxReadBytes) limit = RandomReadSizes ? 1 + random.Next(MaxReadBytes) : MaxReadBytes;
            if (limit > max) limit = max;
            int got = 0;
            while (got < limit && chunks.Count > 0)
            {
                var c = (Chunk)chunks[0];
                if (c.Due > now) break;
                int n = c.Data.Length - c.Pos;
                if (n > limit - got) n = limit - got;
                Array.Copy(c.Data, c.Pos, dst, off + got, n);
                c.Pos += n;
                got += n;
                if (c.Pos == c.Data.Length) chunks.RemoveAt(0);
            }
            BytesDelivered += got;
            if (got == 0 && Closed && chunks.Count == 0) return -1;
            return got;
        }

        public bool HasPending => chunks.Count > 0;

        /// <summary>When the next queued byte is due (the stall included), or long.MaxValue.</summary>
        public long NextDueTime()
        {
            if (chunks.Count == 0) return long.MaxValue;
            long due = ((Chunk)chunks[0]).Due;
            return due > StalledUntil ? due : StalledUntil;
        }
    }

    /// <summary>
    /// A simulated transport between the device and the hub: one <see cref="SimLink"/> per direction. A cut in
    /// either direction closes both; <see cref="Pump"/> moves bytes between the network and a <see cref="SimHub"/>.
    /// </summary>
    internal sealed class SimNetwork
    {
        private readonly byte[] buffer = new byte[8192];

        public SimNetwork(SimRandom random)
        {
            ToHub = new SimLink(random.Fork());
            ToDevice = new SimLink(random.Fork());
        }

        public SimLink ToHub { get; }
        public SimLink ToDevice { get; }

        /// <summary>The connection ended (cut, or closed by either end); both ends see it once drained.</summary>
        public bool IsClosed => ToHub.Closed || ToDevice.Closed;

        public void SetLatency(int latencyMs, int jitterMs)
        {
            ToHub.LatencyMs = ToDevice.LatencyMs = latencyMs;
            ToHub.JitterMs = ToDevice.JitterMs = jitterMs;
        }

        /// <summary>Cuts the connection now: queued bytes still arrive, nothing new passes.</summary>
        public void Cut()
        {
            ToHub.Close();
            ToDevice.Close();
        }

        public void StallUntil(long t)
        {
            ToHub.StallUntil(t);
            ToDevice.StallUntil(t);
        }

        public int DeviceWrite(byte[] buf, int off, int count, long now)
        {
            int n = ToHub.Write(buf, off, count, now);
            if (ToHub.CutReached) ToDevice.Close();
            return n;
        }

        /// <summary>Bytes for the device: 0 = none yet, -1 = the connection ended.</summary>
        public int DeviceRead(byte[] dst, int off, int max, long now) => ToDevice.Read(dst, off, max, now);

        /// <summary>
        /// Moves due bytes into <paramref name="hub"/>, runs its timers, and moves its output onto the network.
        /// Tells the hub when the transport ends, and ends the transport when the hub wants.
        /// </summary>
        public void Pump(SimHub hub, long now)
        {
            for (int guard = 0; guard < 100000; guard++)
            {
                int n = ToHub.Read(buffer, 0, buffer.Length, now);
                if (n < 0)
                {
                    hub.Disconnect();
                    ToDevice.Close();
                    return;
                }
                if (n == 0) break;
                hub.Receive(buffer, 0, n, now);
            }
            hub.Tick(now);
            while (hub.HasOutput && !ToDevice.Closed)
            {
                int n = hub.TakeOutput(buffer, 0, buffer.Length);
                if (n <= 0) break;
                ToDevice.Write(buffer, 0, n, now);
                if (ToDevice.CutReached) ToHub.Close();
            }
            if (hub.WantsClose && !IsClosed) Cut();
        }

        public long NextDueTime()
        {
            long a = ToHub.NextDueTime();
            long b = ToDevice.NextDueTime();
            return a < b ? a : b;
        }
    }
}
