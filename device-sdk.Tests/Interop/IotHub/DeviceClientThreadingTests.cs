// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
using System.Collections.Concurrent;
using System.Diagnostics;
using IotHubAmqp.Device.InteropTests.TestSupport;
using IotHubAmqp.Device.IotHub;
using IotHubAmqp.Device.Messaging;
using IotHubAmqp.Device.Platform;
using IotHubAmqp.LocalHub;
using HubC2d = IotHubAmqp.LocalHub.CloudToDeviceMessage;
using Xunit;

namespace IotHubAmqp.Device.InteropTests.IotHub
{
    /// <summary>
    /// The one-owner design under real threads (issue 10, defects 1 and 2): handlers that call back into the client
    /// while the connection is cut, and a transport whose write never returns. Nothing may wait past its own bound.
    /// </summary>
    public class DeviceClientThreadingTests
    {
        // Close waits for the driver (CloseTimeoutMs plus grace), then forces the transport shut (one more grace).
        private const int CloseBoundMs = 2000 + 2000 + 2000 + 1000;

        [Fact]
        public void Handlers_CallTheClientWhileItsConnectionIsCut_NoCallWaitsPastItsTimeout()
        {
            using var f = new HubFixture();
            var proxy = new StallingFactory(f.Transports);
            string cs = HubFixture.WithGateway(f.AddDevice("dev1"));
            var options = new DeviceClientOptions { Port = f.Hub.Port, OperationTimeoutMs = 3000 };
            var client = new DeviceClient(cs, proxy, DeviceConnector.Platform, options);
            var slowest = new ConcurrentBag<long>();
            var handled = new ConcurrentQueue<string>();
            client.CloudToDeviceMessage += (sender, message) =>
            {
                // Inside a handler: a blocking send, a settlement and a status read, while the test cuts the link.
                var watch = Stopwatch.StartNew();
                SendResult r = sender.SendTelemetry(new byte[] { 1 });
                sender.Complete(message);
                _ = sender.Status;
                slowest.Add(watch.ElapsedMilliseconds);
                handled.Enqueue(message.MessageId + ":" + r.Outcome);
            };
            client.StatusChanged += (sender, status, reason) =>
            {
                // A status handler that calls the client must not stall the connection either.
                if (status == ClientStatus.Reconnecting) sender.SendTelemetry(new byte[] { 2 });
            };
            client.Open();
            for (int i = 0; i < 10; i++)
            {
                f.Hub.SendCloudToDevice("dev1", new HubC2d { Body = new byte[] { (byte)i }, MessageId = "m" + i });
                if (i % 3 == 2) proxy.CutAll();
                Thread.Sleep(50);
            }
            var deadline = DateTime.UtcNow.AddSeconds(30);
            while (handled.Count < 10 && DateTime.UtcNow < deadline) Thread.Sleep(50);
            var closing = Stopwatch.StartNew();
            client.Close();
            Assert.True(closing.ElapsedMilliseconds < CloseBoundMs, "Close took " + closing.ElapsedMilliseconds + " ms");
            Assert.True(handled.Count >= 10, "handled: " + string.Join(", ", handled));
            // A handler's send waits at most its own OperationTimeoutMs (plus scheduling slack).
            Assert.True(slowest.Max() < 3000 + 1500, "slowest handler call " + slowest.Max() + " ms");
        }

        [Fact]
        public void WriteNeverReturns_SendTimesOutOnItsDeadlineAndCloseEndsTheTransport()
        {
            using var f = new HubFixture();
            var proxy = new StallingFactory(f.Transports);
            string cs = HubFixture.WithGateway(f.AddDevice("dev1"));
            var options = new DeviceClientOptions { Port = f.Hub.Port, OperationTimeoutMs = 1500 };
            var client = new DeviceClient(cs, proxy, DeviceConnector.Platform, options);
            client.Open();
            Assert.True(client.SendTelemetry(new byte[] { 1 }).IsAccepted);

            proxy.StallWrites = true;
            var watch = Stopwatch.StartNew();
            SendResult r = client.SendTelemetry(new byte[100]);
            long sendMs = watch.ElapsedMilliseconds;
            Assert.Equal(SendOutcome.TimedOut, r.Outcome);
            // Its deadline plus the documented 2 s of grace for the driver's verdict (docs/architecture.md), no more.
            Assert.InRange(sendMs, 1400, 1500 + 2000 + 1000);
            Assert.True(proxy.Last.Stalled, "the write really was stuck");

            watch.Restart();
            client.Close();
            Assert.True(watch.ElapsedMilliseconds < CloseBoundMs, "Close took " + watch.ElapsedMilliseconds + " ms");
            Assert.True(proxy.Last.Closed, "the stuck transport was closed from outside its write");
        }

        [Fact]
        public void WriteStuckPastTheWatchdog_TransportEndsAndTheClientReconnectsWithTheMessage()
        {
            using var f = new HubFixture();
            var proxy = new StallingFactory(f.Transports);
            string cs = HubFixture.WithGateway(f.AddDevice("dev1"));
            var options = new DeviceClientOptions { Port = f.Hub.Port, OperationTimeoutMs = 40000 };
            var client = new DeviceClient(cs, proxy, DeviceConnector.Platform, options);
            var statuses = new ConcurrentQueue<ClientStatus>();
            client.StatusChanged += (s, status, reason) => statuses.Enqueue(status);
            client.Open();
            proxy.StallWrites = true;
            var message = new Message(new byte[] { 7 }) { Properties = new MessageProperties { MessageId = "stuck-once" } };
            var watch = Stopwatch.StartNew();
            ThreadPool.QueueUserWorkItem(_ =>
            {
                Thread.Sleep(200);
                proxy.StallWrites = false; // only the current connection's writes stay stuck
            });
            SendResult r = client.SendTelemetry(message);
            Assert.True(r.IsAccepted, r.ToString());
            // The watchdog (ClientDriver.WriteTimeoutMs) ended the stuck connection; the send went out on the next.
            Assert.InRange(watch.ElapsedMilliseconds, ClientDriver.WriteTimeoutMs - 500, ClientDriver.WriteTimeoutMs + 10000);
            Assert.Contains(ClientStatus.Reconnecting, statuses);
            Assert.Contains(f.Hub.GetTelemetry("dev1"), t => t.MessageId == "stuck-once");
            client.Close();
        }

        [Fact]
        public void AfterAWindowOfSends_TheDriverLingersBrieflyThenSleeps()
        {
            using var f = new HubFixture();
            string cs = HubFixture.WithGateway(f.AddDevice("dev1"));
            var client = new DeviceClient(cs, f.Transports, DeviceConnector.Platform, new DeviceClientOptions { Port = f.Hub.Port });
            client.Open();
            var driver = (ClientDriver)typeof(DeviceClient).GetField("driver", System.Reflection.BindingFlags.Instance | System.Reflection.BindingFlags.NonPublic)!.GetValue(client)!;
            using var done = new SemaphoreSlim(0);
            var message = new Message(new byte[64]);
            for (int i = 0; i < 32; i++) client.BeginSendTelemetry(message, (s, m, r) => done.Release());
            for (int i = 0; i < 32; i++) Assert.True(done.Wait(10000), "outcome " + i);
            Thread.Sleep(300);
            int before = driver.Passes;
            Thread.Sleep(1000);
            int idle = driver.Passes - before;
            // Busy, the driver yields LingerPasses times before it sleeps; idle, it wakes only for its timers.
            Assert.True(idle <= ClientDriver.LingerPasses + 4, idle + " passes in 1 s with nothing to do");
            client.Close();
        }

        /// <summary>Desktop transports whose writes can be made to hang (until the transport is closed) or cut.</summary>
        private sealed class StallingFactory : ITransportFactory
        {
            private readonly ITransportFactory inner;
            private readonly ConcurrentBag<StallingTransport> all = new();

            public StallingFactory(ITransportFactory inner) => this.inner = inner;

            public volatile bool StallWrites;

            public StallingTransport Last { get; private set; }

            public ITransport Connect(string host, int port, bool useTls, int timeoutMilliseconds)
            {
                var t = new StallingTransport(inner.Connect(host, port, useTls, timeoutMilliseconds), this);
                all.Add(t);
                Last = t;
                return t;
            }

            public void CutAll()
            {
                foreach (StallingTransport t in all) t.Close();
            }

            internal sealed class StallingTransport : ITransport
            {
                private readonly ITransport inner;
                private readonly StallingFactory owner;
                private readonly ManualResetEventSlim closed = new(false);
                private bool stuck;

                public StallingTransport(ITransport inner, StallingFactory owner)
                {
                    this.inner = inner;
                    this.owner = owner;
                }

                public bool Stalled { get; private set; }

                public bool Closed => closed.IsSet;

                public void Send(byte[] buffer, int offset, int count)
                {
                    // Once stuck, this connection stays stuck: a dead path does not come back by itself.
                    if (owner.StallWrites || stuck)
                    {
                        stuck = true;
                        Stalled = true;
                        closed.Wait();
                        throw new IOException("the transport was closed during a write");
                    }
                    inner.Send(buffer, offset, count);
                }

                public int Receive(byte[] buffer, int offset, int count) => inner.Receive(buffer, offset, count);

                public void Close()
                {
                    closed.Set();
                    inner.Close();
                }
            }
        }
    }
}
