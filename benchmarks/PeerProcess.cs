// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Amqp;
using Amqp.Framing;
using Amqp.Listener;
using Amqp.Types;
using IotHubAmqp.LocalHub;

namespace IotHubAmqp.Benchmarks
{
    /// <summary>
    /// The peer side, run in a child process so that its allocations, threads and GC never show in the
    /// client's figures: an AMQP.Net Lite <see cref="ContainerHost"/> on 127.0.0.1 (plain, TLS, and plain
    /// with SASL ANONYMOUS) that accepts every message and answers CBS put-token, the local hub (CBS and PLAIN
    /// round trips), and counting/delaying TCP proxies. It is driven by one-line commands on stdin.
    /// </summary>
    internal static class PeerProcess
    {
        public const int InitialCredit = 100;

        private static readonly ConcurrentDictionary<int, Proxy> Proxies = new();
        private static readonly ConcurrentDictionary<Connection, ListenerLink> CbsReplyLinks = new();

        public static int Run()
        {
            var certs = Certificates.Create();
            int plain = FreePort(), tls = FreePort(), anon = FreePort();
            var host = new ContainerHost(new List<Address>
            {
                new Address("amqp://127.0.0.1:" + plain),
                new Address("amqps://127.0.0.1:" + tls),
                new Address("amqp://127.0.0.1:" + anon),
            }, certs.Server);
            foreach (var l in host.Listeners)
            {
                l.SSL.Protocols = System.Security.Authentication.SslProtocols.Tls12 | System.Security.Authentication.SslProtocols.Tls13;
                l.AMQP.MaxFrameSize = 256 * 1024;
            }
            host.Listeners[2].SASL.EnableAnonymousMechanism = true;
            host.RegisterLinkProcessor(new AcceptAll());
            host.Open();

            var hub = new LocalHub.LocalHub(new LocalHubOptions { Port = 0, HubName = "bench-hub" });
            hub.Registry.AddDevice("bench-device");
            hub.Start();

            Console.WriteLine($"ready {plain} {tls} {anon} {hub.Port} {certs.CaPemPath} {hub.CaCertificatePath} {hub.DeviceConnectionString("bench-device")}");
            string line;
            while ((line = Console.ReadLine()) != null)
            {
                string[] p = line.Split(' ');
                try
                {
                    switch (p[0])
                    {
                        case "proxy":
                            var proxy = new Proxy(int.Parse(p[1]), int.Parse(p[2]));
                            Proxies[proxy.Port] = proxy;
                            Console.WriteLine("ok " + proxy.Port);
                            break;
                        case "stats":
                            var s = Proxies[int.Parse(p[1])];
                            Console.WriteLine($"ok {s.BytesUp} {s.ChunksUp} {s.BytesDown} {s.ChunksDown} {s.Connections}");
                            break;
                        case "reset":
                            Proxies[int.Parse(p[1])].Reset();
                            Console.WriteLine("ok");
                            break;
                        case "quit":
                            Console.WriteLine("ok");
                            host.Close();
                            hub.Dispose();
                            File.Delete(certs.CaPemPath);
                            return 0;
                        default:
                            Console.WriteLine("error unknown command " + p[0]);
                            break;
                    }
                }
                catch (Exception e)
                {
                    Console.WriteLine("error " + e.GetType().Name + ": " + e.Message.Replace('\n', ' '));
                }
            }
            host.Close();
            hub.Dispose();
            return 0;
        }

        internal static int FreePort()
        {
            var l = new TcpListener(IPAddress.Loopback, 0);
            l.Start();
            int port = ((IPEndPoint)l.LocalEndpoint).Port;
            l.Stop();
            return port;
        }

        /// <summary>Accepts every link: senders get credit and every message is accepted; receivers are fed by address.</summary>
        private sealed class AcceptAll : ILinkProcessor
        {
            public void Process(AttachContext ctx)
            {
                if (ctx.Attach.Role)
                {
                    // The client receives: "$cbs" replies, "c2d-fill" a never-ending stream of 1 KB messages, else nothing.
                    string address = ((Source)ctx.Attach.Source).Address ?? "";
                    if (address == "$cbs") CbsReplyLinks[ctx.Link.Session.Connection] = ctx.Link;
                    ctx.Complete(address.StartsWith("c2d-fill", StringComparison.Ordinal) ? new Filler(ctx.Link) : new Idle(), 0);
                }
                else
                {
                    string address = ((Target)ctx.Attach.Target).Address ?? "";
                    ctx.Complete(address == "$cbs" ? new Cbs() : new Sink(), InitialCredit);
                }
            }
        }

        private sealed class Sink : LinkEndpoint
        {
            public override void OnMessage(MessageContext messageContext) => messageContext.Complete();

            public override void OnFlow(FlowContext flowContext)
            {
            }

            public override void OnDisposition(DispositionContext dispositionContext) => dispositionContext.Complete();
        }

        /// <summary>Answers put-token with status 200 on the connection's $cbs receiver (IoT Hub's CBS, minus the checks).</summary>
        private sealed class Cbs : LinkEndpoint
        {
            public override void OnMessage(MessageContext messageContext)
            {
                var request = messageContext.Message;
                messageContext.Complete();
                if (!CbsReplyLinks.TryGetValue(messageContext.Link.Session.Connection, out var reply)) return;
                var answer = new Message
                {
                    Properties = new Properties { CorrelationId = request.Properties?.MessageId },
                    ApplicationProperties = new ApplicationProperties(),
                };
                answer.ApplicationProperties["status-code"] = 200;
                answer.ApplicationProperties["status-description"] = "OK";
                reply.SendMessage(answer);
            }

            public override void OnFlow(FlowContext flowContext)
            {
            }

            public override void OnDisposition(DispositionContext dispositionContext) => dispositionContext.Complete();
        }

        private sealed class Idle : LinkEndpoint
        {
            public override void OnMessage(MessageContext messageContext)
            {
            }

            public override void OnFlow(FlowContext flowContext)
            {
            }

            public override void OnDisposition(DispositionContext dispositionContext) => dispositionContext.Complete();
        }

        /// <summary>Sends 1 KB messages as long as the receiver grants credit.</summary>
        private sealed class Filler : LinkEndpoint
        {
            private static readonly byte[] Payload = new byte[1024];
            private readonly ListenerLink link;

            public Filler(ListenerLink link) => this.link = link;

            public override void OnFlow(FlowContext flowContext)
            {
                for (int i = 0; i < flowContext.Messages; i++)
                    link.SendMessage(new Message { BodySection = new Data { Binary = Payload } });
            }

            public override void OnMessage(MessageContext messageContext)
            {
            }

            public override void OnDisposition(DispositionContext dispositionContext) => dispositionContext.Complete();
        }
    }
}
