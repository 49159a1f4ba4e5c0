// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
// Knobs and settings are public fields a harness assigns; some are never assigned inside this assembly.
#pragma warning disable CS0649
using IotHubAmqp.Device.Sasl;

namespace IotHubAmqp.Device.Tests.Simulation
{
    /// <summary>SimHub: what a harness configures before <see cref="Accept"/>: identity, limits, SASL, tokens.</summary>
    internal sealed partial class SimHub
    {
        // ---- configuration (set before Accept) ----

        public string HostName = "sim-hub.azure-devices.net";
        public string DeviceId = "device-1";

        /// <summary>Set: the device connects as this module of <see cref="DeviceId"/> (module addresses).</summary>
        public string ModuleId;
        public string ContainerId = "sim-hub";

        /// <summary>Silence checks allow the trip of the hub's open to the device and the network's jitter.</summary>
        public long SilenceOpenGraceMs;
        public long SilenceJitterMs;

        /// <summary>No silence check before this time (a stall the harness injected is not the device's fault).</summary>
        public long SilenceCheckFrom;

        /// <summary>max-frame-size the hub announces; device frames above it are violations (2.7.1).</summary>
        public uint MaxFrameSize = 65536;

        /// <summary>idle-time-out the hub announces (ms, 0 = none); the hub closes a device silent longer (2.4.5).</summary>
        public uint IdleTimeoutMs = 240000;

        public ushort ChannelMax = 7;

        /// <summary>The session incoming-window the hub announces, in transfer frames (2.5.6).</summary>
        public uint IncomingWindow = 1000;

        /// <summary>Link credit granted to each device sender, and topped up when half is used (2.6.7).</summary>
        public uint TelemetryCredit = 50;
        public uint CbsCredit = 10;

        /// <summary>initial-delivery-count of the hub's sender links (C2D, CBS replies); any value is legal (2.7.3).</summary>
        public uint HubInitialDeliveryCount;

        public bool AllowNoSasl = true;

        /// <summary>The next N sasl-init get outcome <see cref="SaslFailureCode"/> (sys-temp: a hub restarting).</summary>
        public int SaslFailures;
        public byte SaslFailureCode = SaslOutcome.SysTemp;

        /// <summary>Send put-token replies unsettled, as IoT Hub does: the device must settle each (iothub-amqp-wire.md 3).</summary>
        public bool CbsRepliesUnsettled;
        public string[] SaslMechanisms = new string[] { "PLAIN", "ANONYMOUS", "MSSBCBS" };

        /// <summary>A token (put-token body, PLAIN password) is valid when it starts with this and no validator is set.</summary>
        public string ExpectedTokenPrefix = "SharedAccessSignature ";
        public SimTokenValidator TokenValidator;

        /// <summary>The connection's TLS handshake carried a verified device certificate (X.509 identity).</summary>
        public bool ClientCertificateVerified;

        /// <summary>How long a valid token authorizes the device (virtual ms from the put-token).</summary>
        public long TokenLifetimeMs = 3600000;

        /// <summary>
        /// IoT Hub and the local hub take an attach that arrives after a put-token on the same connection, before
        /// the reply was sent: the token counts from its arrival. False: only once the reply was written.
        /// </summary>
        public bool AcceptPipelinedAttach = true;

        /// <summary>Send empty frames at half the device's idle-time-out, as a well-behaved peer does (2.4.5).</summary>
        public bool SendHeartbeats = true;

        /// <summary>After the hub sends close, how long it waits for the device's close before dropping the transport.</summary>
        public long CloseWaitMs = 1000;

        /// <summary>IoT Hub's rule: a C2D message delivered this many times is dead-lettered (iothub-amqp-wire.md 6).</summary>
        public int MaxC2dDeliveryCount = 10;

        public const int MaxTrace = 4000;
        public const int MaxInput = 4 * 1024 * 1024;
    }
}
