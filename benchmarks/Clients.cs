// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
using System.Reflection;
using Amqp.Framing;
using IotHubAmqp.Device.InteropTests.TestSupport;
using IotHubAmqp.Device.Platform;
using IotHubAmqp.Device.Platform.Desktop;
using DeviceMessage = IotHubAmqp.Device.Messaging.Message;
using LiteMessage = Amqp.Message;

namespace IotHubAmqp.Benchmarks
{
    /// <summary>One client under test, attached to the peer with a telemetry sender (and optionally a C2D receiver).</summary>
    internal interface IBenchClient : IDisposable
    {
        /// <summary>Sends one message unsettled and waits for the peer's outcome (must be accepted).</summary>
        void Send(byte[] payload);

        /// <summary>Sends <paramref name="count"/> messages keeping up to <paramref name="window"/> unsettled at once.</summary>
        void SendWindow(byte[] payload, int count, int window);

        /// <summary>Messages queued in the C2D receiver (prefetched, not yet taken).</summary>
        int C2dQueued { get; }
    }

    /// <summary>How a client connects to the peer.</summary>
    internal sealed record ClientOptions(string Host, int Port, bool Tls, uint MaxFrameSize, string CaPemPath, string C2dAddress = null, uint C2dPrefetch = 1, bool BlockingSocket = false)
    {
        private static int counter;

        /// <summary>A fresh suffix: the peer treats a second link of the same name and container as stealing the first.</summary>
        public static string Unique() => Interlocked.Increment(ref counter).ToString();
    }

    /// <summary>
    /// The device SDK's engine (Connection, Session, SenderLink, ReceiverLink: internal types of the nano-compiled
    /// assembly) driven by the interop tests' EngineRunner (one reader thread, one lock, a timer for heartbeats)
    /// through <see cref="EngineClient"/>, the public face that assembly gives it (the device assembly's
    /// InternalsVisibleTo names the interop tests, not the benchmark).
    /// </summary>
    internal sealed class OurClient : IBenchClient
    {
        public static readonly IPlatform Platform = new DesktopPlatform();

        private readonly EngineClient client;

        /// <summary>Heap retained after each step of opening (diagnostics: where the bytes go).</summary>
        public static List<(string Step, long Bytes)> Breakdown;

        private static void Mark(string step)
        {
            if (Breakdown != null) Breakdown.Add((step, Heap.Settled()));
        }

        public OurClient(ClientOptions o)
        {
            Mark("start");
            ITransport raw = o.BlockingSocket ? new BlockingTransport(o.Port) : DesktopTransportFactory.FromPemFile(o.CaPemPath).Connect(o.Host, o.Port, o.Tls, 10000);
            Transport = new CountingTransport(raw);
            Mark("TCP transport");
            string id = ClientOptions.Unique();
            client = new EngineClient(Transport, "bench-device-" + id, o.Host, o.MaxFrameSize, id, "/devices/bench-device/messages/events",
                o.C2dAddress, o.C2dPrefetch, Breakdown != null ? Mark : null);
        }

        /// <summary>Counts bytes and Send calls at the engine's transport (AMQP level, before TLS).</summary>
        public CountingTransport Transport { get; }

        /// <summary>What an object-graph walk of this client starts from.</summary>
        public object Graph => client.Graph;

        public int C2dQueued => client.C2dQueued;

        public void Send(byte[] payload) => client.Send(new DeviceMessage(payload));

        public void SendWindow(byte[] payload, int count, int size) => client.SendWindow(payload, count, size);

        public void Dispose() => client.Dispose();
    }

    /// <summary>
    /// The SDK's public face: <see cref="IotHubAmqp.Device.IotHub.DeviceClient"/> (CBS, no SASL, its own driver and
    /// handler threads), with one reused message: <c>TrySendTelemetry</c> one at a time, <c>BeginSendTelemetry</c> for a window.
    /// </summary>
    internal sealed class PublicClient : IBenchClient
    {
        private readonly IotHubAmqp.Device.IotHub.DeviceClient client;

        public PublicClient(ClientOptions o)
        {
            string cs = "HostName=bench-hub.azure-devices.net;DeviceId=bench-device;SharedAccessKey=" + Convert.ToBase64String(new byte[32]) + ";GatewayHostName=" + o.Host;
            var options = new IotHubAmqp.Device.IotHub.DeviceClientOptions { MaxFrameSize = o.MaxFrameSize, Port = o.Port, ReceiveCloudToDevice = false };
            ITransportFactory transports = o.Tls ? DesktopTransportFactory.FromPemFile(o.CaPemPath) : new Measurements.PlainFactory(o.CaPemPath);
            client = new IotHubAmqp.Device.IotHub.DeviceClient(cs, transports, OurClient.Platform, options);
            client.Open();
        }

        public int C2dQueued => 0;

        public void Send(byte[] payload)
        {
            if (!client.TrySendTelemetry(new DeviceMessage(payload), out var failure)) throw new InvalidOperationException("not accepted: " + failure);
        }

        public void SendWindow(byte[] payload, int count, int window)
        {
            int failures = 0;
            var message = new DeviceMessage(payload);
            using var done = new SemaphoreSlim(0);
            IotHubAmqp.Device.IotHub.SendCompletedHandler callback = (sender, m, result) =>
            {
                if (!result.IsAccepted) Interlocked.Increment(ref failures);
                done.Release();
            };
            int outstanding = 0;
            for (int i = 0; i < count; i++)
            {
                if (outstanding == window)
                {
                    if (!done.Wait(10000)) throw new TimeoutException("no outcome");
                    outstanding--;
                }
                client.BeginSendTelemetry(message, callback);
                outstanding++;
            }
            while (outstanding-- > 0)
                if (!done.Wait(10000)) throw new TimeoutException("no outcome");
            if (failures > 0) throw new InvalidOperationException(failures + " messages not accepted");
        }

        public void Dispose() => client.Close();
    }

    /// <summary>AMQP.Net Lite 2.5.5's client: Connection, Session, SenderLink (and ReceiverLink for C2D), no SASL.</summary>
    internal sealed class LiteClient : IBenchClient
    {
        private readonly Amqp.Connection connection;
        private readonly Amqp.SenderLink sender;
        private readonly Amqp.ReceiverLink receiver;

        public LiteClient(ClientOptions o)
        {
            var factory = new Amqp.ConnectionFactory();
            factory.AMQP.MaxFrameSize = (int)o.MaxFrameSize;
            string id = ClientOptions.Unique();
            factory.AMQP.ContainerId = "bench-device-" + id;
            factory.TCP.NoDelay = true;
            // The peer's CA is not in the system store; this client trusts it by callback (ours validates the chain).
            factory.SSL.RemoteCertificateValidationCallback = (s, c, ch, e) => true;
            var address = new Amqp.Address((o.Tls ? "amqps://" : "amqp://") + o.Host + ":" + o.Port);
            connection = factory.CreateAsync(address).GetAwaiter().GetResult();
            var session = new Amqp.Session(connection);
            var attached = new ManualResetEventSlim();
            sender = new Amqp.SenderLink(session, "telemetry-" + id, new Attach
            {
                Source = new Source { Address = "telemetry-" + id },
                Target = new Target { Address = "/devices/bench-device/messages/events" },
                SndSettleMode = SenderSettleMode.Unsettled,
                RcvSettleMode = ReceiverSettleMode.First,
            }, (l, a) => attached.Set());
            if (o.C2dAddress != null)
            {
                receiver = new Amqp.ReceiverLink(session, "c2d-" + id, o.C2dAddress);
                receiver.SetCredit((int)o.C2dPrefetch, false);
            }
            if (!attached.Wait(10000)) throw new TimeoutException("AMQP.Net Lite sender not attached");
        }

        public int C2dQueued
        {
            get
            {
                // ReceiverLink keeps prefetched messages in a private queue; count it by reflection (diagnostics only).
                var queueField = typeof(Amqp.ReceiverLink).GetField("receivedMessages", BindingFlags.NonPublic | BindingFlags.Instance);
                object list = queueField?.GetValue(receiver);
                var count = list?.GetType().GetProperty("Count", BindingFlags.NonPublic | BindingFlags.Public | BindingFlags.Instance);
                return count == null ? -1 : (int)count.GetValue(list);
            }
        }

        public void Send(byte[] payload)
        {
            // Send(message) waits for the outcome and throws unless it is accepted.
            sender.Send(new LiteMessage { BodySection = new Data { Binary = payload } });
        }

        public void SendWindow(byte[] payload, int count, int window)
        {
            int failures = 0;
            int outstanding = 0;
            using var done = new SemaphoreSlim(0);
            Amqp.OutcomeCallback callback = (link, message, outcome, state) =>
            {
                if (!(outcome is Amqp.Framing.Accepted)) Interlocked.Increment(ref failures);
                done.Release();
            };
            for (int i = 0; i < count; i++)
            {
                if (outstanding == window)
                {
                    if (!done.Wait(10000)) throw new TimeoutException("no outcome");
                    outstanding--;
                }
                sender.Send(new LiteMessage { BodySection = new Data { Binary = payload } }, callback, null);
                outstanding++;
            }
            while (outstanding-- > 0)
                if (!done.Wait(10000)) throw new TimeoutException("no outcome");
            if (failures > 0) throw new InvalidOperationException(failures + " messages not accepted");
        }

        public void Dispose()
        {
            connection.Close(TimeSpan.FromSeconds(2));
        }
    }
}
