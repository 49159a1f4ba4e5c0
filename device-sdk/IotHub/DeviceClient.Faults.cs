// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
using System;
using System.Threading;
using IotHubAmqp.Device.Engine;
using IotHubAmqp.Device.Framing;
using IotHubAmqp.Device.Messaging;
using IotHubAmqp.Device.Platform;
using IotHubAmqp.Device.Sasl;

namespace IotHubAmqp.Device.IotHub
{
    // Faults, reconnect with backoff, redirects, waiting for links, the C2D dispatch thread and status events.
    public sealed partial class DeviceClient
    {
        private void OnConnectionClosed(int gen, AmqpException error)
        {
            lock (sync)
            {
                if (closing || gen != generation) return;
            }
            StartReconnect(error ?? new AmqpException(ErrorCode.ConnectionLost, "connection closed"));
        }

        private void OnFault(Link link, AmqpException error)
        {
            lock (sync)
            {
                if (closing || link.ClosedByUs) return;
                // A fault on a link of an older connection was already dealt with.
                if (link != telemetry && link != c2d && link != feedback) return;
            }
            StartReconnect(error);
        }

        private void StartReconnect(AmqpException reason)
        {
            Connection old;
            lock (sync)
            {
                if (closing || reconnecting || !opened) return;
                reconnecting = true;
                connected.Reset();
                old = connection;
                NoteRedirect(reason);
            }
            SetStatus(ClientStatus.Reconnecting, Describe(reason));
            // Closed off the I/O thread (this may run on it): a clean close lets the hub free the device's
            // C2D link at once, so the new connection can attach its own.
            new Thread(() =>
            {
                if (old != null) old.Close(1000);
                ReconnectLoop();
            }).Start();
        }

        private void NoteRedirect(AmqpException reason)
        {
            if (reason == null || reason.Info == null) return;
            if (reason.Condition != ErrorCode.LinkRedirect && reason.Condition != ErrorCode.ConnectionRedirect) return;
            // amqp:link:redirect info (iothub-amqp-wire.md 10): network-host to dial, hostname for TLS, port.
            string host = reason.Info[new Symbol("network-host")] as string ?? reason.Info[new Symbol("hostname")] as string;
            object port = reason.Info[new Symbol("port")];
            if (host == null) return;
            redirectHost = host;
            redirectPort = port is int p ? p : port is uint u ? (int)u : options.Port;
        }

        private void ReconnectLoop()
        {
            for (int attempt = 0; ; attempt++)
            {
                lock (sync)
                {
                    if (closing)
                    {
                        reconnecting = false;
                        return;
                    }
                }
                if (!options.Retry.MayRetry(attempt))
                {
                    lock (sync) reconnecting = false;
                    SetStatus(ClientStatus.Disconnected, "gave up after " + attempt + " attempts");
                    return;
                }
                Thread.Sleep(options.Retry.DelayMs(attempt, random.NextDouble()));
                try
                {
                    Connect(false);
                    lock (sync) reconnecting = false;
                    Reconnects++;
                    SetStatus(ClientStatus.Connected, "reconnected after " + (attempt + 1) + " attempt(s)");
                    return;
                }
                catch (Exception e)
                {
                    // A redirect target that fails is forgotten: the next attempt goes to the hub again.
                    lock (sync) redirectHost = null;
                    SetStatus(ClientStatus.Reconnecting, "attempt " + (attempt + 1) + " failed: " + Describe(e));
                }
            }
        }

        private SenderLink WaitLink(int timeoutMs) => (SenderLink)WaitCurrent(false, timeoutMs);

        private ReceiverLink WaitReceiver(int timeoutMs)
        {
            if (!options.ReceiveCloudToDevice) throw new InvalidOperationException("ReceiveCloudToDevice is off in the options");
            return (ReceiverLink)WaitCurrent(true, timeoutMs);
        }

        // Waits until the current connection's telemetry (or C2D) link is attached; null on timeout. Senders learn
        // of a closed client by an exception, the C2D receive loops by null.
        private Link WaitCurrent(bool receiver, int timeoutMs)
        {
            long deadline = platform.TickMilliseconds + timeoutMs;
            while (true)
            {
                lock (sync)
                {
                    if (closing)
                    {
                        if (receiver) return null;
                        throw new InvalidOperationException("the client is closed");
                    }
                    if (!opened && !receiver) throw new InvalidOperationException("call Open first");
                    Link link = receiver ? (Link)c2d : telemetry;
                    if (!reconnecting && link != null && link.IsAttached) return link;
                }
                int left = Remaining(deadline);
                if (left == 0) return null;
                connected.WaitOne(left < 200 ? left : 200, false);
            }
        }

        // The dispatch thread hands C2D messages to the handler, so a handler that sends telemetry cannot
        // block the connection's I/O thread.
        private void Dispatch()
        {
            while (true)
            {
                lock (sync)
                {
                    if (closing) return;
                }
                CloudToDeviceMessageHandler handler = CloudToDeviceMessage;
                if (handler == null || !options.ReceiveCloudToDevice)
                {
                    Thread.Sleep(200);
                    continue;
                }
                ReceiverLink link = WaitReceiver(1000);
                if (link == null) continue;
                IncomingDelivery d;
                try
                {
                    d = link.Receive(1000);
                }
                catch (AmqpException e)
                {
                    OnFault(link, e);
                    continue;
                }
                if (d == null) continue;
                try
                {
                    handler(this, new C2dMessage(d));
                }
                catch (Exception)
                {
                    // An application error must not stop message delivery; the message stays unsettled and the
                    // hub delivers it again after its lock expires.
                }
            }
        }

        private void SetStatus(ClientStatus status, string reason)
        {
            if (status != ClientStatus.TokenRenewed && status != ClientStatus.TokenRenewalFailed) Status = status;
            StatusChangedHandler handler = StatusChanged;
            if (handler == null) return;
            try
            {
                handler(this, status, reason);
            }
            catch (Exception)
            {
                // The application's handler must not break the client.
            }
        }
    }
}
