// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
using System;
using System.Runtime.CompilerServices;
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

        // The reader is its own lock (Synchronized methods): ring[head..head+held) (wrapping) waits for the driver;
        // the reader fills the room after it.
        private readonly byte[] ring = new byte[RingBytes];
        private int head;
        private int held;
        private bool ended;
        private bool waitingForRoom;
        private Exception error;
        private bool stopped;

        /// <summary>A reader that sets <paramref name="driverWake"/> after every read.</summary>
        public TransportReader(ITransport transport, AutoResetEvent driverWake)
            : this(transport, null, driverWake)
        {
        }

        /// <summary>A reader that wakes <paramref name="driver"/> (only when it sleeps) after every read.</summary>
        public TransportReader(ITransport transport, ClientDriver driver)
            : this(transport, driver, null)
        {
        }

        private TransportReader(ITransport transport, ClientDriver driver, AutoResetEvent driverWake)
        {
            this.transport = transport;
            this.driver = driver;
            this.driverWake = driverWake;
            new Thread(Run).Start();
        }

        /// <summary>True when bytes (or the end of the stream) wait for <see cref="Feed"/>.</summary>
        public bool HasResult
        {
            [MethodImpl(MethodImplOptions.Synchronized)]
            get => held > 0 || ended;
        }

        /// <summary>
        /// Copies the bytes read so far (up to the ring's end) into <paramref name="engine"/>'s read buffer and passes
        /// them in: returns how many, 0 when nothing came, -1 once the stream ended (or with no engine to feed), then
        /// <paramref name="failure"/> may say why.
        /// </summary>
        public int Feed(Connection engine, long now, out Exception failure)
        {
            int n = Held(out int at, out failure);
            if (n <= 0) return n;
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
            Consumed(n);
            return n;
        }

        // The held bytes up to the ring's end, from at; -1 when none are held and the stream ended.
        [MethodImpl(MethodImplOptions.Synchronized)]
        private int Held(out int at, out Exception failure)
        {
            failure = error;
            at = head;
            int run = RingBytes - head;
            int n = held < run ? held : run;
            return n == 0 && ended ? -1 : n;
        }

        // The driver fed n bytes: their room is the reader's again.
        [MethodImpl(MethodImplOptions.Synchronized)]
        private void Consumed(int n)
        {
            head += n;
            if (head == RingBytes) head = 0;
            held -= n;
            if (waitingForRoom) room.Set();
            waitingForRoom = false;
        }

        /// <summary>Lets the thread end (after its transport is closed, its blocked read returns).</summary>
        [MethodImpl(MethodImplOptions.Synchronized)]
        public void Stop()
        {
            stopped = true;
            room.Set();
        }

        // The room after the held bytes (from at), up to the ring's end or back to the head; -1 once stopped.
        [MethodImpl(MethodImplOptions.Synchronized)]
        private int Room(out int at)
        {
            at = head + held;
            if (at >= RingBytes) at -= RingBytes;
            if (stopped) return -1;
            int free = held == RingBytes ? 0 : at >= head ? RingBytes - at : head - at;
            waitingForRoom = free == 0;
            return free;
        }

        // A read's result: bytes, or the end of the stream (with what failed).
        [MethodImpl(MethodImplOptions.Synchronized)]
        private void Got(int got, Exception failure)
        {
            if (got > 0)
            {
                held += got;
                return;
            }
            ended = true;
            error = failure;
        }

        private void Run()
        {
            while (true)
            {
                int free = Room(out int at);
                if (free < 0) return;
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
                Got(got, failure);
                if (driver != null) driver.Wake();
                else driverWake.Set();
                if (got <= 0) return;
            }
        }
    }
}
