// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
using IotHubAmqp.Device.Types;

namespace IotHubAmqp.Device.Sasl
{
    /// <summary>
    /// The SASL mechanism a client uses (AMQP 1.0 5.3) and its initial response. None of the mechanisms
    /// this SDK needs takes a challenge: PLAIN carries the SAS token, the others authenticate later via CBS or TLS.
    /// </summary>
    internal sealed class SaslProfile
    {
        public const string PlainName = "PLAIN";
        public const string AnonymousName = "ANONYMOUS";
        public const string ExternalName = "EXTERNAL";
        // Azure's "claims-based security" mechanism: an empty SASL exchange, then put-token on $cbs.
        public const string MsSbCbsName = "MSSBCBS";

        private SaslProfile(string mechanism, byte[] initialResponse)
        {
            Mechanism = mechanism;
            InitialResponse = initialResponse;
        }

        public string Mechanism { get; }

        /// <summary>Secret for PLAIN: never log it.</summary>
        public byte[] InitialResponse { get; }

        /// <summary>RFC 4616: [authzid] NUL authcid NUL passwd, UTF-8.</summary>
        public static SaslProfile Plain(string user, string password)
        {
            int u = Utf8.GetByteCount(user);
            int p = Utf8.GetByteCount(password);
            byte[] response = new byte[u + p + 2];
            Utf8.Encode(user, response, 1);
            Utf8.Encode(password, response, u + 2);
            return new SaslProfile(PlainName, response);
        }

        public static SaslProfile Anonymous() => new SaslProfile(AnonymousName, null);

        public static SaslProfile External() => new SaslProfile(ExternalName, new byte[0]);

        public static SaslProfile MsSbCbs() => new SaslProfile(MsSbCbsName, new byte[0]);
    }
}
