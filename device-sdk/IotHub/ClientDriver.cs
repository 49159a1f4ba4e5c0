// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
using System;
using System.Runtime.CompilerServices;
using System.Threading;
using IotHubAmqp.Device.Engine;
using IotHubAmqp.Device.Platform;

namespace IotHubAmqp.Device.IotHub
{
    /// <summary>
    /// A transport that can hold the bytes of several <see cref="ITransport.Send"/> calls and write them at once:
    /// one syscall and one TLS record for the frames of many queued sends. Only the driver calls <see cref="Hold"/>,
    /// so for every other user Send writes at once.
    /// </summary>
    internal interface ITransportBatch
    {
        /// <summary>From now on Send may keep the bytes (it writes when it holds a record's worth).</summary>
        void Hold();

        /// <summary>Writes what is held and stops holding; throws as Send does.</summary>
        void Flush();
    }

    /// <summary>
    /// The one thread that owns a client's connection: it takes application requests from a bounded queue, feeds
    /// received bytes to the engine, fires timers, writes output and performs transport actions; nothing else touches
    /// the engine or the client's state machine. User handlers run on the <see cref="NoticeDispatcher"/>, never here.
    /// A write stuck past <see cref="WriteTimeoutMs"/> is ended by closing the transport from a timer. One pass
    /// writes all the engine has (the frames of every queued send) and, when the transport can hold them
    /// (<see cref="ITransportBatch"/>), in one write.
    /// </summary>
    internal sealed class ClientDriver
    {
        /// <summary>Application calls waiting for the driver at once.</summary>
        public const int MaxQueuedRequests = 48;

        /// <summary>A write that takes longer means the peer stopped reading: the transport is closed under it.</summary>
        public const int WriteTimeoutMs = 15000;

        /// <summary>The longest the driver sleeps with nothing due (it wakes on every request and read anyway).</summary>
        private const int MaxSleepMs = 5000;

        /// <summary>
        /// Passes the driver runs, each after one yield, when a busy pass left nothing to do, before it sleeps: the next
        /// sends of a window and the peer's next dispositions usually come within that time, and catching them awake
        /// costs far less than sleeping and being woken for each (window-16 throughput, docs/performance.md).
        /// </summary>
        internal const int LingerPasses = 16;

        private readonly ClientCore core;
        private readonly ITransportFactory factory;
        private readonly IPlatform platform;
        private readonly NoticeDispatcher notices;
        private readonly AutoResetEvent wake = new AutoResetEvent(false);
        // The driver itself is the lock of its queue, its sleeping flag, the transport and the write watchdog
        // (Synchronized methods: no lock objects, no try/finally per lock); never held across I/O.
        private readonly ClientRequest[] queue = new ClientRequest[MaxQueuedRequests];
        private readonly Timer watchdog;
        private int queueHead;
        private int queueCount;
        private ITransport transport;
        private TransportReader reader;
        private ITransport writing;
        private long writeStarted;
        private bool watchdogArmed;
        private bool sleeping;
        private Thread thread;

        /// <summary>Passes the driver has run (an idle driver sleeps: this stays still).</summary>
        internal int Passes;

        public ClientDriver(ClientCore core, ITransportFactory factory, IPlatform platform, NoticeDispatcher notices)
        {
            this.core = core;
            this.factory = factory;
            this.platform = platform;
            this.notices = notices;
            watchdog = new Timer(OnWriteStuck, null, Timeout.Infinite, Timeout.Infinite);
        }

        public bool IsRunning => thread != null;

        private long Now => platform.TickMilliseconds;

        public void Start()
        {
            if (thread != null) return;
            thread = new Thread(Run);
            thread.Start();
        }

        /// <summary>Hands a request to the driver; throws when too many calls wait already.</summary>
        [MethodImpl(MethodImplOptions.Synchronized)]
        public void Submit(ClientRequest r)
        {
            if (queueCount == MaxQueuedRequests)
                throw new InvalidOperationException(MaxQueuedRequests + " calls are already waiting for the connection");
            queue[(queueHead + queueCount++) % MaxQueuedRequests] = r;
            Wake();
        }

        /// <summary>Wakes the driver when it sleeps (or is about to); a busy driver looks at its queue and reader anyway.</summary>
        [MethodImpl(MethodImplOptions.Synchronized)]
        internal void Wake()
        {
            if (sleeping) wake.Set();
            sleeping = false;
        }

        /// <summary>Closes the transport from outside the driver (a close that could not finish in time).</summary>
        public void ForceClose()
        {
            ITransport t = Transport;
            if (t != null) SafeClose(t);
            wake.Set();
        }

        // The transport as other threads see it (only the driver sets it, and reads its own field without the lock).
        private ITransport Transport
        {
            [MethodImpl(MethodImplOptions.Synchronized)]
            get => transport;
            [MethodImpl(MethodImplOptions.Synchronized)]
            set => transport = value;
        }

        // Sleeps up to ms unless a request or a read came in since the pass began (then another pass runs at once).
        private void Sleep(int ms)
        {
            if (!SetSleeping(true)) return;
            if (reader == null || !reader.HasResult) wake.WaitOne(ms, false);
            SetSleeping(false);
        }

        // False (still awake) when a request waits.
        [MethodImpl(MethodImplOptions.Synchronized)]
        private bool SetSleeping(bool on)
        {
            if (on && queueCount > 0) return false;
            sleeping = on;
            return true;
        }

        [MethodImpl(MethodImplOptions.Synchronized)]
        private ClientRequest Dequeue()
        {
            if (queueCount == 0) return null;
            ClientRequest r = queue[queueHead];
            queue[queueHead] = null;
            queueHead = (queueHead + 1) % MaxQueuedRequests;
            queueCount--;
            return r;
        }

        private void Run()
        {
            ClientCore core = this.core;
            int linger = 0;
            try
            {
                while (true)
                {
                    Passes++;
                    long now = Now;
                    bool acted, busy = false;
                    try
                    {
                        ClientRequest r;
                        while ((r = Dequeue()) != null)
                        {
                            try
                            {
                                core.Submit(r, now);
                            }
                            catch (Exception e)
                            {
                                r.Error = e;
                                r.Complete();
                            }
                            busy = true;
                        }
                        if (ReadInput(now)) busy = true;
                        core.Tick(now);
                        acted = DoTransportActions(now);
                        // Outcomes go to the handlers before the write: the application can queue its next sends
                        // while the socket write runs, and they leave together in the next pass.
                        PostNotices();
                        WriteOutput();
                    }
                    catch (Exception e)
                    {
                        // A bug must not kill the device's connection for good: start over on a new one.
                        core.InternalError(e, Now);
                        acted = true;
                    }
                    PostNotices();
                    if (core.Finished) break;
                    if (busy) linger = LingerPasses;
                    if (acted) continue;
                    if (linger > 0)
                    {
                        // Bounded: an idle client sleeps after LingerPasses yields.
                        linger--;
                        Thread.Sleep(0);
                        continue;
                    }
                    // Nothing due (NextDeadline long.MaxValue; the tick is never negative) sleeps MaxSleepMs.
                    long wait = core.NextDeadline - Now;
                    if (wait > 0) Sleep(wait > MaxSleepMs ? MaxSleepMs : (int)wait);
                }
            }
            finally
            {
                watchdog.Dispose();
                notices.Stop();
            }
        }

        private void PostNotices()
        {
            object n;
            while ((n = core.TakeNotice()) != null) notices.Post(n);
        }

        /// <summary>Bytes fed to the engine per pass at most: then the pass writes, and the rest waits one pass.</summary>
        private const int MaxReadPerPass = 2 * TransportReader.RingBytes;

        private bool ReadInput(long now)
        {
            ClientCore core = this.core;
            int fed = 0;
            while (reader != null && fed < MaxReadPerPass)
            {
                int n = reader.Feed(core.Engine, now, out Exception failure);
                if (n == 0) return fed > 0;
                if (n > 0)
                {
                    fed += n;
                    core.ProcessEvents(now);
                    continue;
                }
                reader = null;
                core.TransportEnded(new AmqpException(ErrorCode.ConnectionLost, failure == null ? "the peer closed the connection" : ClientCore.Named(failure)), now);
            }
            return fed > 0;
        }

        private bool DoTransportActions(long now)
        {
            ClientCore core = this.core;
            bool acted = false;
            if (core.WantsTransportClosed)
            {
                WriteOutput();
                ITransport t = transport;
                Transport = null;
                if (reader != null) reader.Stop();
                reader = null;
                if (t != null) SafeClose(t);
                core.TransportClosed(Now);
                acted = true;
            }
            if (core.WantsTransport)
            {
                core.TransportConnecting();
                long left = core.ConnectDeadline - now;
                try
                {
                    ITransport t = factory.Connect(core.ConnectHost, core.ConnectPort, true, left <= 0 ? 1 : (int)left);
                    Transport = t;
                    reader = new TransportReader(t, this);
                    core.TransportConnected(Now);
                }
                catch (Exception e)
                {
                    core.TransportFailed(e, Now);
                }
                acted = true;
            }
            return acted;
        }

        private void WriteOutput()
        {
            ClientCore core = this.core;
            Connection engine = core.Engine;
            ITransport t = transport; // only this thread sets it
            if (engine == null || t == null) return;
            ITransportBatch batch = t as ITransportBatch;
            try
            {
                if (!engine.HasOutput) return;
                if (batch != null) batch.Hold();
                // HasOutput pumps the next transfers: everything queued goes in this pass.
                while (engine.HasOutput)
                {
                    engine.GetOutput(out byte[] buf, out int off, out int count);
                    BeginWrite(t);
                    t.Send(buf, off, count);
                    engine.OutputWritten(Now);
                }
                if (batch != null)
                {
                    BeginWrite(t);
                    batch.Flush();
                }
                EndWrite();
            }
            catch (Exception e)
            {
                EndWrite();
                engine.DiscardOutput();
                if (!engine.IsEnded || core.WantsTransportClosed == false)
                    core.TransportEnded(ClientCore.Lost(e), Now);
            }
        }

        // Each write gets WriteTimeoutMs. The watchdog is armed once and re-armed from its callback while writes go
        // on, instead of two timer-queue updates around every write.
        [MethodImpl(MethodImplOptions.Synchronized)]
        private void BeginWrite(ITransport t)
        {
            writing = t;
            writeStarted = Now;
            if (watchdogArmed) return;
            watchdogArmed = true;
            watchdog.Change(WriteTimeoutMs, Timeout.Infinite);
        }

        [MethodImpl(MethodImplOptions.Synchronized)]
        private void EndWrite() => writing = null;

        private void OnWriteStuck(object state)
        {
            ITransport t = StuckWrite();
            if (t != null) SafeClose(t);
        }

        // The transport of a write past its deadline, or null (no write, or a later one: re-armed for its own deadline).
        [MethodImpl(MethodImplOptions.Synchronized)]
        private ITransport StuckWrite()
        {
            ITransport t = writing;
            long left = t == null ? 0 : writeStarted + WriteTimeoutMs - Now;
            if (left > 0)
            {
                // The write under way began after the one the timer was armed for: wait for its own deadline.
                try
                {
                    watchdog.Change((int)left, Timeout.Infinite);
                }
                catch (ObjectDisposedException)
                {
                    // The driver has ended.
                }
                return null;
            }
            watchdogArmed = false;
            return t;
        }

        private static void SafeClose(ITransport t)
        {
            try
            {
                t.Close();
            }
            catch (Exception)
            {
                // A broken transport may throw on close; it is closed either way.
            }
        }
    }
}
