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
    // Token renewal on its own thread: a put-token on the live connection (CBS) or a planned reconnect (PLAIN).
    public sealed partial class DeviceClient
    {
        // Milliseconds until the renewal point of the current token, measured from now to its expiry.
        private int RenewalDelayMs()
        {
            long nowMs = (platform.UtcNow.Ticks - Types.Encoder.EpochTicks) / TimeSpan.TicksPerMillisecond;
            long left = tokenExpiry * 1000 - nowMs;
            if (left <= 0) return 0;
            double fraction = options.RenewalPoint + options.RenewalJitter * (2 * random.NextDouble() - 1);
            double delay = left * fraction;
            return delay >= int.MaxValue ? int.MaxValue : (int)delay;
        }

        // Called under sync.
        private void ScheduleRenewal(int delayMs)
        {
            renewalGeneration = generation;
            renewalDueTick = platform.TickMilliseconds + (delayMs < 0 ? 0 : delayMs);
            renewalWake.Set();
        }

        // Renewal runs on its own thread rather than a timer: a put-token blocks for the hub's reply, and on
        // desktop .NET a blocked timer callback can starve the thread pool the renewal itself needs.
        private void RenewalLoop()
        {
            while (true)
            {
                long wait;
                int gen;
                lock (sync)
                {
                    if (closing) return;
                    wait = renewalDueTick == long.MaxValue ? int.MaxValue : renewalDueTick - platform.TickMilliseconds;
                    gen = renewalGeneration;
                    if (wait <= 0) renewalDueTick = long.MaxValue;
                }
                if (wait > 0)
                {
                    renewalWake.WaitOne(wait > int.MaxValue ? int.MaxValue : (int)wait, false);
                    continue;
                }
                Renew(gen);
            }
        }

        private void Renew(int gen)
        {
            SenderLink cbsOut;
            ReceiverLink cbsIn;
            lock (sync)
            {
                if (closing || gen != generation || reconnecting) return;
                cbsOut = cbsSender;
                cbsIn = cbsReceiver;
            }
            try
            {
                if (cbsOut != null)
                {
                    // CBS: a new put-token on the live connection; links and sends carry on untouched.
                    string newToken = NextToken(true);
                    PutToken(cbsOut, cbsIn, newToken);
                    lock (sync)
                    {
                        if (gen != generation) return;
                        token = newToken;
                        renewalFailures = 0;
                        if (options.RenewTokens) ScheduleRenewal(RenewalDelayMs());
                    }
                }
                else
                {
                    // PLAIN binds the token to the connection: open a new one, then drop the old one.
                    Connect(true);
                    Reconnects++;
                }
                TokenRenewals++;
                SetStatus(ClientStatus.TokenRenewed, "token renewed, valid for " + (tokenExpiry - SasToken.UnixSeconds(platform.UtcNow)) + " s");
            }
            catch (Exception e)
            {
                int failures;
                lock (sync)
                {
                    if (closing || gen != generation) return;
                    failures = ++renewalFailures;
                }
                SetStatus(ClientStatus.TokenRenewalFailed, "renewal attempt " + failures + " failed: " + Describe(e));
                long left = (tokenExpiry - SasToken.UnixSeconds(platform.UtcNow)) * 1000;
                int delay = options.Retry.DelayMs(failures - 1, random.NextDouble());
                if (left <= delay)
                {
                    // It will expire before another try: the reconnect path takes over.
                    StartReconnect(new AmqpException(ErrorCode.UnauthorizedAccess, "token expired before it could be renewed"));
                    return;
                }
                lock (sync)
                {
                    if (gen == generation && !closing) ScheduleRenewal(delay);
                }
            }
        }
    }
}
