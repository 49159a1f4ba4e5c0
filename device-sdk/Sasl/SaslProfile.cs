// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
using IotHubAmqp.Device.Types;

namespace IotHubAmqp.Device.Sasl
{
    /// <summary>
    /// The SASL mechanism a client uses (AMQP 1.0 5.3) and its initial response. None of the mechanisms
    /// this SDK needs takes a challenge: PLAIN carries the SAS token, ANONYMOUS authenticates later via CBS.
    /// </summary>
    internal sealed class SaslProfile
    {
        public const string PlainName = "PLAIN";
        public const string AnonymousName = "ANONYMOUS";

        private SaslProfile(string mechanism, byte[] initialResponse)
        {
            Mechanism = mechanism;
            InitialResponse = initialResponse;
        }

        /// <summary>The mechanism's name, e.g. <see cref="PlainName"/>.</summary>
        public readonly string Mechanism;

        /// <summary>Secret for PLAIN: never log it.</summary>
        public readonly byte[] InitialResponse;

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
    }
}
