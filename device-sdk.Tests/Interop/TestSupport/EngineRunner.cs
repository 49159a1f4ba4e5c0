// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
using IotHubAmqp.Device.Engine;
using IotHubAmqp.Device.Framing;
using IotHubAmqp.Device.Platform;
using DeviceMessage = IotHubAmqp.Device.Messaging.Message;

namespace IotHubAmqp.Device.InteropTests.TestSupport
{
    /// <summary>
    /// A blocking facade over one sans-I/O <see cref="Connection"/> on a real transport, for tests and benchmarks
    /// (not product code). One lock guards the engine; every engine call is followed, under the lock, by draining
    /// its events, writing its output to the transport and waking the waiters. A reader thread lends the engine's
    /// receive space to <see cref="ITransport.Receive"/> outside the lock and feeds the bytes in under it; a timer
    /// calls <see cref="Connection.Tick"/> at the engine's deadline (heartbeats, a silent peer). Waits are
    /// <see cref="Monitor.Wait(object, int)"/> on the lock with a deadline, so a send allocates nothing of its own.
    /// Errors surface as the engine's <see cref="AmqpException"/>: the peer's condition and description.
    /// </summary>
    internal sealed partial class EngineRunner : IDisposable
    {
        private readonly object gate = new object();
        private readonly ITransport transport;
        private readonly Connection connection;
        private readonly Timer timer;
        private readonly Thread reader;
        private long armedDeadline = long.MaxValue;
        private bool transportClosed;
        private bool writeFailed;
        private bool writePending;

        private EngineRunner(ITransport transport, ConnectionSettings settings)
        {
            this.transport = transport;
            connection = new Connection(settings);
            timer = new Timer(_ => OnTimer(), null, Timeout.Infinite, Timeout.Infinite);
            reader = new Thread(ReadLoop) { IsBackground = true, Name = "engine-runner reader" };
        }

        /// <summary>Queues the protocol header and open (or sasl-init) and starts reading; does not wait for the peer.</summary>
        public static EngineRunner Start(ITransport transport, ConnectionSettings settings)
        {
            var r = new EngineRunner(transport, settings);
            lock (r.gate)
            {
                r.connection.Open(Now);
                r.AfterEngineCall();
            }
            r.reader.Start();
            return r;
        }

        public static long Now => Environment.TickCount64;

        /// <summary>The engine; read its state freely, but call into it only through <see cref="Run"/>.</summary>
        public Connection Connection => connection;

        public ITransport Transport => transport;

        /// <summary>Runs <paramref name="action"/> on the engine under the lock, then flushes and wakes waiters.</summary>
        public void Run(Action<Connection> action)
        {
            lock (gate)
            {
                try
                {
                    action(connection);
                }
                finally
                {
                    AfterEngineCall();
                }
            }
        }

        // ---- connection ----

        /// <summary>Waits for the peer's open; throws the connection's error, or a timeout.</summary>
        public void WaitOpened(int timeoutMs)
        {
            WaitFor(timeoutMs, () => connection.IsOpen, null, "the peer's open");
        }

        /// <summary>Waits until the connection ended (any reason); false on timeout.</summary>
        public bool WaitEnded(int timeoutMs)
        {
            long deadline = Now + timeoutMs;
            lock (gate)
            {
                while (!connection.IsEnded)
                {
                    if (!WaitUntil(deadline)) return false;
                }
                return true;
            }
        }

        /// <summary>Begins a session once authentication is done (waits for it); the session maps in the background.</summary>
        public Session BeginSession(uint incomingWindow = 0, int timeoutMs = DeviceConnector.Timeout)
        {
            WaitFor(timeoutMs, () => connection.CanBeginSessions, null, "authentication");
            lock (gate)
            {
                try
                {
                    return connection.BeginSession(incomingWindow);
                }
                finally
                {
                    AfterEngineCall();
                }
            }
        }

        public void WaitMapped(Session session, int timeoutMs)
        {
            WaitFor(timeoutMs, () =>
            {
                if (session.State == SessionState.Ended || session.State == SessionState.EndSent)
                    throw session.Error ?? new AmqpException(ErrorCode.IllegalState, "the session ended");
                return session.IsMapped;
            }, null, "the peer's begin");
        }

        /// <summary>Sends close (with an optional error), waits for the peer's, and drops the transport.</summary>
        public void Close(int timeoutMs, Error error = null)
        {
            Run(c => c.Close(error));
            if (!WaitEnded(timeoutMs))
                Run(c => c.Abort(new AmqpException(ErrorCode.Timeout, "the peer did not answer close within " + timeoutMs + " ms")));
            Dispose();
        }

        /// <summary>Ends the connection at once and drops the transport.</summary>
        public void Abort()
        {
            Run(c => c.Abort(null));
            Dispose();
        }

        public void Dispose()
        {
            lock (gate)
            {
                if (!connection.IsEnded) connection.Abort(new AmqpException(ErrorCode.ConnectionLost, "the runner was disposed"));
                CloseTransport();
                Monitor.PulseAll(gate);
            }
            timer.Dispose();
        }

        // ---- links ----

        public SenderLink AttachSender(Session session, string name, string address, byte sndSettleMode = SenderSettleMode.Unsettled, AmqpMap properties = null)
        {
            lock (gate)
            {
                try
                {
                    return session.AttachSender(name, address, sndSettleMode, properties);
                }
                finally
                {
                    AfterEngineCall();
                }
            }
        }

        public ReceiverLink AttachReceiver(Session session, string name, string address, uint credit, int maxMessageSize = 65536, byte rcvSettleMode = ReceiverSettleMode.First, AmqpMap properties = null)
        {
            lock (gate)
            {
                try
                {
                    return session.AttachReceiver(name, address, credit, rcvSettleMode, maxMessageSize, properties);
                }
                finally
                {
                    AfterEngineCall();
                }
            }
        }

        /// <summary>Waits for the peer's attach; throws the link's error when the peer refused or detached it.</summary>
        public void WaitAttached(Link link, int timeoutMs)
        {
            WaitFor(timeoutMs, () => link.IsAttached, link, "the peer's attach of link '" + link.Name + "'");
        }

        /// <summary>Detaches the link (closed) and waits for the peer's answer; false on timeout.</summary>
        public bool CloseLink(Link link, int timeoutMs)
        {
            Run(_ => link.Close());
            long deadline = Now + timeoutMs;
            lock (gate)
            {
                while (link.State != LinkState.Detached)
                {
                    if (connection.IsEnded || !WaitUntil(deadline)) return link.State == LinkState.Detached;
                }
                return true;
            }
        }

        // ---- sending ----

        /// <summary>Sends and waits for the outcome; null when the link sends settled.</summary>
        public Outcome Send(SenderLink link, DeviceMessage message, int timeoutMs)
        {
            long deadline = Now + timeoutMs;
            OutgoingDelivery d = BeginSend(link, message, timeoutMs);
            return EndSend(link, d, (int)Math.Max(0, deadline - Now));
        }

        /// <summary>
        /// Queues the message, waiting for one of the link's <see cref="SenderLink.MaxInFlight"/> slots when all are
        /// busy; returns the slot for <see cref="EndSend"/>. Throws the link's error once it ended.
        /// </summary>
        /// <param name="writeLater">
        /// Leave the transfer in the engine until this thread waits (here or in <see cref="EndSend"/>) or any other
        /// engine call writes: the sends a caller makes between two waits then leave in one write, as the SDK's
        /// driver writes what is queued in one pass.
        /// </param>
        public OutgoingDelivery BeginSend(SenderLink link, DeviceMessage message, int timeoutMs, bool writeLater = false)
        {
            long deadline = Now + timeoutMs;
            lock (gate)
            {
                while (true)
                {
                    ThrowIfConnectionEnded();
                    OutgoingDelivery d;
                    try
                    {
                        d = link.Send(message, null);
                    }
                    finally
                    {
                        AfterEngineCall(writeLater);
                    }
                    if (d != null) return d;
                    if (!WaitUntil(deadline))
                        throw new AmqpException(ErrorCode.Timeout, "all " + SenderLink.MaxInFlight + " slots of link '" + link.Name + "' stayed busy for " + timeoutMs + " ms");
                }
            }
        }

        /// <summary>
        /// Waits for the outcome of <paramref name="d"/> and frees its slot; throws the delivery's error (the link
        /// ended, the message was too large) or, after cancelling the send, a timeout.
        /// </summary>
        public Outcome EndSend(SenderLink link, OutgoingDelivery d, int timeoutMs)
        {
            long deadline = Now + timeoutMs;
            lock (gate)
            {
                while (d.Status != DeliveryStatus.Done)
                {
                    if (d.Status == DeliveryStatus.Free) throw new AmqpException(ErrorCode.IllegalState, "the delivery was already collected");
                    if (!WaitUntil(deadline))
                    {
                        string what = d.Status == DeliveryStatus.Queued ? "was not sent (no credit or window)" : "has no outcome";
                        bool unsent = link.Cancel(d);
                        AfterEngineCall();
                        throw new AmqpException(ErrorCode.Timeout, "delivery on link '" + link.Name + "' " + what + " within " + timeoutMs + " ms" + (unsent ? "; cancelled" : ""));
                    }
                }
                Outcome outcome = d.Outcome;
                AmqpException error = d.Error;
                link.Free(d);
                if (error != null) throw error;
                return outcome;
            }
        }

        // ---- receiving ----

        /// <summary>Takes the next message, waiting up to the timeout; null on timeout. Throws the link's error once it ended.</summary>
        public IncomingDelivery Receive(ReceiverLink link, int timeoutMs)
        {
            long deadline = Now + timeoutMs;
            lock (gate)
            {
                while (true)
                {
                    IncomingDelivery d;
                    try
                    {
                        d = link.Take();
                    }
                    finally
                    {
                        AfterEngineCall();
                    }
                    if (d != null) return d;
                    if (link.IsEnded) throw link.Error ?? new AmqpException(ErrorCode.IllegalState, "link '" + link.Name + "' is detached");
                    ThrowIfConnectionEnded();
                    if (!WaitUntil(deadline)) return null;
                }
            }
        }

        public void Accept(IncomingDelivery d) => Run(_ => d.Link.Accept(d));

        public void Reject(IncomingDelivery d, Error error) => Run(_ => d.Link.Reject(d, error));

        public void Release(IncomingDelivery d) => Run(_ => d.Link.Release(d));

        public void Modify(IncomingDelivery d, bool deliveryFailed, bool undeliverableHere) => Run(_ => d.Link.Modify(d, deliveryFailed, undeliverableHere));

        /// <summary>Messages a receiver holds (prefetched, not taken).</summary>
        public int Queued(ReceiverLink link)
        {
            lock (gate) return link.Queued;
        }
    }
}
