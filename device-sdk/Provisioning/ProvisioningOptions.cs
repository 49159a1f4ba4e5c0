// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.

namespace IotHubAmqp.Device.Provisioning
{
    /// <summary>Settings of a <see cref="ProvisioningDeviceClient"/>.</summary>
    public sealed class ProvisioningOptions
    {
        /// <summary>DPS's AMQP port (amqps).</summary>
        public const int DefaultPort = 5671;

        /// <summary>One minute for the whole registration, as the C# SDK bounds each request.</summary>
        public const int DefaultTimeoutMs = 60000;

        /// <summary>The poll interval when DPS gives no <c>retry-after</c> (the Node and C# SDKs use 2 s).</summary>
        public const int DefaultPollIntervalMs = 2000;

        /// <summary>Port of the provisioning endpoint.</summary>
        public int Port { get; set; } = DefaultPort;

        /// <summary>Deadline of the whole registration: connect, TLS, SASL, register, every poll and every throttled retry.</summary>
        public int TimeoutMs { get; set; } = DefaultTimeoutMs;

        /// <summary>Wait between status polls when DPS sends no <c>retry-after</c>.</summary>
        public int PollIntervalMs { get; set; } = DefaultPollIntervalMs;

        /// <summary>Asks DPS to register again even when the device is already assigned (<c>iotdps-forceRegistration</c>).</summary>
        public bool ForceRegistration { get; set; }

        /// <summary>Lifetime of the DPS SAS token (seconds); it only has to outlive the registration.</summary>
        public int TokenLifetimeSeconds { get; set; } = 3600;
    }
}
