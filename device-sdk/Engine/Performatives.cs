// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
using IotHubAmqp.Device.Framing;

namespace IotHubAmqp.Device.Engine
{
    /// <summary>What the engine's frames share beyond <see cref="DescribedList.Encode"/>.</summary>
    internal static class Performatives
    {
        /// <summary>The error field (2.8.14) that reports <paramref name="e"/> to the peer.</summary>
        public static Error ErrorOf(AmqpException e) => new Error(e.Condition, e.Description);
    }
}
