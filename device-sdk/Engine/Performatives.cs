// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
using IotHubAmqp.Device.Framing;

namespace IotHubAmqp.Device.Engine
{
    /// <summary>What the engine's frames and errors share beyond <see cref="DescribedList.Encode"/>.</summary>
    internal static class Performatives
    {
        /// <summary>The error field (2.8.14) that reports <paramref name="e"/> to the peer.</summary>
        public static Error ErrorOf(AmqpException e) => new Error(e.Condition, e.Description);

        /// <summary><paramref name="a"/>, the number <paramref name="n"/>, then <paramref name="b"/> (null: nothing): one place builds the engine's texts.</summary>
        public static string Text(string a, long n, string b) => a + n + b;

        /// <summary>An error whose description is <see cref="Text"/> of the parts.</summary>
        public static AmqpException Fault(string condition, string a, long n, string b) => new AmqpException(condition, Text(a, n, b));
    }
}
