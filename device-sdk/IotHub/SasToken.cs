// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
using System;
using IotHubAmqp.Device.Platform;
using IotHubAmqp.Device.Types;

namespace IotHubAmqp.Device.IotHub
{
    /// <summary>
    /// Shared access signatures as IoT Hub checks them (iothub-amqp-wire.md 2):
    /// <c>SharedAccessSignature sr={enc(resource)}&amp;sig={enc(base64(HMAC-SHA256(key, enc(resource) + "\n" + se)))}&amp;se={se}[&amp;skn={policy}]</c>.
    /// The HMAC comes from the platform; everything else is a pure function.
    /// </summary>
    internal static class SasToken
    {
        public const string Prefix = "SharedAccessSignature ";

        /// <summary>
        /// Builds a token for <paramref name="resource"/> (the unencoded audience, e.g. <c>hub.azure-devices.net/devices/d1</c>)
        /// valid until <paramref name="expiry"/>; <paramref name="keyName"/> only for a shared access policy, never for a device key.
        /// </summary>
        public static string Create(IPlatform platform, string resource, byte[] key, string keyName, long expiry)
        {
            string sr = UrlEncoding.Encode(resource);
            string se = expiry.ToString();
            // The signature covers the encoded resource, a newline, the expiry in Unix seconds.
            string toSign = sr + "\n" + se;
            byte[] data = new byte[Utf8.GetByteCount(toSign)];
            Utf8.Encode(toSign, data, 0);
            string token = Prefix + "sr=" + sr + "&sig=" + UrlEncoding.Encode(Convert.ToBase64String(platform.HmacSha256(key, data)));
            token += "&se=" + se;
            return keyName == null ? token : token + "&skn=" + UrlEncoding.Encode(keyName);
        }

        /// <summary>Seconds since the Unix epoch.</summary>
        public static long UnixSeconds(DateTime utc) => (utc.Ticks - Encoder.EpochTicks) / TimeSpan.TicksPerSecond;

        /// <summary>
        /// The <c>se</c> (expiry) of a token the application supplied, so renewal can be planned before it;
        /// throws <see cref="ArgumentException"/> naming what is wrong (never the token itself).
        /// </summary>
        public static long ParseExpiry(string token)
        {
            if (token == null || !token.StartsWith(Prefix)) throw new ArgumentException("a SAS token starts with 'SharedAccessSignature '");
            // An '&' in front of the first field too: the first field named exactly "se" is the one after the first "&se=".
            string rest = "&" + token.Substring(Prefix.Length);
            int at = rest.IndexOf("&se=") + 4;
            if (at < 4) throw new ArgumentException("the SAS token has no 'se' (expiry) field");
            long se = 0;
            int i = at;
            for (; i < rest.Length && rest[i] != '&'; i++)
            {
                char c = rest[i];
                if (c < '0' || c > '9' || i - at > 12) throw new ArgumentException("the SAS token's 'se' field is not a Unix time in seconds");
                se = se * 10 + (c - '0');
            }
            if (i == at) throw new ArgumentException("the SAS token's 'se' field is empty");
            return se;
        }
    }
}
