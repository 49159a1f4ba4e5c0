// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
using System;
using IotHubAmqp.Device.Platform;

namespace IotHubAmqp.Device.Tests
{
    /// <summary>
    /// A platform with a clock the test sets and a real HMAC-SHA256 (<see cref="Sha256"/>), so SAS tokens can be
    /// compared against vectors computed independently.
    /// </summary>
    internal sealed class FixedPlatform : IPlatform
    {
        public FixedPlatform(DateTime utcNow)
        {
            UtcNow = utcNow;
        }

        /// <summary>How many times <see cref="HmacSha256"/> was called.</summary>
        public int HmacCalls { get; private set; }

        public byte[] HmacSha256(byte[] key, byte[] data)
        {
            HmacCalls++;
            return Sha256.Hmac(key, data);
        }

        public DateTime UtcNow { get; set; }

        public long TickMilliseconds => UtcNow.Ticks / TimeSpan.TicksPerMillisecond;
    }
}
