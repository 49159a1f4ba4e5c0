// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace IotHubAmqp.Benchmarks
{
    /// <summary>
    /// A loopback TCP proxy in front of a peer port. It counts the bytes and the reads (chunks) in each
    /// direction and can hold every chunk for a fixed delay each way, so a client sees a round-trip time of
    /// twice the delay. Chunks keep their order and are forwarded whole. With one message in flight the client
    /// writes, then waits for the peer, so each client write arrives as its own chunk; two writes in quick
    /// succession can merge into one read, so chunk counts are a lower bound of socket writes.
    /// </summary>
    internal sealed class Proxy
    {
        private readonly int target;
        private readonly int delayMs;
        private readonly TcpListener listener;
        private long bytesUp, chunksUp, bytesDown, chunksDown, connections;

        public Proxy(int targetPort, int delayMs)
        {
            target = targetPort;
            this.delayMs = delayMs;
            listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            Port = ((IPEndPoint)listener.LocalEndpoint).Port;
            new Thread(Accept) { IsBackground = true, Name = "proxy-accept" }.Start();
        }

        public int Port { get; }

        // Diagnostics: BENCH_PROXY_TRACE=1 prints every chunk with its time to the peer's stderr.
        private static readonly bool Trace = Environment.GetEnvironmentVariable("BENCH_PROXY_TRACE") == "1";
        private static readonly long Origin = Stopwatch.GetTimestamp();

        public long BytesUp => Interlocked.Read(ref bytesUp);
        public long ChunksUp => Interlocked.Read(ref chunksUp);
        public long BytesDown => Interlocked.Read(ref bytesDown);
        public long ChunksDown => Interlocked.Read(ref chunksDown);
        public long Connections => Interlocked.Read(ref connections);

        public void Reset()
        {
            Interlocked.Exchange(ref bytesUp, 0);
            Interlocked.Exchange(ref chunksUp, 0);
            Interlocked.Exchange(ref bytesDown, 0);
            Interlocked.Exchange(ref chunksDown, 0);
            Interlocked.Exchange(ref connections, 0);
        }

        private void Accept()
        {
            while (true)
            {
                Socket client;
                try
                {
                    client = listener.AcceptSocket();
                }
                catch (SocketException)
                {
                    return;
                }
                Interlocked.Increment(ref connections);
                var server = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                client.NoDelay = true;
                try
                {
                    server.Connect(IPAddress.Loopback, target);
                }
                catch (SocketException)
                {
                    client.Dispose();
                    continue;
                }
                Pump(client, server, true);
                Pump(server, client, false);
            }
        }

        private void Pump(Socket from, Socket to, bool up)
        {
            var queue = new BlockingCollection<(long Due, byte[] Data)>();
            new Thread(() =>
            {
                var buffer = new byte[64 * 1024];
                try
                {
                    while (true)
                    {
                        int n = from.Receive(buffer);
                        if (n <= 0) break;
                        if (up)
                        {
                            Interlocked.Add(ref bytesUp, n);
                            Interlocked.Increment(ref chunksUp);
                        }
                        else
                        {
                            Interlocked.Add(ref bytesDown, n);
                            Interlocked.Increment(ref chunksDown);
                        }
                        if (Trace) Console.Error.WriteLine($"{Stopwatch.GetElapsedTime(Origin).TotalMilliseconds,8:F1} ms {(up ? "client->peer" : "peer->client")} {n} B");
                        queue.Add((Stopwatch.GetTimestamp() + delayMs * Stopwatch.Frequency / 1000, buffer.AsSpan(0, n).ToArray()));
                    }
                }
                catch (Exception)
                {
                    // The connection ended.
                }
                queue.CompleteAdding();
            }) { IsBackground = true, Name = up ? "proxy-up-read" : "proxy-down-read" }.Start();
            new Thread(() =>
            {
                try
                {
                    foreach (var (due, data) in queue.GetConsumingEnumerable())
                    {
                        long wait = due - Stopwatch.GetTimestamp();
                        if (wait > 0) Thread.Sleep(TimeSpan.FromTicks(wait * TimeSpan.TicksPerSecond / Stopwatch.Frequency));
                        to.Send(data);
                    }
                    to.Shutdown(SocketShutdown.Send);
                }
                catch (Exception)
                {
                    // The other side is gone.
                }
                try
                {
                    from.Dispose();
                    to.Dispose();
                }
                catch (Exception)
                {
                }
            }) { IsBackground = true, Name = up ? "proxy-up-write" : "proxy-down-write" }.Start();
        }
    }
}
