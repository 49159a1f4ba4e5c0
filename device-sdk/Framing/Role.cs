// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.

namespace IotHubAmqp.Device.Framing
{
    /// <summary>The role of a link endpoint (AMQP 1.0 2.8.1): a boolean on the wire.</summary>
    internal static class Role
    {
        /// <summary>The endpoint sends messages (false).</summary>
        public const bool Sender = false;

        /// <summary>The endpoint receives messages (true).</summary>
        public const bool Receiver = true;
    }
}
