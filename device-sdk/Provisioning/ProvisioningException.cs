// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
using System;

namespace IotHubAmqp.Device.Provisioning
{
    /// <summary>Why a registration with the Device Provisioning Service did not assign the device.</summary>
    public enum ProvisioningError
    {
        /// <summary>DPS refused the credentials: a wrong id scope, an unknown registration id or a wrong key.</summary>
        Unauthorized,

        /// <summary>The enrollment (or its group) is disabled: DPS answered status <c>disabled</c>.</summary>
        EnrollmentDisabled,

        /// <summary>DPS answered status <c>failed</c> (see <see cref="ProvisioningException.ErrorCode"/>).</summary>
        Failed,

        /// <summary>DPS throttled the device (429) and the next try allowed by <c>retry-after</c> did not fit the deadline.</summary>
        Throttled,

        /// <summary>An answer lacked a field the protocol requires, or was not the JSON DPS sends.</summary>
        BadResponse,

        /// <summary>The registration did not finish within <see cref="ProvisioningOptions.TimeoutMs"/>.</summary>
        Timeout,

        /// <summary>The connection could not be made or was lost (network, TLS, AMQP).</summary>
        ConnectionFailed,
    }

    /// <summary>A registration that did not assign the device; the message says what was wrong (never a key or token).</summary>
    public sealed class ProvisioningException : Exception
    {
        /// <summary>Creates the exception.</summary>
        public ProvisioningException(ProvisioningError reason, string message, Exception inner = null)
            : base(message, inner)
        {
            Reason = reason;
        }

        /// <summary>The kind of failure.</summary>
        public ProvisioningError Reason { get; }

        /// <summary>DPS's numeric error code (e.g. 401002, 429001) when it sent one; 0 otherwise.</summary>
        public int ErrorCode { get; internal set; }

        /// <summary>Seconds DPS asked the device to wait (<c>retry-after</c>) before trying again; 0 when none.</summary>
        public int RetryAfterSeconds { get; internal set; }
    }
}
