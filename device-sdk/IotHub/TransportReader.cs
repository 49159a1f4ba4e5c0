// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
using System;
using System.Threading;
using IotHubAmqp.Device.Engine;
using IotHubAmqp.Device.Platform;

namespace IotHubAmqp.Device.IotHub
{
    /// <summary>
    /// Blocks in <see cref="ITransport.Receive"/> on its own thread so the driver never does. It reads into a ring of
    /// its own (<see cref="RingBytes"/>) and goes straight back to the socket while the driver copies what came into
    /// the engine (<see cref="Feed"/>): the reader sleeps only in Receive, and the driver alone touches the engine.
    /// One reader per transport: an old one's bytes are never fed.
    /// </summary>
    internal sealed class TransportReader
    {
        /// <summary>The ring: a window's worth of dispositions, or a part of a larger frame.</summary>
        public const int RingBytes = 512;

        private readonly ITransport transport;
        private readonly ClientDriver driver;
        private readonly AutoResetEvent driverWake;
        private readonly AutoResetEvent room = new AutoResetEvent(false);
        private readonly object sync = new object();

        // ring[head..head+held) (wrapping) waits for the driver; the reader fills the room after it.
        private readonly byte[] ring = new byte[RingBytes];
        private int head;
        private int held;
        private bool ended;
        private bool waitingForRoom;
        private Exception error;
        private bool stopped;

        /// <summary>A reader that sets <paramref name="driverWake"/> after every read.</summary>
        public TransportReader(ITransport transport, AutoResetEvent driverWake)
        {
            this.transport = transport;
            this.driverWake = driverWake;
            new Thread(Run).Start();
        }

        /// <summary>A reader that wakes <paramref name="driver"/> (only when it sleeps) after every read.</summary>
        public TransportReader(ITransport transport, ClientDriver driver)
        {
            this.transport = transport;
            this.driver = driver;
            new Thread(Run).Start();
        }

        /// <summary>True when bytes (or the end of the stream) wait for <see cref="Feed"/>.</summary>
        public bool HasResult
        {
            get
            {
                lock (sync) return held > 0 || ended;
            }
        }

        /// <summary>
        /// Copies the bytes read so far (up to the ring's end) into <paramref name="engine"/>'s read buffer and passes
        /// them in: returns how many, 0 when nothing came, -1 once the stream ended (or with no engine to feed), then
        /// <paramref name="failure"/> may say why.
        /// </summary>
        public int Feed(Connection engine, long now, out Exception failure)
        {
            int at, n;
            lock (sync)
            {
                failure = error;
                at = head;
                int run = ring.Length - head;
                n = held < run ? held : run;
                if (n == 0) return ended ? -1 : 0;
            }
            if (engine == null) return -1;
            int done = 0;
            while (done < n && !engine.IsEnded)
            {
                engine.GetReceiveSpace(out byte[] buf, out int off, out int space);
                int k = n - done < space ? n - done : space;
                Array.Copy(ring, at + done, buf, off, k);
                engine.Received(k, now);
                done += k;
            }
            bool wakeReader;
            lock (sync)
            {
                head += n;
                if (head == ring.Length) head = 0;
                held -= n;
                wakeReader = waitingForRoom;
                waitingForRoom = false;
            }
            if (wakeReader) room.Set();
            return n;
        }

        /// <summary>Lets the thread end (after its transport is closed, its blocked read returns).</summary>
        public void Stop()
        {
            lock (sync) stopped = true;
            room.Set();
        }

        private void Run()
        {
            while (true)
            {
                int at, free;
                lock (sync)
                {
                    if (stopped) return;
                    at = head + held;
                    if (at >= ring.Length) at -= ring.Length;
                    // The room after the held bytes, up to the ring's end or back to the head.
                    free = held == ring.Length ? 0 : at >= head ? ring.Length - at : head - at;
                    waitingForRoom = free == 0;
                }
                if (free == 0)
                {
                    room.WaitOne();
                    continue;
                }
                int got;
                Exception failure = null;
                try
                {
                    got = transport.Receive(ring, at, free);
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
                if (driver != null) driver.Wake();
                else driverWake.Set();
                if (got <= 0) return;
            }
        }
    }
}
