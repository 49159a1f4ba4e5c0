// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
using System;
using System.Diagnostics;
using System.Security.Cryptography;

namespace IotHubAmqp.Device.Platform.Desktop
{
    /// <summary>Crypto and clocks from desktop .NET.</summary>
    public sealed class DesktopPlatform : IPlatform
    {
        private readonly long origin = Stopwatch.GetTimestamp();

        /// <inheritdoc />
        public byte[] HmacSha256(byte[] key, byte[] data)
        {
            if (key == null)
            {
                throw new ArgumentNullException(nameof(key));
            }

            if (data == null)
            {
                throw new ArgumentNullException(nameof(data));
            }

            return HMACSHA256.HashData(key, data);
        }

        /// <inheritdoc />
        public DateTime UtcNow => DateTime.UtcNow;

        /// <summary>Milliseconds since this instance was created, from the monotonic <see cref="Stopwatch"/>.</summary>
        public long TickMilliseconds => (long)Stopwatch.GetElapsedTime(origin).TotalMilliseconds;
    }
}
