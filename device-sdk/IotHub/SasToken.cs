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

        /// <summary>The text the signature covers: the URL-encoded resource, a newline, the expiry in Unix seconds.</summary>
        public static string StringToSign(string encodedResource, long expiry) => encodedResource + "\n" + expiry.ToString();

        /// <summary>
        /// Builds a token for <paramref name="resource"/> (the unencoded audience, e.g. <c>hub.azure-devices.net/devices/d1</c>)
        /// valid until <paramref name="expiry"/>; <paramref name="keyName"/> only for a shared access policy, never for a device key.
        /// </summary>
        public static string Create(IPlatform platform, string resource, byte[] key, string keyName, long expiry)
        {
            string sr = UrlEncoding.Encode(resource);
            string toSign = StringToSign(sr, expiry);
            byte[] data = new byte[Utf8.GetByteCount(toSign)];
            Utf8.Encode(toSign, data, 0);
            string sig = UrlEncoding.Encode(Convert.ToBase64String(platform.HmacSha256(key, data)));
            string token = Prefix + "sr=" + sr + "&sig=" + sig + "&se=" + expiry.ToString();
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
            string v = Field(token, "se");
            if (v == null) throw new ArgumentException("the SAS token has no 'se' (expiry) field");
            long se = 0;
            for (int i = 0; i < v.Length; i++)
            {
                char c = v[i];
                if (c < '0' || c > '9' || i > 12) throw new ArgumentException("the SAS token's 'se' field is not a Unix time in seconds");
                se = se * 10 + (c - '0');
            }
            if (v.Length == 0) throw new ArgumentException("the SAS token's 'se' field is empty");
            return se;
        }

        private static string Field(string token, string name)
        {
            if (token == null || !token.StartsWith(Prefix)) throw new ArgumentException("a SAS token starts with 'SharedAccessSignature '");
            string rest = token.Substring(Prefix.Length);
            int at = 0;
            while (at <= rest.Length)
            {
                int amp = rest.IndexOf('&', at);
                if (amp < 0) amp = rest.Length;
                int eq = rest.IndexOf('=', at);
                if (eq > at && eq < amp && rest.Substring(at, eq - at) == name) return rest.Substring(eq + 1, amp - eq - 1);
                at = amp + 1;
            }
            return null;
        }
    }
}
