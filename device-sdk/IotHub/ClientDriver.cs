// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
using System;
using System.Threading;
using IotHubAmqp.Device.Engine;
using IotHubAmqp.Device.Platform;

namespace IotHubAmqp.Device.IotHub
{
    /// <summary>
    /// The one thread that owns a client's connection: it takes application requests from a bounded queue, feeds
    /// received bytes to the engine, fires timers, writes output and performs transport actions; nothing else touches
    /// the engine or the client's state machine. User handlers run on the <see cref="NoticeDispatcher"/>, never here.
    /// A write stuck past <see cref="WriteTimeoutMs"/> is ended by closing the transport from a timer.
    /// </summary>
    internal sealed class ClientDriver
    {
        /// <summary>Application calls waiting for the driver at once.</summary>
        public const int MaxQueuedRequests = 48;

        /// <summary>A write that takes longer means the peer stopped reading: the transport is closed under it.</summary>
        public const int WriteTimeoutMs = 15000;

        /// <summary>The longest the driver sleeps with nothing due (it wakes on every request and read anyway).</summary>
        private const int MaxSleepMs = 5000;

        private readonly ClientCore core;
        private readonly ITransportFactory factory;
        private readonly IPlatform platform;
        private readonly NoticeDispatcher notices;
        private readonly AutoResetEvent wake = new AutoResetEvent(false);
        private readonly object queueLock = new object();
        private readonly ClientRequest[] queue = new ClientRequest[MaxQueuedRequests];
        private readonly object transportLock = new object();
        private readonly Timer watchdog;
        private int queueHead;
        private int queueCount;
        private ITransport transport;
        private TransportReader reader;
        private ITransport writing;
        private Thread thread;

        public ClientDriver(ClientCore core, ITransportFactory factory, IPlatform platform, NoticeDispatcher notices)
        {
            this.core = core;
            this.factory = factory;
            this.platform = platform;
            this.notices = notices;
            watchdog = new Timer(OnWriteStuck, null, Timeout.Infinite, Timeout.Infinite);
        }

        public bool IsRunning => thread != null;

        public void Start()
        {
            if (thread != null) return;
            thread = new Thread(Run);
            thread.Start();
        }

        /// <summary>Hands a request to the driver; throws when too many calls wait already.</summary>
        public void Submit(ClientRequest r)
        {
            lock (queueLock)
            {
                if (queueCount == queue.Length)
                    throw new InvalidOperationException(MaxQueuedRequests + " calls are already waiting for the connection");
                queue[(queueHead + queueCount) % queue.Length] = r;
                queueCount++;
            }
            wake.Set();
        }

        /// <summary>Closes the transport from outside the driver (a close that could not finish in time).</summary>
        public void ForceClose()
        {
            ITransport t;
            lock (transportLock) t = transport;
            if (t != null) SafeClose(t);
            wake.Set();
        }

        private ClientRequest Dequeue()
        {
            lock (queueLock)
            {
                if (queueCount == 0) return null;
                ClientRequest r = queue[queueHead];
                queue[queueHead] = null;
                queueHead = (queueHead + 1) % queue.Length;
                queueCount--;
                return r;
            }
        }

        private void Run()
        {
            try
            {
                while (true)
                {
                    long now = platform.TickMilliseconds;
                    bool acted;
                    try
                    {
                        ClientRequest r;
                        while ((r = Dequeue()) != null) Submit(r, now);
                        ReadInput(now);
                        core.Tick(now);
                        acted = DoTransportActions(now);
                        WriteOutput();
                    }
                    catch (Exception e)
                    {
                        // A bug must not kill the device's connection for good: start over on a new one.
                        core.InternalError(e, platform.TickMilliseconds);
                        acted = true;
                    }
                    object n;
                    while ((n = core.TakeNotice()) != null) notices.Post(n);
                    if (core.Finished) break;
                    if (acted) continue;
                    long next = core.NextDeadline;
                    long wait = next == long.MaxValue ? MaxSleepMs : next - platform.TickMilliseconds;
                    if (wait <= 0) continue;
                    wake.WaitOne(wait > MaxSleepMs ? MaxSleepMs : (int)wait, false);
                }
            }
            finally
            {
                watchdog.Dispose();
                notices.Stop();
            }
        }

        private void Submit(ClientRequest r, long now)
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
        }

        private void ReadInput(long now)
        {
            if (reader == null) return;
            if (!reader.TryTake(out int n, out Exception failure)) return;
            Connection engine = core.Engine;
            if (n > 0 && engine != null)
            {
                engine.Received(n, now);
                core.ProcessEvents(now);
                LendNext();
                return;
            }
            AmqpException reason = failure == null
                ? new AmqpException(ErrorCode.ConnectionLost, "the peer closed the connection")
                : new AmqpException(ErrorCode.ConnectionLost, failure.GetType().Name + ": " + failure.Message);
            reader = null;
            core.TransportEnded(reason, now);
        }

        private void LendNext()
        {
            Connection engine = core.Engine;
            if (reader == null || engine == null || engine.IsEnded) return;
            engine.GetReceiveSpace(out byte[] buf, out int off, out int count);
            reader.Lend(buf, off, count);
        }

        private bool DoTransportActions(long now)
        {
            bool acted = false;
            if (core.WantsTransportClosed)
            {
                WriteOutput();
                ITransport t;
                lock (transportLock)
                {
                    t = transport;
                    transport = null;
                }
                if (reader != null) reader.Stop();
                reader = null;
                if (t != null) SafeClose(t);
                core.TransportClosed(platform.TickMilliseconds);
                acted = true;
            }
            if (core.WantsTransport)
            {
                core.TransportConnecting();
                long left = core.ConnectDeadline - now;
                try
                {
                    ITransport t = factory.Connect(core.ConnectHost, core.ConnectPort, true, left <= 0 ? 1 : (int)left);
                    lock (transportLock) transport = t;
                    reader = new TransportReader(t, wake);
                    core.TransportConnected(platform.TickMilliseconds);
                    LendNext();
                }
                catch (Exception e)
                {
                    core.TransportFailed(e, platform.TickMilliseconds);
                }
                acted = true;
            }
            return acted;
        }

        private void WriteOutput()
        {
            Connection engine = core.Engine;
            ITransport t;
            lock (transportLock) t = transport;
            if (engine == null || t == null) return;
            try
            {
                while (engine.HasOutput)
                {
                    engine.GetOutput(out byte[] buf, out int off, out int count);
                    lock (transportLock) writing = t;
                    watchdog.Change(WriteTimeoutMs, Timeout.Infinite);
                    t.Send(buf, off, count);
                    watchdog.Change(Timeout.Infinite, Timeout.Infinite);
                    lock (transportLock) writing = null;
                    engine.OutputWritten(platform.TickMilliseconds);
                }
            }
            catch (Exception e)
            {
                watchdog.Change(Timeout.Infinite, Timeout.Infinite);
                lock (transportLock) writing = null;
                engine.DiscardOutput();
                if (!engine.IsEnded || core.WantsTransportClosed == false)
                    core.TransportEnded(e as AmqpException ?? new AmqpException(ErrorCode.ConnectionLost, e.GetType().Name + ": " + e.Message), platform.TickMilliseconds);
            }
        }

        private void OnWriteStuck(object state)
        {
            ITransport t;
            lock (transportLock) t = writing;
            if (t != null) SafeClose(t);
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
