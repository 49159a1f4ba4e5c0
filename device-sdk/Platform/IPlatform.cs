// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.

namespace IotHubAmqp.Device.Platform
{
    /// <summary>Crypto and time, the two services besides the network that the SDK needs from a platform.</summary>
    public interface IPlatform
    {
        /// <summary>HMAC-SHA256 of <paramref name="data"/> under <paramref name="key"/>.</summary>
        byte[] HmacSha256(byte[] key, byte[] data);

        /// <summary>Current UTC time; SAS expiry depends on it, so devices need SNTP.</summary>
        System.DateTime UtcNow { get; }

        /// <summary>A monotonic millisecond counter for timeouts (never goes backwards).</summary>
        long TickMilliseconds { get; }
    }
}
