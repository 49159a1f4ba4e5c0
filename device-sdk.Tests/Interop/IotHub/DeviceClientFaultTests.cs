// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
using System.Collections.Concurrent;
using Amqp.Listener;
using IotHubAmqp.Device.InteropTests.TestSupport;
using IotHubAmqp.Device.IotHub;
using IotHubAmqp.Device.Platform;
using IotHubAmqp.Device.Messaging;

namespace IotHubAmqp.Device.InteropTests.IotHub
{
    /// <summary>Faults mid-stream: cut connections, redirects, bad input. Nothing accepted is lost, nothing is lost silently.</summary>
    public class DeviceClientFaultTests
    {
        [Fact]
        public async Task TwentyCutsInFiveHundredMessages_EveryMessageReachesTheHubAndEveryAcceptReallyWas()
        {
            using var f = new HubFixture();
            var options = new DeviceClientOptions { Retry = new RetryPolicy { MinDelayMs = 20, MaxDelayMs = 200 } };
            DeviceClient client = f.Client("dev1", options, out var events);
            client.Open();

            const int Messages = 500, Cuts = 20, Every = 24;
            var accepted = new ConcurrentBag<string>();
            var ids = new List<string>();
            int cuts = 0;
            var random = new Random(7);
            Task pending = Task.CompletedTask;
            for (int i = 0; i < Messages; i++)
            {
                if (i % Every == Every / 2 && i / Every < Cuts)
                {
                    // One cut every 24 messages, a random 0-2 ms after the send below starts, once reconnected.
                    await pending;
                    var deadline = DateTime.UtcNow.AddSeconds(10);
                    while (!(client.Status == ClientStatus.Connected && client.Reconnects >= Volatile.Read(ref cuts)) && DateTime.UtcNow < deadline) await Task.Delay(5);
                    int delay = random.Next(0, 3);
                    pending = Task.Run(() =>
                    {
                        Thread.Sleep(delay);
                        if (f.Hub.AbortDeviceConnections("dev1") > 0) Interlocked.Increment(ref cuts);
                    });
                }
                string id = "m-" + i;
                ids.Add(id);
                var m = new Message(BitConverter.GetBytes(i)) { Properties = new MessageProperties { MessageId = id } };
                SendResult r = client.SendTelemetry(m);
                Assert.True(r.IsAccepted, id + ": " + r);
                accepted.Add(id);
            }
            await pending;

            var atHub = f.Hub.GetTelemetry("dev1").Select(t => t.MessageId).ToList();
            var distinct = new HashSet<string>(atHub);
            Assert.Equal(Cuts, cuts);
            Assert.True(client.Reconnects >= Cuts, "reconnects: " + client.Reconnects);
            Assert.All(ids, id => Assert.Contains(id, distinct));
            Assert.All(accepted, id => Assert.Contains(id, distinct));
            Assert.Equal(ClientStatus.Connected, client.Status);
            // At-least-once: resends after a cut may duplicate; report how many.
            Console.WriteLine($"cuts {cuts}, reconnects {client.Reconnects}, duplicates {atHub.Count - distinct.Count}");
            client.Close();
        }

        [Fact]
        public void Redirect_AtAttach_IsFollowedToTheHostAndPortInItsInfo()
        {
            using var f = new HubFixture();
            using var redirector = new Redirector(f.Hub.HostName, f.Hub.Port);
            string cs = f.AddDevice("dev1").Split(";GatewayHostName=")[0] + ";GatewayHostName=127.0.0.1:" + redirector.Port;
            var transports = new TwoRoots(redirector.Port, new IotHubAmqp.Device.Platform.Desktop.DesktopTransportFactory(TestCertificates.Ca), f.Transports);
            var client = new DeviceClient(cs, transports, DeviceConnector.Platform, new DeviceClientOptions());
            client.Open();
            Assert.True(redirector.Redirected > 0);
            Assert.True(client.SendTelemetry(new byte[] { 1 }).IsAccepted);
            Assert.Single(f.Hub.GetTelemetry("dev1"));
            client.Close();
        }

        [Fact]
        public void BadMessages_AreRefusedBeforeAnythingIsSent()
        {
            using var f = new HubFixture();
            DeviceClient client = f.Client("dev1", null, out _);
            client.Open();
            Assert.Throws<ArgumentNullException>(() => client.SendTelemetry((Message)null));
            Assert.Throws<ArgumentNullException>(() => client.SendTelemetry((byte[])null));
            var tooBig = Assert.Throws<ArgumentException>(() => client.SendTelemetry(new byte[256 * 1024 + 1]));
            Assert.Contains("262144", tooBig.Message);
            var noBody = Assert.Throws<ArgumentException>(() => client.SendTelemetry(new Message()));
            Assert.Contains("no body", noBody.Message);
            Assert.Empty(f.Hub.GetTelemetry("dev1"));
            Assert.True(client.SendTelemetry(new byte[256 * 1024]).IsAccepted, "the largest allowed message goes through");
            client.Close();
        }

        [Theory]
        [InlineData("127.0.0.1:99999")]
        [InlineData("127.0.0.1:port")]
        [InlineData("127.0.0.1:0")]
        public void Open_GatewayWithABadPort_NamesTheField(string gateway)
        {
            string key = Convert.ToBase64String(new byte[32]);
            var client = new DeviceClient("HostName=h.azure-devices.net;DeviceId=d;SharedAccessKey=" + key + ";GatewayHostName=" + gateway,
                new IotHubAmqp.Device.Platform.Desktop.DesktopTransportFactory(TestCertificates.Ca), DeviceConnector.Platform);
            var e = Assert.Throws<ArgumentException>(() => client.Open());
            Assert.Contains("GatewayHostName has an invalid port", e.Message);
            Assert.DoesNotContain(key, e.Message);
        }

        [Fact]
        public void StatusEventsAndErrors_NeverShowTheKeyOrToken()
        {
            using var f = new HubFixture();
            string cs = f.AddDevice("dev1");
            string key = cs.Split("SharedAccessKey=")[1].Split(';')[0];
            var reasons = new ConcurrentQueue<string>();
            var client = new DeviceClient(cs, f.Transports, DeviceConnector.Platform,
                new DeviceClientOptions { TokenLifetimeSeconds = 3, Retry = new RetryPolicy { MinDelayMs = 20, MaxDelayMs = 100 } });
            client.StatusChanged += (s, status, reason) => reasons.Enqueue(status + " " + reason);
            client.Open();
            f.Hub.DetachDeviceLinks("dev1", "amqp:unauthorized-access", "Token Invalid.");
            Thread.Sleep(4000);
            client.Close();
            Assert.NotEmpty(reasons);
            Assert.All(reasons, r => Assert.DoesNotContain(key, r));
            Assert.All(reasons, r => Assert.DoesNotContain("sig=", r));
            Assert.DoesNotContain(key, IotHubConnectionString.Parse(cs).ToString());
        }

        /// <summary>Trusts one CA for one port and another for the rest (the redirector and the hub have different CAs).</summary>
        private sealed class TwoRoots : ITransportFactory
        {
            private readonly int port;
            private readonly ITransportFactory forPort;
            private readonly ITransportFactory others;

            public TwoRoots(int port, ITransportFactory forPort, ITransportFactory others)
            {
                this.port = port;
                this.forPort = forPort;
                this.others = others;
            }

            public ITransport Connect(string host, int p, bool useTls, int timeoutMilliseconds) =>
                (p == port ? forPort : others).Connect(host, p, useTls, timeoutMilliseconds);
        }

        /// <summary>An AMQP.Net Lite listener that answers every attach with amqp:link:redirect to the hub.</summary>
        private sealed class Redirector : IDisposable
        {
            private readonly ContainerHost host;
            private int redirected;

            public Redirector(string hubHost, int hubPort)
            {
                var l = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
                l.Start();
                Port = ((System.Net.IPEndPoint)l.LocalEndpoint).Port;
                l.Stop();
                host = new ContainerHost(new List<Amqp.Address> { new Amqp.Address("amqps://127.0.0.1:" + Port) }, TestCertificates.Server);
                host.RegisterLinkProcessor(new Processor(this, hubHost, hubPort));
                host.Open();
            }

            public int Port { get; }

            public int Redirected => Volatile.Read(ref redirected);

            public void Dispose() => host.Close();

            private sealed class Processor : ILinkProcessor
            {
                private readonly Redirector owner;
                private readonly string hubHost;
                private readonly int hubPort;

                public Processor(Redirector owner, string hubHost, int hubPort)
                {
                    this.owner = owner;
                    this.hubHost = hubHost;
                    this.hubPort = hubPort;
                }

                public void Process(AttachContext attachContext)
                {
                    Interlocked.Increment(ref owner.redirected);
                    var info = new Amqp.Types.Fields
                    {
                        [new Amqp.Types.Symbol("hostname")] = hubHost,
                        [new Amqp.Types.Symbol("network-host")] = "127.0.0.1",
                        [new Amqp.Types.Symbol("port")] = hubPort,
                        [new Amqp.Types.Symbol("address")] = "amqps://" + hubHost + ":" + hubPort + "/$cbs",
                    };
                    attachContext.Complete(new Amqp.Framing.Error(new Amqp.Types.Symbol("amqp:link:redirect")) { Description = "moved", Info = info });
                }
            }
        }
    }
}
