// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
using System;

namespace IotHubAmqp.Device.IotHub
{
    /// <summary>How the device proves who it is (iothub-amqp-wire.md 1).</summary>
    public enum AuthenticationMode
    {
        /// <summary>No SASL layer, then a CBS put-token; renewed in place without reconnecting (the default).</summary>
        Cbs,
        /// <summary>SASL ANONYMOUS, then a CBS put-token; renewed in place.</summary>
        CbsWithSaslAnonymous,
        /// <summary>SASL PLAIN with the token as password; renewal means a planned reconnect.</summary>
        SaslPlain,
    }

    /// <summary>Asks the application for a new SAS token for <paramref name="audience"/> (when the device holds no key).</summary>
    /// <returns>A token <c>SharedAccessSignature sr=...&amp;sig=...&amp;se=...</c>, or null when none can be had now.</returns>
    public delegate string TokenRenewalHandler(string audience, DateTime suggestedExpiryUtc);

    /// <summary>Settings of a <see cref="DeviceClient"/>; every value has a default that suits a small device.</summary>
    public sealed class DeviceClientOptions
    {
        /// <summary>IoT Hub's AMQP port over TLS.</summary>
        public const int DefaultPort = 5671;

        /// <summary>IoT Hub's largest device-to-cloud message (256 KB).</summary>
        public const int MaxTelemetryBytes = 256 * 1024;

        /// <summary>Authentication mode (default <see cref="AuthenticationMode.Cbs"/>).</summary>
        public AuthenticationMode Authentication = AuthenticationMode.Cbs;

        /// <summary>The put-token <c>type</c>: "servicebus.windows.net:sastoken" (default) or "azure-devices.net:sastoken".</summary>
        public string CbsTokenType = CbsPutToken.ServiceBusTokenType;

        /// <summary>Lifetime of the tokens the SDK signs, in seconds (default 3600).</summary>
        public int TokenLifetimeSeconds = 3600;

        /// <summary>When to renew, as a fraction of the lifetime, strictly between 0 and 1 (default 0.85).</summary>
        public double RenewalPoint = 0.85;

        /// <summary>Spread of the renewal time, as a fraction of the lifetime (default 0.03).</summary>
        public double RenewalJitter = 0.03;

        /// <summary>
        /// Renew tokens before they expire (default true). Off, the hub cuts the connection at expiry and the
        /// client reconnects with a new token: only for tests that prove the hub enforces expiry.
        /// </summary>
        public bool RenewTokens = true;

        /// <summary>Called before a supplied token expires when the connection string has no key.</summary>
        public TokenRenewalHandler TokenRenewal;

        /// <summary>TCP port (default 5671).</summary>
        public int Port = DefaultPort;

        /// <summary>Largest AMQP frame the device accepts, 512 or more (default 4096; see docs/architecture.md).</summary>
        public uint MaxFrameSize = 4096;

        /// <summary>Cloud-to-device messages fetched ahead of the application (credit, default 2: memory first).</summary>
        public uint C2dPrefetch = 2;

        /// <summary>Largest C2D message accepted (IoT Hub sends at most 64 KB; default 72 KB for AMQP overhead).</summary>
        public int C2dMaxMessageBytes = 72 * 1024;

        /// <summary>Attach the C2D receiver when connecting (default true); false for a telemetry-only device. A module (<c>ModuleId=</c>) never has one.</summary>
        public bool ReceiveCloudToDevice = true;

        /// <summary>Time for a connect (TCP, TLS, AMQP, authentication, links), in ms (default 30 s).</summary>
        public int ConnectTimeoutMs = 30000;

        /// <summary>Time for one operation (a telemetry outcome, a CBS reply), in ms (default 30 s, as the C SDK).</summary>
        public int OperationTimeoutMs = 30000;

        /// <summary>AMQP idle timeout the device announces, in ms (default 240 s, as the C SDK).</summary>
        public uint IdleTimeoutMs = 240000;

        /// <summary>Backoff for reconnects and failed renewals.</summary>
        public RetryPolicy Retry = new RetryPolicy();

        /// <summary>Throws <see cref="ArgumentException"/> naming the first option that is out of range.</summary>
        public void Validate()
        {
            if (TokenLifetimeSeconds <= 0) throw new ArgumentException("TokenLifetimeSeconds must be positive");
            double point = RenewalPoint, jitter = RenewalJitter; // each read once
            if (!(point > 0 && point < 1)) throw new ArgumentException("RenewalPoint must be strictly between 0 and 1");
            // Unsigned compares: one test for both ends of a range.
            if ((uint)Authentication > (uint)AuthenticationMode.SaslPlain)
                throw new ArgumentException("Authentication is not one of Cbs, CbsWithSaslAnonymous, SaslPlain");
            if (!(jitter >= 0 && jitter < point && point + jitter < 1))
                throw new ArgumentException("RenewalJitter must be at least 0 and keep the renewal point inside (0, 1)");
            if (CbsTokenType != CbsPutToken.ServiceBusTokenType && CbsTokenType != CbsPutToken.AzureDevicesTokenType)
                throw new ArgumentException("CbsTokenType must be servicebus.windows.net:sastoken or azure-devices.net:sastoken");
            if ((uint)(Port - 1) >= 65535) throw new ArgumentException("Port must be between 1 and 65535");
            if (MaxFrameSize < 512) throw new ArgumentException("MaxFrameSize must be at least 512");
            if (C2dPrefetch - 1 >= 50) throw new ArgumentException("C2dPrefetch must be between 1 and 50");
            if (C2dMaxMessageBytes < 1024) throw new ArgumentException("C2dMaxMessageBytes must be at least 1024");
            if (ConnectTimeoutMs <= 0) throw new ArgumentException("ConnectTimeoutMs must be positive");
            if (OperationTimeoutMs <= 0) throw new ArgumentException("OperationTimeoutMs must be positive");
            RetryPolicy retry = Retry;
            if (retry == null) throw new ArgumentException("Retry must be set");
            retry.Validate();
        }
    }
}
