// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
using IotHubAmqp.Device.Engine;
using IotHubAmqp.Device.Framing;
using IotHubAmqp.Device.Platform;
using DeviceMessage = IotHubAmqp.Device.Messaging.Message;

namespace IotHubAmqp.Device.InteropTests.TestSupport
{
    /// <summary>
    /// The engine as the benchmarks drive it: one <see cref="EngineRunner"/> with a session, a telemetry sender and
    /// optionally a C2D receiver. Public, with only public types in its surface, because the benchmark assembly
    /// cannot see the device SDK's internals (their InternalsVisibleTo names this assembly, not the benchmark's).
    /// </summary>
    public sealed class EngineClient : IDisposable
    {
        private const int Timeout = 10000;

        private readonly EngineRunner runner;
        private readonly SenderLink sender;
        private readonly ReceiverLink receiver;
        private readonly OutgoingDelivery[] window = new OutgoingDelivery[SenderLink.MaxInFlight];

        /// <param name="mark">Called after each step of opening; with it, each step also waits for the peer.</param>
        public EngineClient(ITransport transport, string containerId, string hostName, uint maxFrameSize, string linkSuffix,
            string telemetryAddress, string c2dAddress = null, uint c2dPrefetch = 1, Action<string> mark = null)
        {
            var settings = new ConnectionSettings { ContainerId = containerId, HostName = hostName, MaxFrameSize = maxFrameSize };
            runner = EngineRunner.Start(transport, settings);
            try
            {
                // Diagnostics wait step by step; a measured open pipelines everything as the SDK does.
                bool steps = mark != null;
                if (steps) runner.WaitOpened(Timeout);
                mark?.Invoke("connection opened (reader thread, timer, 2 frame buffers)");
                Session session = runner.BeginSession();
                if (steps) runner.WaitMapped(session, Timeout);
                mark?.Invoke("session");
                sender = runner.AttachSender(session, "telemetry-" + linkSuffix, telemetryAddress);
                if (steps) runner.WaitAttached(sender, Timeout);
                mark?.Invoke("telemetry sender");
                if (c2dAddress != null) receiver = runner.AttachReceiver(session, "c2d-" + linkSuffix, c2dAddress, c2dPrefetch, 72 * 1024);
                runner.WaitOpened(Timeout);
                runner.WaitAttached(sender, Timeout);
                if (receiver != null) runner.WaitAttached(receiver, Timeout);
                mark?.Invoke("C2D receiver");
            }
            catch (Exception)
            {
                runner.Dispose();
                throw;
            }
        }

        /// <summary>Messages the C2D receiver holds (prefetched, not taken); 0 without one.</summary>
        public int C2dQueued => receiver == null ? 0 : runner.Queued(receiver);

        /// <summary>Bytes the engine wrote (AMQP level, before TLS).</summary>
        public long BytesWritten => runner.Connection.BytesWritten;

        /// <summary>Sends one message unsettled and waits for its outcome; throws unless it is accepted.</summary>
        public void Send(DeviceMessage message)
        {
            Outcome outcome = runner.Send(sender, message, Timeout);
            if (!(outcome is Accepted)) throw new InvalidOperationException("not accepted: " + outcome);
        }

        /// <summary>Sends <paramref name="count"/> messages of <paramref name="payload"/> with up to <paramref name="size"/> unsettled at once.</summary>
        public void SendWindow(byte[] payload, int count, int size)
        {
            if (size > window.Length) throw new ArgumentOutOfRangeException(nameof(size), "at most " + window.Length + " in flight");
            int head = 0, tail = 0;
            for (int i = 0; i < count; i++)
            {
                if (tail - head == size) End(window[head++ % window.Length]);
                // Written when this thread next waits: the sends made since the last wait leave together.
                window[tail++ % window.Length] = runner.BeginSend(sender, new DeviceMessage(payload), Timeout, writeLater: true);
            }
            while (head < tail) End(window[head++ % window.Length]);
        }

        private void End(OutgoingDelivery d)
        {
            Outcome outcome = runner.EndSend(sender, d, Timeout);
            if (!(outcome is Accepted)) throw new InvalidOperationException("not accepted: " + outcome);
        }

        /// <summary>
        /// Closes the connection and drops the transport. Waits at most 500 ms for the peer's close: a loopback peer
        /// answers in well under that, and an unanswered close must not stretch the benchmark.
        /// </summary>
        public void Dispose() => runner.Close(500);

        /// <summary>The runner (its engine, threads and buffers), for an object-graph walk.</summary>
        public object Graph => runner;
    }
}
