// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
using System;
using System.Threading;
using IotHubAmqp.Device.Engine;
using IotHubAmqp.Device.IotHub;
using IotHubAmqp.Device.Platform;
using IotHubAmqp.Device.Types;

namespace IotHubAmqp.Device.Provisioning
{
    /// <summary>
    /// Owns the one connection of a registration on the calling thread: connects, feeds received bytes (read on the
    /// <see cref="TransportReader"/>'s thread) to the engine, fires the core's timers and writes its output. A write
    /// or connect stuck past the deadline is ended by closing the transport from a timer, so the call always returns.
    /// </summary>
    internal sealed class ProvisioningDriver
    {
        /// <summary>Grace past the deadline before a blocked write or connect is cut.</summary>
        private const int HardStopGraceMs = 2000;

        private const int MaxSleepMs = 1000;

        private readonly ProvisioningCore core;
        private readonly ITransportFactory factory;
        private readonly IPlatform platform;
        private readonly string host;
        private readonly int port;
        private readonly AutoResetEvent wake = new AutoResetEvent(false);
        private readonly object transportLock = new object();
        private ITransport transport;
        private TransportReader reader;

        public ProvisioningDriver(ProvisioningCore core, ITransportFactory factory, IPlatform platform, string host, int port)
        {
            this.core = core;
            this.factory = factory;
            this.platform = platform;
            this.host = host;
            this.port = port;
        }

        public void Run(int timeoutMs)
        {
            var hardStop = new Timer(OnHardStop, null, timeoutMs + HardStopGraceMs, Timeout.Infinite);
            try
            {
                core.Start(platform.TickMilliseconds);
                while (true)
                {
                    long now = platform.TickMilliseconds;
                    try
                    {
                        if (core.WantsTransport) Connect(now);
                        ReadInput(platform.TickMilliseconds);
                        core.Tick(platform.TickMilliseconds);
                        WriteOutput();
                    }
                    catch (Exception e)
                    {
                        // Whatever failed (a closed transport under a write, a bug), the registration ends with it, named.
                        if (!core.Finished) core.TransportFailed(e, platform.TickMilliseconds);
                    }
                    if (core.Finished) break;
                    long wait = core.NextDeadline - platform.TickMilliseconds;
                    if (wait <= 0) continue;
                    wake.WaitOne(wait > MaxSleepMs ? MaxSleepMs : (int)wait, false);
                }
                TryWriteOutput();
            }
            finally
            {
                hardStop.Dispose();
                CloseTransport();
            }
        }

        private void Connect(long now)
        {
            core.TransportConnecting();
            long left = core.Deadline - now;
            ITransport t = factory.Connect(host, port, true, left <= 0 ? 1 : (int)left);
            lock (transportLock) transport = t;
            reader = new TransportReader(t, wake);
            core.TransportConnected(platform.TickMilliseconds);
        }

        private void ReadInput(long now)
        {
            if (reader == null) return;
            int n = reader.Feed(core.Engine, now, out Exception failure);
            if (n == 0) return;
            if (n > 0)
            {
                core.ProcessEvents(now);
                return;
            }
            reader = null;
            core.TransportEnded(failure == null
                ? new AmqpException(ErrorCode.ConnectionLost, "DPS closed the connection")
                : new AmqpException(ErrorCode.ConnectionLost, failure.GetType().Name + ": " + failure.Message), now);
        }

        private void WriteOutput()
        {
            Connection engine = core.Engine;
            ITransport t;
            lock (transportLock) t = transport;
            if (engine == null || t == null) return;
            while (engine.HasOutput)
            {
                engine.GetOutput(out byte[] buf, out int off, out int count);
                t.Send(buf, off, count);
                engine.OutputWritten(platform.TickMilliseconds);
            }
        }

        // The closing frame is a courtesy: a failure to write it changes nothing.
        private void TryWriteOutput()
        {
            try
            {
                WriteOutput();
            }
            catch (Exception)
            {
            }
        }

        // On the timer's thread: only the transport is touched (its blocked write or read then returns).
        private void OnHardStop(object state)
        {
            ITransport t;
            lock (transportLock) t = transport;
            if (t != null) SafeClose(t);
            wake.Set();
        }

        private void CloseTransport()
        {
            ITransport t;
            lock (transportLock)
            {
                t = transport;
                transport = null;
            }
            if (reader != null) reader.Stop();
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
