// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
using System;
using IotHubAmqp.Device.IotHub;
using IotHubAmqp.Device.Platform;
using IotHubAmqp.Device.Sasl;

namespace IotHubAmqp.Device.Provisioning
{
    /// <summary>
    /// Registers a device with the Azure IoT Hub Device Provisioning Service over AMQP and returns the hub it was
    /// assigned to. Typical use: <c>var r = dps.Register(); var client = new DeviceClient(dps.BuildConnectionString(r), factory, platform);</c>.
    /// Each <see cref="Register()"/> opens one connection, bounded by <see cref="ProvisioningOptions.TimeoutMs"/>, and closes it.
    /// </summary>
    public sealed class ProvisioningDeviceClient
    {
        /// <summary>The public DPS endpoint.</summary>
        public const string GlobalDeviceEndpoint = "global.azure-devices-provisioning.net";

        /// <summary>Sent as <c>com.microsoft:client-version</c>.</summary>
        public const string ClientVersion = "IotHubAmqp.Device.Provisioning/0.1.0";

        private readonly string host;
        private readonly int port;
        private readonly string idScope;
        private readonly ProvisioningAttestation attestation;
        private readonly ITransportFactory transportFactory;
        private readonly IPlatform platform;
        private readonly ProvisioningOptions options;

        /// <summary>
        /// Creates a client for <paramref name="globalEndpoint"/> (a host name; <c>host:port</c> picks another port, as for a
        /// local DPS) and the DPS instance's <paramref name="idScope"/>. For X.509, <paramref name="transportFactory"/> must
        /// present the device certificate.
        /// </summary>
        public ProvisioningDeviceClient(string globalEndpoint, string idScope, ProvisioningAttestation attestation,
            ITransportFactory transportFactory, IPlatform platform, ProvisioningOptions options = null)
        {
            if (globalEndpoint == null || globalEndpoint.Length == 0) throw new ArgumentException("the DPS endpoint is empty");
            CheckIdScope(idScope);
            if (attestation == null) throw new ArgumentNullException(nameof(attestation));
            if (transportFactory == null) throw new ArgumentNullException(nameof(transportFactory));
            if (platform == null) throw new ArgumentNullException(nameof(platform));
            this.options = options ?? new ProvisioningOptions();
            if (this.options.TimeoutMs <= 0) throw new ArgumentException("ProvisioningOptions.TimeoutMs must be positive");
            if (this.options.PollIntervalMs < 0) throw new ArgumentException("ProvisioningOptions.PollIntervalMs must not be negative");
            if (this.options.TokenLifetimeSeconds <= 0) throw new ArgumentException("ProvisioningOptions.TokenLifetimeSeconds must be positive");
            host = globalEndpoint;
            port = this.options.Port;
            int colon = globalEndpoint.IndexOf(':');
            if (colon > 0 && colon == globalEndpoint.LastIndexOf(':'))
            {
                host = globalEndpoint.Substring(0, colon);
                port = ParsePort(globalEndpoint.Substring(colon + 1));
            }
            this.idScope = idScope;
            this.attestation = attestation;
            this.transportFactory = transportFactory;
            this.platform = platform;
        }

        /// <summary>The id scope registrations go to.</summary>
        public string IdScope => idScope;

        /// <summary>The registration id of the attestation.</summary>
        public string RegistrationId => attestation.RegistrationId;

        /// <summary>Registers the device (no payload); throws <see cref="ProvisioningException"/> when it is not assigned.</summary>
        public DeviceRegistrationResult Register() => Register(null);

        /// <summary>
        /// Registers the device sending <paramref name="payloadJson"/> (one JSON value, for custom allocation) and waits,
        /// polling as DPS asks, until it is assigned; throws <see cref="ProvisioningException"/> naming what went wrong.
        /// </summary>
        public DeviceRegistrationResult Register(string payloadJson)
        {
            DpsWire.CheckPayload(payloadJson);
            SaslProfile sasl = null;
            if (!attestation.IsX509)
            {
                long expiry = SasToken.UnixSeconds(platform.UtcNow) + options.TokenLifetimeSeconds;
                string token = DpsWire.Token(platform, idScope, attestation.RegistrationId, attestation.Key, expiry);
                sasl = SaslProfile.Plain(DpsWire.Resource(idScope, attestation.RegistrationId), token);
            }
            var core = new ProvisioningCore(idScope, attestation.RegistrationId, payloadJson, sasl, options, ClientVersion);
            long started = platform.TickMilliseconds;
            new ProvisioningDriver(core, transportFactory, platform, host, port).Run(options.TimeoutMs);
            if (core.Error != null) throw core.Error;
            if (core.Result == null) throw new ProvisioningException(ProvisioningError.Timeout, "the registration ended without an answer from DPS");
            core.Result.ElapsedMs = platform.TickMilliseconds - started;
            return core.Result;
        }

        /// <summary>
        /// A <see cref="DeviceClient"/> connection string for the assigned hub, signed with this attestation's (derived)
        /// key; <paramref name="gatewayHostName"/> (e.g. <c>127.0.0.1:5671</c> for a local hub) is added when given.
        /// </summary>
        public string BuildConnectionString(DeviceRegistrationResult result, string gatewayHostName = null)
        {
            if (result == null) throw new ArgumentNullException(nameof(result));
            if (attestation.IsX509) throw new InvalidOperationException("an X.509 device has no shared access key: connect with its certificate");
            // Parsed once so a bad hub name or id fails here, naming the part, not later in DeviceClient.
            IotHubConnectionString.FromParts(result.AssignedHub, result.DeviceId, attestation.KeyBase64, null, gatewayHostName);
            return "HostName=" + result.AssignedHub + ";DeviceId=" + result.DeviceId + ";SharedAccessKey=" + attestation.KeyBase64
                + (gatewayHostName == null ? "" : ";GatewayHostName=" + gatewayHostName);
        }

        private static void CheckIdScope(string idScope)
        {
            if (idScope == null || idScope.Length == 0) throw new ArgumentException("the id scope is empty");
            for (int i = 0; i < idScope.Length; i++)
            {
                char c = idScope[i];
                if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')))
                    throw new ArgumentException("the id scope may hold only letters and digits (e.g. 0ne00000000); index " + i + " does not");
            }
        }

        private static int ParsePort(string s)
        {
            int v = 0;
            if (s.Length == 0 || s.Length > 5) throw new ArgumentException("the DPS endpoint's port is not a number");
            for (int i = 0; i < s.Length; i++)
            {
                if (s[i] < '0' || s[i] > '9') throw new ArgumentException("the DPS endpoint's port is not a number");
                v = v * 10 + (s[i] - '0');
            }
            if (v < 1 || v > 65535) throw new ArgumentException("the DPS endpoint's port must be 1-65535");
            return v;
        }
    }
}
