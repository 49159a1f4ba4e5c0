// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
using System.Linq.Expressions;
using System.Reflection;
using Amqp.Framing;
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
    /// assembly) driven through compiled expression delegates, which the runtime lets reach internal members. The
    /// delegates cost one virtual call each: nothing is allocated by the bridge on the send path.
    /// </summary>
    internal sealed class OurClient : IBenchClient
    {
        private static readonly Assembly Device = typeof(DeviceMessage).Assembly;
        private static readonly Type ConnectionType = Device.GetType("IotHubAmqp.Device.Engine.Connection", true);
        private static readonly Type SettingsType = Device.GetType("IotHubAmqp.Device.Engine.ConnectionSettings", true);
        private static readonly Type SessionType = Device.GetType("IotHubAmqp.Device.Engine.Session", true);
        private static readonly Type SenderType = Device.GetType("IotHubAmqp.Device.Engine.SenderLink", true);
        private static readonly Type ReceiverType = Device.GetType("IotHubAmqp.Device.Engine.ReceiverLink", true);
        private static readonly Type LinkType = Device.GetType("IotHubAmqp.Device.Engine.Link", true);
        private static readonly Type AcceptedType = Device.GetType("IotHubAmqp.Device.Framing.Accepted", true);
        private static readonly Func<object, DeviceMessage, int, object> SendFn = Bind<Func<object, DeviceMessage, int, object>>(SenderType, "Send");
        private static readonly Func<object, DeviceMessage, int, object> BeginFn = Bind<Func<object, DeviceMessage, int, object>>(SenderType, "BeginSend");
        private static readonly Func<object, object, int, object> EndFn = Bind<Func<object, object, int, object>>(SenderType, "EndSend");

        public static readonly IPlatform Platform = new DesktopPlatform();

        private readonly object connection;
        private readonly object sender;
        private readonly object receiver;
        private readonly object[] window = new object[64];

        /// <summary>Heap retained after each step of opening (diagnostics: where the bytes go).</summary>
        public static List<(string Step, long Bytes)> Breakdown;

        private static void Mark(string step)
        {
            if (Breakdown != null) Breakdown.Add((step, GC.GetTotalMemory(true)));
        }

        public OurClient(ClientOptions o)
        {
            Mark("start");
            ITransport raw = o.BlockingSocket ? new BlockingTransport(o.Port) : DesktopTransportFactory.FromPemFile(o.CaPemPath).Connect(o.Host, o.Port, o.Tls, 10000);
            Transport = new CountingTransport(raw);
            Mark("TCP transport");
            object settings = Activator.CreateInstance(SettingsType, true);
            string id = ClientOptions.Unique();
            SettingsType.GetField("ContainerId").SetValue(settings, "bench-device-" + id);
            SettingsType.GetField("HostName").SetValue(settings, o.Host);
            SettingsType.GetField("MaxFrameSize").SetValue(settings, o.MaxFrameSize);
            connection = ConnectionType.GetMethod("Start").Invoke(null, new object[] { Transport, settings, Platform, 10000 });
            // Diagnostics wait step by step; a measured open pipelines everything as the SDK does.
            bool steps = Breakdown != null;
            if (steps) ConnectionType.GetMethod("WaitOpened").Invoke(connection, new object[] { 10000 });
            Mark("connection opened (I/O thread, timer, 2 frame buffers)");
            object session = ConnectionType.GetMethod("BeginSession").Invoke(connection, new object[] { 0u });
            if (steps) SessionType.GetMethod("WaitMapped").Invoke(session, new object[] { 10000 });
            Mark("session");
            sender = SessionType.GetMethod("AttachSender").Invoke(session, new object[] { "telemetry-" + id, "/devices/bench-device/messages/events", (byte)0, null });
            if (steps) LinkType.GetMethod("WaitAttached").Invoke(sender, new object[] { 10000 });
            Mark("telemetry sender");
            if (o.C2dAddress != null)
                receiver = SessionType.GetMethod("AttachReceiver").Invoke(session, new object[] { "c2d-" + id, o.C2dAddress, o.C2dPrefetch, (byte)0, 72 * 1024, null });
            ConnectionType.GetMethod("WaitOpened").Invoke(connection, new object[] { 10000 });
            LinkType.GetMethod("WaitAttached").Invoke(sender, new object[] { 10000 });
            if (receiver != null) LinkType.GetMethod("WaitAttached").Invoke(receiver, new object[] { 10000 });
            Mark("C2D receiver");
        }

        /// <summary>Counts bytes and Send calls at the engine's transport (AMQP level, before TLS).</summary>
        public CountingTransport Transport { get; }

        public int C2dQueued => receiver == null ? 0 : (int)ReceiverType.GetProperty("Queued").GetValue(receiver);

        public void Send(byte[] payload)
        {
            object outcome = SendFn(sender, new DeviceMessage(payload), 10000);
            if (outcome == null || outcome.GetType() != AcceptedType) throw new InvalidOperationException("not accepted: " + outcome);
        }

        public void SendWindow(byte[] payload, int count, int size)
        {
            int head = 0, tail = 0;
            for (int i = 0; i < count; i++)
            {
                if (tail - head == size) End(window[head++ % window.Length]);
                window[tail++ % window.Length] = BeginFn(sender, new DeviceMessage(payload), 10000);
            }
            while (head < tail) End(window[head++ % window.Length]);
        }

        private void End(object delivery)
        {
            object outcome = EndFn(sender, delivery, 10000);
            if (outcome == null || outcome.GetType() != AcceptedType) throw new InvalidOperationException("not accepted: " + outcome);
        }

        public void Dispose()
        {
            ConnectionType.GetMethod("Close").Invoke(connection, new object[] { 2000, null });
        }

        // (instance, args...) => (object)((T)instance).Method((TArg)arg...)
        private static TDelegate Bind<TDelegate>(Type type, string name)
        {
            MethodInfo method = type.GetMethod(name, BindingFlags.Public | BindingFlags.Instance);
            Type[] delegateArgs = typeof(TDelegate).GetGenericArguments();
            var parameters = new ParameterExpression[delegateArgs.Length - 1];
            for (int i = 0; i < parameters.Length; i++) parameters[i] = Expression.Parameter(delegateArgs[i]);
            ParameterInfo[] mp = method.GetParameters();
            var args = new Expression[mp.Length];
            for (int i = 0; i < mp.Length; i++) args[i] = Expression.Convert(parameters[i + 1], mp[i].ParameterType);
            Expression call = Expression.Call(Expression.Convert(parameters[0], type), method, args);
            return Expression.Lambda<TDelegate>(Expression.Convert(call, typeof(object)), parameters).Compile();
        }
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
