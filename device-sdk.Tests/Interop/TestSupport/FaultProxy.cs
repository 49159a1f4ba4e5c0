// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
using System.Net;
using System.Net.Sockets;

namespace IotHubAmqp.Device.InteropTests.TestSupport
{
    /// <summary>
    /// A loopback TCP proxy (127.0.0.1 only) between a device and its peer that injects the faults a device meets
    /// in the field: a connection cut at a chosen byte offset (an RST, as when a Wi-Fi access point drops the
    /// station), a stall (the connection stays up but nothing is forwarded, as on a dead link before TCP notices),
    /// a half-close (one direction gets FIN), a slow link (a byte rate), and a period in which new connections are
    /// refused (accepted and reset at once, before a byte crosses).
    /// It forwards bytes blindly, so TLS runs end to end: the device still checks the peer's certificate.
    /// Bounded: at most <see cref="MaxConnections"/> live connections, one 16 KB buffer per direction, and a
    /// lifetime after which it disposes itself, so a test that forgets it cannot leave it running.
    /// </summary>
    internal sealed class FaultProxy : IDisposable
    {
        public const int MaxConnections = 32;
        private const int BufferSize = 16 * 1024;
        private const int RateSliceMs = 50;

        private readonly TcpListener listener = new(IPAddress.Loopback, 0);
        private readonly CancellationTokenSource stop = new();
        private readonly Timer lifetime;
        private readonly object sync = new();
        private readonly List<Pair> live = new();
        private readonly Task acceptLoop;
        private long stallUntilTicks;
        private long refuseUntilTicks;
        private long cutNewAt;
        private int bytesPerSecond;
        private int accepted;
        private int refused;
        private int cuts;
        private long bytesToTarget;
        private long bytesToClient;
        private int disposed;

        /// <summary>Starts a proxy on an ephemeral 127.0.0.1 port that forwards to 127.0.0.1:<paramref name="targetPort"/>.</summary>
        public FaultProxy(int targetPort, TimeSpan? lifetime = null)
        {
            TargetPort = targetPort;
            listener.Start();
            Port = ((IPEndPoint)listener.LocalEndpoint).Port;
            this.lifetime = new Timer(_ => Dispose(), null, lifetime ?? TimeSpan.FromMinutes(5), Timeout.InfiniteTimeSpan);
            acceptLoop = Task.Run(AcceptLoop);
        }

        /// <summary>Which way bytes travel through the proxy.</summary>
        public enum Direction
        {
            /// <summary>From the device to the peer.</summary>
            ToTarget,
            /// <summary>From the peer to the device.</summary>
            ToClient,
        }

        /// <summary>The port the device connects to.</summary>
        public int Port { get; }

        /// <summary>The peer's port; may be changed while running (new connections go there).</summary>
        public int TargetPort { get; set; }

        /// <summary>Connections accepted and forwarded.</summary>
        public int Accepted => Volatile.Read(ref accepted);

        /// <summary>Connections refused (reset at once) by <see cref="RefuseFor"/> or the connection bound.</summary>
        public int Refused => Volatile.Read(ref refused);

        /// <summary>Connections cut by the proxy.</summary>
        public int Cuts => Volatile.Read(ref cuts);

        /// <summary>Connections open through the proxy now.</summary>
        public int LiveConnections
        {
            get
            {
                lock (sync) return live.Count;
            }
        }

        /// <summary>Bytes forwarded from devices to the peer.</summary>
        public long BytesToTarget => Interlocked.Read(ref bytesToTarget);

        /// <summary>Bytes forwarded from the peer to devices.</summary>
        public long BytesToClient => Interlocked.Read(ref bytesToClient);

        /// <summary>
        /// Cuts every live connection once <paramref name="bytes"/> more bytes (either direction) have crossed it:
        /// the bytes up to the offset are delivered, the rest never is. Returns how many connections were armed.
        /// </summary>
        public int CutAfter(long bytes)
        {
            if (bytes < 0) throw new ArgumentOutOfRangeException(nameof(bytes));
            lock (sync)
            {
                foreach (Pair p in live) p.ArmCut(bytes);
                return live.Count;
            }
        }

        /// <summary>Cuts every live connection now. Returns how many.</summary>
        public int CutNow()
        {
            Pair[] pairs;
            lock (sync) pairs = live.ToArray();
            foreach (Pair p in pairs) p.Cut();
            return pairs.Length;
        }

        /// <summary>
        /// Connections accepted from now on are cut when <paramref name="offset"/> bytes have crossed them (0: never),
        /// for example inside the TLS handshake or the AMQP open.
        /// </summary>
        public void CutNewConnectionsAt(long offset)
        {
            if (offset < 0) throw new ArgumentOutOfRangeException(nameof(offset));
            Interlocked.Exchange(ref cutNewAt, offset);
        }

        /// <summary>Stops forwarding in both directions on every connection (live and new) for <paramref name="duration"/>.</summary>
        public void Stall(TimeSpan duration) => Interlocked.Exchange(ref stallUntilTicks, DateTime.UtcNow.Add(duration).Ticks);

        /// <summary>Sends FIN in one direction on every live connection; the other direction keeps flowing. Returns how many.</summary>
        public int HalfClose(Direction direction)
        {
            Pair[] pairs;
            lock (sync) pairs = live.ToArray();
            foreach (Pair p in pairs) p.HalfClose(direction);
            return pairs.Length;
        }

        /// <summary>Limits each direction of each connection to <paramref name="rate"/> bytes per second (0: no limit).</summary>
        public void LimitRate(int rate)
        {
            if (rate < 0) throw new ArgumentOutOfRangeException(nameof(rate));
            Volatile.Write(ref bytesPerSecond, rate);
        }

        /// <summary>Refuses new connections for <paramref name="duration"/> (accepted and reset before any byte crosses).</summary>
        public void RefuseFor(TimeSpan duration) => Interlocked.Exchange(ref refuseUntilTicks, DateTime.UtcNow.Add(duration).Ticks);

        public void Dispose()
        {
            if (Interlocked.Exchange(ref disposed, 1) != 0) return;
            stop.Cancel();
            lifetime.Dispose();
            listener.Stop();
            Pair[] pairs;
            lock (sync) pairs = live.ToArray();
            foreach (Pair p in pairs) p.Cut(counted: false);
            try
            {
                acceptLoop.Wait(2000);
            }
            catch (AggregateException)
            {
                // The accept loop ends with the listener; how it ends does not matter here.
            }
        }

        private static TimeSpan Until(long ticks)
        {
            long left = ticks - DateTime.UtcNow.Ticks;
            return left > 0 ? TimeSpan.FromTicks(left) : TimeSpan.Zero;
        }

        private async Task AcceptLoop()
        {
            while (!stop.IsCancellationRequested)
            {
                Socket client;
                try
                {
                    client = await listener.AcceptSocketAsync(stop.Token);
                }
                catch (Exception)
                {
                    return; // stopped
                }
                bool refuse = Until(Interlocked.Read(ref refuseUntilTicks)) > TimeSpan.Zero;
                lock (sync) refuse |= live.Count >= MaxConnections;
                if (refuse)
                {
                    Interlocked.Increment(ref refused);
                    Reset(client);
                    continue;
                }
                _ = Task.Run(() => Serve(client));
            }
        }

        private async Task Serve(Socket client)
        {
            var target = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            try
            {
                using var connectTimeout = CancellationTokenSource.CreateLinkedTokenSource(stop.Token);
                connectTimeout.CancelAfter(5000);
                await target.ConnectAsync(new IPEndPoint(IPAddress.Loopback, TargetPort), connectTimeout.Token);
            }
            catch (Exception)
            {
                // The peer is down: the device sees its connection reset, as if the peer had refused it.
                Interlocked.Increment(ref refused);
                Reset(client);
                Reset(target);
                return;
            }
            client.NoDelay = true;
            target.NoDelay = true;
            var pair = new Pair(this, client, target);
            long at = Interlocked.Read(ref cutNewAt);
            if (at > 0) pair.ArmCut(at);
            lock (sync)
            {
                if (stop.IsCancellationRequested)
                {
                    pair.Cut(counted: false);
                    return;
                }
                live.Add(pair);
            }
            Interlocked.Increment(ref accepted);
            await Task.WhenAll(Pump(pair, client, target, Direction.ToTarget), Pump(pair, target, client, Direction.ToClient));
            pair.Cut(counted: false);
            lock (sync) live.Remove(pair);
        }

        private async Task Pump(Pair pair, Socket from, Socket to, Direction direction)
        {
            byte[] buffer = new byte[BufferSize];
            try
            {
                while (!pair.IsCut && !stop.IsCancellationRequested)
                {
                    await WaitStall();
                    int n = await from.ReceiveAsync(buffer, SocketFlags.None, stop.Token);
                    if (n == 0)
                    {
                        // The sender closed its side: pass the FIN on, keep the other direction open.
                        pair.HalfClose(direction);
                        return;
                    }
                    int sent = 0;
                    while (sent < n && !pair.IsCut)
                    {
                        await WaitStall();
                        int chunk = n - sent;
                        int rate = Volatile.Read(ref bytesPerSecond);
                        int slice = rate == 0 ? chunk : Math.Max(1, rate * RateSliceMs / 1000);
                        if (chunk > slice) chunk = slice;
                        int allowed = pair.Admit(chunk);
                        if (allowed > 0)
                        {
                            await to.SendAsync(new ArraySegment<byte>(buffer, sent, allowed), SocketFlags.None, stop.Token);
                            Interlocked.Add(ref direction == Direction.ToTarget ? ref bytesToTarget : ref bytesToClient, allowed);
                            sent += allowed;
                        }
                        if (allowed < chunk || pair.CutDue)
                        {
                            pair.Cut();
                            return;
                        }
                        if (rate != 0) await Task.Delay(RateSliceMs, stop.Token);
                    }
                }
            }
            catch (Exception)
            {
                // Either side went away (or the proxy stopped): end both directions.
                pair.Cut(counted: false);
            }
        }

        private async Task WaitStall()
        {
            while (true)
            {
                TimeSpan wait = Until(Interlocked.Read(ref stallUntilTicks));
                if (wait <= TimeSpan.Zero) return;
                await Task.Delay(wait < TimeSpan.FromMilliseconds(200) ? wait : TimeSpan.FromMilliseconds(200), stop.Token);
            }
        }

        // An abortive close (RST): what a dropped link looks like once TCP notices, and never a clean FIN.
        private static void Reset(Socket s)
        {
            try
            {
                s.LingerState = new LingerOption(true, 0);
            }
            catch (Exception)
            {
                // Not connected: nothing to reset.
            }
            s.Dispose();
        }

        /// <summary>One device connection and its peer connection, with the byte budget of an armed cut.</summary>
        private sealed class Pair
        {
            private readonly FaultProxy owner;
            private readonly Socket client;
            private readonly Socket target;
            private readonly object gate = new();
            private long budget = -1; // bytes still allowed across before the cut; -1 = no cut armed
            private int cut;

            public Pair(FaultProxy owner, Socket client, Socket target)
            {
                this.owner = owner;
                this.client = client;
                this.target = target;
            }

            public bool IsCut => Volatile.Read(ref cut) != 0;

            public bool CutDue
            {
                get
                {
                    lock (gate) return budget == 0;
                }
            }

            public void ArmCut(long bytes)
            {
                lock (gate) budget = bytes;
                if (bytes == 0) Cut();
            }

            // How many of 'wanted' bytes may cross before an armed cut.
            public int Admit(int wanted)
            {
                lock (gate)
                {
                    if (budget < 0) return wanted;
                    int allowed = budget < wanted ? (int)budget : wanted;
                    budget -= allowed;
                    return allowed;
                }
            }

            public void HalfClose(Direction direction)
            {
                try
                {
                    (direction == Direction.ToTarget ? target : client).Shutdown(SocketShutdown.Send);
                }
                catch (Exception)
                {
                    // Already closed.
                }
            }

            public void Cut(bool counted = true)
            {
                if (Interlocked.Exchange(ref cut, 1) != 0) return;
                if (counted) Interlocked.Increment(ref owner.cuts);
                Reset(client);
                Reset(target);
            }
        }
    }
}
