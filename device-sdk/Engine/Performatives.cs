// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
using IotHubAmqp.Device.Framing;

namespace IotHubAmqp.Device.Engine
{
    /// <summary>What the engine's frames and errors share beyond <see cref="DescribedList.Encode"/>.</summary>
    internal static class Performatives
    {
        /// <summary>The error field (2.8.14) that reports <paramref name="e"/> to the peer (null for null).</summary>
        public static Error ErrorOf(AmqpException e) => e == null ? null : new Error(e.Condition, e.Description);

        /// <summary>The peer's error (close, end, detach) as an exception, or <paramref name="none"/> when it sent none.</summary>
        public static AmqpException ExceptionOf(Error error, AmqpException none) => error == null ? none : error.ToException();

        /// <summary><paramref name="a"/>, the number <paramref name="n"/>, then <paramref name="b"/> (null: nothing): one place builds the engine's texts.</summary>
        public static string Text(string a, long n, string b) => a + n + b;

        /// <summary>An error whose description is <see cref="Text"/> of the parts.</summary>
        public static AmqpException Fault(string condition, string a, long n, string b) => new AmqpException(condition, Text(a, n, b));
    }
}
