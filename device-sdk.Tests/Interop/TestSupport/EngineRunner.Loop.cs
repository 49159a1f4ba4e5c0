// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
using IotHubAmqp.Device.Engine;
using IotHubAmqp.Device.IotHub;

namespace IotHubAmqp.Device.InteropTests.TestSupport
{
    // The loop behind the facade: waits on the lock, what follows every engine call, the timer and the reader thread.
    internal sealed partial class EngineRunner
    {
        // Caller holds the lock. Waits for a pulse or the deadline; false once the deadline passed.
        private bool WaitUntil(long deadline)
        {
            long left = deadline - Now;
            if (left <= 0) return false;
            // Sends queued with writeLater leave before this thread sleeps.
            if (writePending) AfterEngineCall();
            Monitor.Wait(gate, (int)Math.Min(left, int.MaxValue));
            return true;
        }

        private void WaitFor(int timeoutMs, Func<bool> done, Link link, string what)
        {
            long deadline = Now + timeoutMs;
            lock (gate)
            {
                while (!done())
                {
                    if (link != null && link.IsEnded) throw link.Error ?? new AmqpException(ErrorCode.IllegalState, "link '" + link.Name + "' is detached");
                    ThrowIfConnectionEnded();
                    if (!WaitUntil(deadline)) throw new AmqpException(ErrorCode.Timeout, "no " + what + " within " + timeoutMs + " ms");
                }
            }
        }

        private void ThrowIfConnectionEnded()
        {
            if (connection.IsEnded) throw connection.Error ?? new AmqpException(ErrorCode.IllegalState, "the connection is closed");
        }

        // Caller holds the lock: drain events, write what the engine produced, drop the transport once the
        // connection ended, keep the timer at the engine's deadline, wake every waiter.
        private void AfterEngineCall(bool writeLater = false)
        {
            while (connection.NextEvent(out _) != null)
            {
            }
            if (writeLater) writePending = true;
            else Flush();
            if (connection.IsEnded)
            {
                CloseTransport();
            }
            else
            {
                long next = connection.NextDeadline;
                if (next < armedDeadline)
                {
                    armedDeadline = next;
                    timer.Change(Math.Max(0, next - Now), Timeout.Infinite);
                }
            }
            Monitor.PulseAll(gate);
        }

        // Writes all the engine has. A transport that can hold (the SDK's desktop transport) writes the pieces of
        // one flush at once: one syscall and one TLS record for the frames of several queued sends.
        private void Flush()
        {
            writePending = false;
            if (writeFailed) return;
            ITransportBatch batch = transport as ITransportBatch;
            bool holding = false;
            while (true)
            {
                byte[] buffer;
                int offset, count;
                try
                {
                    if (!connection.HasOutput) break;
                    connection.GetOutput(out buffer, out offset, out count);
                }
                catch (Exception e)
                {
                    // Producing output must not throw: an engine bug. Record it and end the connection with it.
                    Failed(e);
                    return;
                }
                try
                {
                    if (batch != null && !holding)
                    {
                        batch.Hold();
                        holding = true;
                    }
                    transport.Send(buffer, offset, count);
                }
                catch (Exception e)
                {
                    WriteFailed(e);
                    return;
                }
                connection.OutputWritten(Now);
            }
            if (!holding) return;
            try
            {
                batch.Flush();
            }
            catch (Exception e)
            {
                WriteFailed(e);
            }
        }

        private void WriteFailed(Exception e)
        {
            writeFailed = true;
            connection.DiscardOutput();
            connection.TransportClosed(new AmqpException(ErrorCode.ConnectionLost, "write failed: " + e.GetType().Name + ": " + e.Message), Now);
            while (connection.NextEvent(out _) != null)
            {
            }
        }

        /// <summary>An exception the engine threw where it must not (a bug); the connection was aborted with it.</summary>
        public Exception Fault { get; private set; }

        private void Failed(Exception e)
        {
            Fault ??= e;
            writeFailed = true;
            try
            {
                connection.DiscardOutput();
                connection.Abort(new AmqpException(ErrorCode.InternalError, "the engine threw " + e.GetType().Name + ": " + e.Message));
            }
            catch (Exception)
            {
                // The engine is broken already; the transport goes below.
            }
            CloseTransport();
        }

        private void CloseTransport()
        {
            if (transportClosed) return;
            transportClosed = true;
            try
            {
                transport.Close();
            }
            catch (Exception)
            {
                // Already gone.
            }
        }

        private void OnTimer()
        {
            lock (gate)
            {
                armedDeadline = long.MaxValue;
                if (transportClosed) return;
                try
                {
                    connection.Tick(Now);
                }
                catch (Exception e)
                {
                    Failed(e);
                }
                AfterEngineCall();
            }
        }

        private void ReadLoop()
        {
            while (true)
            {
                byte[] buffer;
                int offset, count;
                lock (gate)
                {
                    if (connection.IsEnded || transportClosed) return;
                    // The engine leaves this region alone until Received: the read fills it outside the lock.
                    connection.GetReceiveSpace(out buffer, out offset, out count);
                }
                int n;
                Exception failure = null;
                try
                {
                    n = transport.Receive(buffer, offset, count);
                }
                catch (Exception e)
                {
                    n = 0;
                    failure = e;
                }
                lock (gate)
                {
                    try
                    {
                        if (n > 0)
                        {
                            connection.Received(n, Now);
                        }
                        else
                        {
                            connection.TransportClosed(failure == null
                                ? new AmqpException(ErrorCode.ConnectionLost, "the peer closed the connection")
                                : new AmqpException(ErrorCode.ConnectionLost, failure.GetType().Name + ": " + failure.Message), Now);
                        }
                    }
                    catch (Exception e)
                    {
                        // Received reports the peer's errors through the connection; anything thrown is the engine's.
                        Failed(e);
                    }
                    AfterEngineCall();
                }
                if (n <= 0) return;
            }
        }
    }
}
