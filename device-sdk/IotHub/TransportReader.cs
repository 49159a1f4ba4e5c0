// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
using System;
using System.Threading;
using IotHubAmqp.Device.Platform;

namespace IotHubAmqp.Device.IotHub
{
    /// <summary>
    /// Blocks in <see cref="ITransport.Receive"/> on its own thread so the driver never does; the driver alone feeds
    /// the engine. Two ways to hand bytes over:
    /// lent (<see cref="Lend"/>, <see cref="TryTake"/>): the driver lends a free region of the engine's read buffer,
    /// the reader fills it and hands back the count; nothing is copied, but the reader waits for the next lend
    /// after every read.
    /// buffered (the client driver's): the reader reads into a ring of its own (<see cref="RingBytes"/>) and goes
    /// straight back to the socket while the driver copies what came into the engine (<see cref="TryTakeBuffered"/>,
    /// <see cref="Release"/>): the reader sleeps only in Receive, one thread wake less per read.
    /// One reader per transport: results of an old one are ignored.
    /// </summary>
    internal sealed class TransportReader
    {
        /// <summary>The buffered reader's ring: several reads of dispositions, a part of a larger frame.</summary>
        public const int RingBytes = 1024;

        private readonly ITransport transport;
        private readonly ClientDriver driver;
        private readonly AutoResetEvent driverWake;
        private readonly AutoResetEvent lent = new AutoResetEvent(false);
        private readonly object sync = new object();
        private byte[] buffer;
        private int offset;
        private int count;
        private int result = -1;
        private Exception error;
        private bool stopped;

        // Buffered: ring[head..head+held) (wrapping) waits for the driver; the reader fills the room after it.
        private readonly byte[] ring;
        private int head;
        private int held;
        private bool ended;
        private bool waitingForRoom;

        /// <summary>A lent reader that sets <paramref name="driverWake"/> after every read.</summary>
        public TransportReader(ITransport transport, AutoResetEvent driverWake)
        {
            this.transport = transport;
            this.driverWake = driverWake;
            new Thread(Run).Start();
        }

        /// <summary>A buffered reader that wakes <paramref name="driver"/> (only when it sleeps) after every read.</summary>
        public TransportReader(ITransport transport, ClientDriver driver)
        {
            this.transport = transport;
            this.driver = driver;
            ring = new byte[RingBytes];
            new Thread(RunBuffered).Start();
        }

        public ITransport Transport => transport;

        /// <summary>Lends a region to fill; only when no lend is outstanding.</summary>
        public void Lend(byte[] buf, int off, int n)
        {
            lock (sync)
            {
                buffer = buf;
                offset = off;
                count = n;
                result = -1;
            }
            lent.Set();
        }

        /// <summary>
        /// The result of the last lend: true with <paramref name="n"/> bytes (0 when the peer closed the stream, then
        /// <paramref name="failure"/> may say why), false while the read is still going.
        /// </summary>
        public bool TryTake(out int n, out Exception failure)
        {
            lock (sync)
            {
                n = result;
                failure = error;
                if (result < 0) return false;
                result = -1;
                buffer = null;
                return true;
            }
        }

        /// <summary>
        /// Buffered: the next contiguous bytes read, true with <paramref name="n"/> of them from
        /// <paramref name="buf"/>[<paramref name="off"/>] (give them back with <see cref="Release"/>), or with 0 once
        /// the stream ended (<paramref name="failure"/> may say why); false while nothing came.
        /// </summary>
        public bool TryTakeBuffered(out byte[] buf, out int off, out int n, out Exception failure)
        {
            lock (sync)
            {
                buf = ring;
                off = head;
                failure = error;
                int run = ring.Length - head;
                n = held < run ? held : run;
                return n > 0 || ended;
            }
        }

        /// <summary>Buffered: the driver is done with <paramref name="n"/> bytes from <see cref="TryTakeBuffered"/>.</summary>
        public void Release(int n)
        {
            bool room;
            lock (sync)
            {
                head += n;
                if (head == ring.Length) head = 0;
                held -= n;
                room = waitingForRoom;
                waitingForRoom = false;
            }
            if (room) lent.Set();
        }

        /// <summary>True when bytes (or the end of the stream) wait for the driver.</summary>
        public bool HasResult
        {
            get
            {
                lock (sync) return ring != null ? held > 0 || ended : result >= 0;
            }
        }

        /// <summary>Lets the thread end (after its transport is closed, its blocked read returns).</summary>
        public void Stop()
        {
            lock (sync) stopped = true;
            lent.Set();
        }

        private void Run()
        {
            while (true)
            {
                lent.WaitOne();
                byte[] buf;
                int off, n;
                lock (sync)
                {
                    if (stopped) return;
                    buf = buffer;
                    off = offset;
                    n = count;
                }
                if (buf == null) continue;
                int got;
                Exception failure = null;
                try
                {
                    got = transport.Receive(buf, off, n);
                }
                catch (Exception e)
                {
                    got = 0;
                    failure = e;
                }
                lock (sync)
                {
                    result = got < 0 ? 0 : got;
                    error = failure;
                }
                driverWake.Set();
                if (got <= 0) return;
            }
        }

        private void RunBuffered()
        {
            while (true)
            {
                int at, room;
                lock (sync)
                {
                    if (stopped) return;
                    at = head + held;
                    if (at >= ring.Length) at -= ring.Length;
                    // The room after the held bytes, up to the ring's end or back to the head.
                    room = held == ring.Length ? 0 : at >= head ? ring.Length - at : head - at;
                    waitingForRoom = room == 0;
                }
                if (room == 0)
                {
                    lent.WaitOne();
                    continue;
                }
                int got;
                Exception failure = null;
                try
                {
                    got = transport.Receive(ring, at, room);
                }
                catch (Exception e)
                {
                    got = 0;
                    failure = e;
                }
                lock (sync)
                {
                    if (got > 0)
                    {
                        held += got;
                    }
                    else
                    {
                        ended = true;
                        error = failure;
                    }
                }
                driver.Wake();
                if (got <= 0) return;
            }
        }
    }
}
