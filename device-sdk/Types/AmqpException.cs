// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
using System;

namespace IotHubAmqp.Device
{
    /// <summary>
    /// An AMQP error: a condition symbol from the spec (or the peer) and a description.
    /// Raised for protocol errors of either side and for errors the peer reports on close, end or detach.
    /// </summary>
    public class AmqpException : Exception
    {
        /// <summary>Creates the exception.</summary>
        public AmqpException(string condition, string description)
            : this(condition, description, null)
        {
        }

        /// <summary>Creates the exception with the error's info map (for example a redirect's host and port).</summary>
        public AmqpException(string condition, string description, AmqpMap info)
            : base(condition + (description == null ? "" : ": " + description))
        {
            Condition = condition;
            Description = description;
            Info = info;
        }

        // The messages that name two numbers ("needs 5 bytes, 3 left"), built in one place.
        internal static AmqpException Of(string condition, string a, long x, string b, long y, string c) =>
            new AmqpException(condition, string.Concat(a + x, b, y + c));

        /// <summary>The AMQP error condition, for example <c>amqp:decode-error</c>.</summary>
        public string Condition { get; }

        /// <summary>The human-readable description, or null.</summary>
        public string Description { get; }

        /// <summary>The error's info map (AMQP 1.0 2.8.14), or null; <c>amqp:link:redirect</c> carries hostname, network-host, port and address.</summary>
        public AmqpMap Info { get; }
    }
}
