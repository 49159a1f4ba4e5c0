// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
using System;
using IotHubAmqp.Device.Platform;

namespace IotHubAmqp.Device.Tests
{
    /// <summary>
    /// The platform services engine tests need: the real clock (timeouts and heartbeats run on it) and no
    /// crypto (the engine never signs; SAS tests supply their own HMAC).
    /// </summary>
    internal sealed class TestPlatform : IPlatform
    {
        public static readonly TestPlatform Instance = new TestPlatform();

        public byte[] HmacSha256(byte[] key, byte[] data)
        {
            throw new NotSupportedException("engine tests do not sign");
        }

        public DateTime UtcNow => DateTime.UtcNow;

        public long TickMilliseconds => DateTime.UtcNow.Ticks / TimeSpan.TicksPerMillisecond;
    }
}
