// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
using System;
using System.Security.Cryptography;
using System.Threading;

namespace IotHubAmqp.Device.Platform.Nano
{
    /// <summary>
    /// Crypto and clocks on nanoFramework: HMAC-SHA256 from nanoFramework.System.Security.Cryptography (native
    /// mbedTLS), time from the device clock.
    /// </summary>
    /// <remarks>
    /// mscorlib 1.x has no monotonic tick counter (no <c>Environment.TickCount64</c>), so
    /// <see cref="TickMilliseconds"/> is built from <see cref="DateTime.UtcNow"/>: it adds up only small forward
    /// steps of the wall clock and ignores steps back or far forward, which is what SNTP setting the clock
    /// looks like. A timer samples the clock often enough that real elapsed time is never mistaken for a step.
    /// </remarks>
    public sealed class NanoPlatform : IPlatform, IDisposable
    {
        private const long TicksPerMillisecond = 10000;
        private const int SamplePeriodMilliseconds = 30 * 1000;
        // Much longer than the sample period, much shorter than any SNTP correction from an unset clock.
        private const long MaxForwardStepTicks = 10L * 60 * 1000 * TicksPerMillisecond;

        private readonly object clockLock = new object();
        private readonly Timer sampler;
        private long lastWallTicks;
        private long monotonicTicks;

        /// <summary>Creates the platform and starts the background clock sampler.</summary>
        public NanoPlatform()
        {
            lastWallTicks = DateTime.UtcNow.Ticks;
            sampler = new Timer(Sample, null, SamplePeriodMilliseconds, SamplePeriodMilliseconds);
        }

        /// <inheritdoc />
        public byte[] HmacSha256(byte[] key, byte[] data)
        {
            if (key == null)
            {
                throw new ArgumentNullException("key");
            }

            if (data == null)
            {
                throw new ArgumentNullException("data");
            }

            // Deliberately not disposed: nanoFramework's HMACSHA256 keeps the caller's key array (no copy)
            // and Dispose clears it, which would wipe the device key. It holds no native resources.
            var hmac = new HMACSHA256(key);
            return hmac.ComputeHash(data);
        }

        /// <inheritdoc />
        public DateTime UtcNow => DateTime.UtcNow;

        /// <inheritdoc />
        public long TickMilliseconds
        {
            get
            {
                lock (clockLock)
                {
                    Advance();
                    return monotonicTicks / TicksPerMillisecond;
                }
            }
        }

        /// <summary>Stops the background clock sampler.</summary>
        public void Dispose()
        {
            sampler.Dispose();
        }

        private void Sample(object state)
        {
            lock (clockLock)
            {
                Advance();
            }
        }

        private void Advance()
        {
            long now = DateTime.UtcNow.Ticks;
            long step = now - lastWallTicks;
            lastWallTicks = now;
            if (step > 0 && step <= MaxForwardStepTicks)
            {
                monotonicTicks += step;
            }
        }
    }
}
