// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using IotHubAmqp.Device.InteropTests.TestSupport;

namespace IotHubAmqp.Device.InteropTests.Reliability
{
    /// <summary>The fault proxy itself, over plain TCP to a peer that records what it got and can answer.</summary>
    public class FaultProxyTests
    {
        private static readonly TimeSpan Wait = TimeSpan.FromSeconds(5);

        [Fact]
        public void Forwards_BothWays_AndCountsBytes()
        {
            using var peer = new RecordingPeer(echo: true);
            using var proxy = new FaultProxy(peer.Port);
            using Socket s = Connect(proxy.Port);
            s.Send(new byte[] { 1, 2, 3 });
            Assert.Equal(new byte[] { 1, 2, 3 }, ReadExactly(s, 3));
            // The proxy counts what it forwarded after the send returns: the client may read the bytes first.
            Assert.True(SpinWait.SpinUntil(() => proxy.BytesToTarget == 3, Wait), "bytes to the target: " + proxy.BytesToTarget);
            Assert.True(SpinWait.SpinUntil(() => proxy.BytesToClient == 3, Wait), "bytes to the client: " + proxy.BytesToClient);
            Assert.Equal(1, proxy.Accepted);
        }

        [Fact]
        public void CutAfter_DeliversExactlyTheOffsetThenResets()
        {
            using var peer = new RecordingPeer(echo: false);
            using var proxy = new FaultProxy(peer.Port);
            using Socket s = Connect(proxy.Port);
            s.Send(new byte[] { 0 });
            Assert.True(peer.WaitFor(1));
            Assert.Equal(1, proxy.CutAfter(10));
            s.Send(Enumerable.Range(1, 50).Select(i => (byte)i).ToArray());
            Assert.True(SpinWait.SpinUntil(() => proxy.Cuts == 1, Wait));
            Thread.Sleep(100);
            Assert.Equal(11, peer.Received.Length);
            Assert.Equal(10, peer.Received[10]);
            Assert.True(IsDead(s), "the device side sees the connection end");
        }

        [Fact]
        public void CutNewConnectionsAt_CutsEachNewConnectionAtThatOffset()
        {
            using var peer = new RecordingPeer(echo: false);
            using var proxy = new FaultProxy(peer.Port);
            proxy.CutNewConnectionsAt(4);
            using Socket s = Connect(proxy.Port);
            s.Send(new byte[8]);
            Assert.True(SpinWait.SpinUntil(() => proxy.Cuts == 1, Wait));
            Thread.Sleep(100);
            Assert.Equal(4, peer.Received.Length);
        }

        [Fact]
        public void Stall_HoldsBytesBackForTheDurationThenDeliversThem()
        {
            using var peer = new RecordingPeer(echo: false);
            using var proxy = new FaultProxy(peer.Port);
            using Socket s = Connect(proxy.Port);
            s.Send(new byte[] { 0 });
            Assert.True(peer.WaitFor(1));
            var watch = Stopwatch.StartNew();
            proxy.Stall(TimeSpan.FromMilliseconds(800));
            s.Send(new byte[] { 1, 2 });
            Thread.Sleep(400);
            Assert.Single(peer.Received);
            Assert.True(peer.WaitFor(3));
            Assert.InRange(watch.ElapsedMilliseconds, 700, 5000);
            Assert.Equal(0, proxy.Cuts);
        }

        [Fact]
        public void HalfClose_ToClient_EndsThatDirectionOnly()
        {
            using var peer = new RecordingPeer(echo: false);
            using var proxy = new FaultProxy(peer.Port);
            using Socket s = Connect(proxy.Port);
            s.Send(new byte[] { 0 });
            Assert.True(peer.WaitFor(1));
            Assert.Equal(1, proxy.HalfClose(FaultProxy.Direction.ToClient));
            s.ReceiveTimeout = 5000;
            Assert.Equal(0, s.Receive(new byte[1]));
            s.Send(new byte[] { 1 });
            Assert.True(peer.WaitFor(2), "the device can still send");
        }

        [Fact]
        public void LimitRate_SlowsTheLinkToTheByteRate()
        {
            using var peer = new RecordingPeer(echo: false);
            using var proxy = new FaultProxy(peer.Port);
            proxy.LimitRate(4000);
            using Socket s = Connect(proxy.Port);
            var watch = Stopwatch.StartNew();
            s.Send(new byte[2000]);
            Assert.True(peer.WaitFor(2000));
            // 2000 bytes at 4000 B/s: about 500 ms (the first slice leaves at once).
            Assert.InRange(watch.ElapsedMilliseconds, 400, 5000);
        }

        [Fact]
        public void RefuseFor_ResetsNewConnectionsThenAcceptsAgain()
        {
            using var peer = new RecordingPeer(echo: true);
            using var proxy = new FaultProxy(peer.Port);
            proxy.RefuseFor(TimeSpan.FromMilliseconds(500));
            using (Socket refused = Connect(proxy.Port))
            {
                Assert.True(IsDead(refused));
            }
            Assert.Equal(1, proxy.Refused);
            Thread.Sleep(600);
            using Socket s = Connect(proxy.Port);
            s.Send(new byte[] { 9 });
            Assert.Equal(new byte[] { 9 }, ReadExactly(s, 1));
        }

        [Fact]
        public void Lifetime_DisposesTheProxyByItself()
        {
            using var peer = new RecordingPeer(echo: true);
            var proxy = new FaultProxy(peer.Port, TimeSpan.FromMilliseconds(300));
            using Socket s = Connect(proxy.Port);
            Thread.Sleep(800);
            Assert.True(IsDead(s), "live connections end with the proxy");
            Assert.ThrowsAny<SocketException>(() => Connect(proxy.Port).Dispose());
            proxy.Dispose();
        }

        private static Socket Connect(int port)
        {
            var s = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            s.Connect(IPAddress.Loopback, port);
            return s;
        }

        private static byte[] ReadExactly(Socket s, int count)
        {
            s.ReceiveTimeout = 5000;
            var buffer = new byte[count];
            int got = 0;
            while (got < count)
            {
                int n = s.Receive(buffer, got, count - got, SocketFlags.None);
                if (n == 0) throw new IOException("closed after " + got + " bytes");
                got += n;
            }
            return buffer;
        }

        // True when a read ends (0 bytes or a reset) within the wait instead of timing out.
        private static bool IsDead(Socket s)
        {
            s.ReceiveTimeout = 3000;
            try
            {
                return s.Receive(new byte[64]) == 0;
            }
            catch (SocketException e)
            {
                return e.SocketErrorCode != SocketError.TimedOut;
            }
        }

        /// <summary>A TCP peer on 127.0.0.1 that records every byte it receives and can echo them back.</summary>
        private sealed class RecordingPeer : IDisposable
        {
            private readonly TcpListener listener = new(IPAddress.Loopback, 0);
            private readonly MemoryStream received = new();
            private readonly bool echo;
            private readonly CancellationTokenSource stop = new();

            public RecordingPeer(bool echo)
            {
                this.echo = echo;
                listener.Start();
                Port = ((IPEndPoint)listener.LocalEndpoint).Port;
                _ = Task.Run(Serve);
            }

            public int Port { get; }

            public byte[] Received
            {
                get
                {
                    lock (received) return received.ToArray();
                }
            }

            public bool WaitFor(int count) => SpinWait.SpinUntil(() => Received.Length >= count, Wait);

            public void Dispose()
            {
                stop.Cancel();
                listener.Stop();
            }

            private async Task Serve()
            {
                try
                {
                    using Socket s = await listener.AcceptSocketAsync(stop.Token);
                    var buffer = new byte[4096];
                    while (true)
                    {
                        int n = await s.ReceiveAsync(buffer, SocketFlags.None, stop.Token);
                        if (n == 0) return;
                        lock (received) received.Write(buffer, 0, n);
                        if (echo) await s.SendAsync(new ArraySegment<byte>(buffer, 0, n), SocketFlags.None, stop.Token);
                    }
                }
                catch (Exception)
                {
                    // Cut by the proxy, or stopped.
                }
            }
        }
    }
}
