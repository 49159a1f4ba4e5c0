// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Amqp;
using Amqp.Framing;
using Amqp.Listener;

namespace IotHubAmqp.Device.InteropTests.TestSupport
{
    /// <summary>
    /// A real, independently written AMQP 1.0 peer for the engine's interop tests: AMQP.Net Lite's
    /// <see cref="ContainerHost"/> on 127.0.0.1 over TLS with the test CA's server certificate. Messages our
    /// senders send are collected per address; messages queued here flow to our receivers as credit allows.
    /// </summary>
    internal sealed class LiteBroker : IDisposable
    {
        public const string User = "device1";
        public const string Password = "not-a-real-secret";

        private readonly ContainerHost host;
        private readonly ConcurrentDictionary<string, SourceEndpoint> sources = new();

        /// <param name="sasl">"none", "plain" or "anonymous".</param>
        /// <param name="maxFrameSize">The broker's max-frame-size, or 0 for the library default.</param>
        public LiteBroker(string sasl, int initialCredit = 100, uint maxFrameSize = 0)
        {
            Port = FreePort();
            var address = new Address("amqps://127.0.0.1:" + Port);
            host = new ContainerHost(new List<Address> { address }, TestCertificates.Server);
            ConnectionListener listener = host.Listeners[0];
            listener.SSL.Protocols = System.Security.Authentication.SslProtocols.Tls12 | System.Security.Authentication.SslProtocols.Tls13;
            if (maxFrameSize > 0) listener.AMQP.MaxFrameSize = (int)maxFrameSize;
            // Touching SASL creates the SASL layer; leaving it alone means the listener takes no-SASL clients.
            if (sasl == "plain") listener.SASL.EnablePlainMechanism(User, Password);
            else if (sasl == "anonymous") listener.SASL.EnableAnonymousMechanism = true;
            else if (sasl != "none") throw new ArgumentException(sasl);
            InitialCredit = initialCredit;
            host.RegisterLinkProcessor(new LinkProcessor(this));
            host.Open();
        }

        public int Port { get; }

        public int InitialCredit { get; }

        /// <summary>What the broker answers to each message our sender sends; accepted when null.</summary>
        public Func<Message, Error> RejectWith { get; set; }

        /// <summary>Messages received, by target address.</summary>
        public ConcurrentDictionary<string, BlockingCollection<Message>> Received { get; } = new();

        /// <summary>Outcomes our receivers sent, in order.</summary>
        public BlockingCollection<(Message Message, DeliveryState State, bool Settled)> Dispositions { get; } = new();

        /// <summary>Links as the broker sees them, by link name: detach them with an error from a test.</summary>
        public ConcurrentDictionary<string, ListenerLink> Links { get; } = new();

        /// <summary>Connections accepted, in order: close them with an error from a test.</summary>
        public BlockingCollection<ListenerConnection> Connections { get; } = new();

        public BlockingCollection<Message> ReceivedOn(string address) => Received.GetOrAdd(address, _ => new BlockingCollection<Message>());

        /// <summary>Queues a message for our receiver attached to <paramref name="address"/>; it leaves when credit allows.</summary>
        public void Enqueue(string address, Message message) => sources.GetOrAdd(address, a => new SourceEndpoint(this)).Enqueue(message);

        public ListenerLink WaitLink(string name, int timeoutMs = 10000)
        {
            var deadline = DateTime.UtcNow.AddMilliseconds(timeoutMs);
            while (DateTime.UtcNow < deadline)
            {
                if (Links.TryGetValue(name, out var link)) return link;
                Thread.Sleep(10);
            }
            throw new TimeoutException("link " + name + " never attached");
        }

        public void Dispose() => host.Close();

        private static int FreePort()
        {
            var l = new TcpListener(IPAddress.Loopback, 0);
            l.Start();
            int port = ((IPEndPoint)l.LocalEndpoint).Port;
            l.Stop();
            return port;
        }

        private sealed class LinkProcessor : ILinkProcessor
        {
            private readonly LiteBroker broker;

            public LinkProcessor(LiteBroker broker) => this.broker = broker;

            public void Process(AttachContext ctx)
            {
                broker.Links[ctx.Attach.LinkName] = ctx.Link;
                var connection = (ListenerConnection)ctx.Link.Session.Connection;
                if (!broker.Connections.Contains(connection)) broker.Connections.Add(connection);
                if (ctx.Attach.Role)
                {
                    // The peer receives: we are the source.
                    string address = ((Source)ctx.Attach.Source).Address;
                    var endpoint = broker.sources.GetOrAdd(address, a => new SourceEndpoint(broker));
                    endpoint.Attach(ctx.Link);
                    ctx.Complete(endpoint, 0);
                }
                else
                {
                    string address = ((Target)ctx.Attach.Target).Address;
                    ctx.Complete(new TargetEndpoint(broker, broker.ReceivedOn(address)), broker.InitialCredit);
                }
            }
        }

        private sealed class TargetEndpoint : LinkEndpoint
        {
            private readonly LiteBroker broker;
            private readonly BlockingCollection<Message> sink;

            public TargetEndpoint(LiteBroker broker, BlockingCollection<Message> sink)
            {
                this.broker = broker;
                this.sink = sink;
            }

            public override void OnMessage(MessageContext messageContext)
            {
                sink.Add(messageContext.Message);
                Error error = broker.RejectWith?.Invoke(messageContext.Message);
                if (error == null) messageContext.Complete();
                else messageContext.Complete(error);
            }

            public override void OnFlow(FlowContext flowContext)
            {
            }

            public override void OnDisposition(DispositionContext dispositionContext)
            {
                dispositionContext.Complete();
            }
        }

        private sealed class SourceEndpoint : LinkEndpoint
        {
            private readonly LiteBroker broker;
            private readonly Queue<Message> pending = new();
            private ListenerLink link;
            private int credit;

            public SourceEndpoint(LiteBroker broker) => this.broker = broker;

            public void Attach(ListenerLink l)
            {
                lock (pending)
                {
                    link = l;
                    credit = 0;
                }
            }

            public void Enqueue(Message m)
            {
                lock (pending)
                {
                    pending.Enqueue(m);
                    Pump();
                }
            }

            public override void OnFlow(FlowContext flowContext)
            {
                lock (pending)
                {
                    credit = flowContext.Messages;
                    Pump();
                }
            }

            private void Pump()
            {
                while (link != null && credit > 0 && pending.Count > 0)
                {
                    credit--;
                    link.SendMessage(pending.Dequeue());
                }
            }

            public override void OnDisposition(DispositionContext dispositionContext)
            {
                broker.Dispositions.Add((dispositionContext.Message, dispositionContext.DeliveryState, dispositionContext.Settled));
                dispositionContext.Complete();
            }

            public override void OnMessage(MessageContext messageContext)
            {
            }
        }
    }
}
