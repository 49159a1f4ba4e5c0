// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
using System;
using System.Threading;
using IotHubAmqp.Device.Platform;

namespace IotHubAmqp.Device.IotHub
{
    /// <summary>
    /// Blocks in <see cref="ITransport.Receive"/> on its own thread so the driver never does. The driver lends it a
    /// free region of the engine's read buffer; the reader fills it and hands back the count, and the driver alone
    /// feeds the engine. Between a lend and its result the engine does not touch that region, so nothing is copied
    /// and nothing is shared. One reader per transport: results of an old one are ignored.
    /// </summary>
    internal sealed class TransportReader
    {
        private readonly ITransport transport;
        private readonly AutoResetEvent driverWake;
        private readonly AutoResetEvent lent = new AutoResetEvent(false);
        private readonly object sync = new object();
        private byte[] buffer;
        private int offset;
        private int count;
        private int result = -1;
        private Exception error;
        private bool stopped;

        public TransportReader(ITransport transport, AutoResetEvent driverWake)
        {
            this.transport = transport;
            this.driverWake = driverWake;
            new Thread(Run).Start();
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
    }
}
