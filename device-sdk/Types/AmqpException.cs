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
            : base(condition + (description == null ? "" : ": " + description))
        {
            Condition = condition;
            Description = description;
        }

        /// <summary>The AMQP error condition, for example <c>amqp:decode-error</c>.</summary>
        public string Condition { get; }

        /// <summary>The human-readable description, or null.</summary>
        public string Description { get; }
    }
}
