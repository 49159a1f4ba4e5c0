// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
using IotHubAmqp.Device.Types;

namespace IotHubAmqp.Device.IotHub
{
    /// <summary>
    /// Percent-encoding (RFC 3986 2.1) of UTF-8 bytes, keeping only the unreserved characters. The SAS
    /// signature covers the encoded resource exactly as it appears after <c>sr=</c>, so one encoder is used
    /// for both. Nothing on the device reads an encoded string back, so there is no decoder. nanoFramework has no <c>Uri.EscapeDataString</c>.
    /// </summary>
    internal static class UrlEncoding
    {
        private const string Hex = "0123456789ABCDEF";


        public static string Encode(string s)
        {
            if (s == null) return null;
            byte[] bytes = new byte[Utf8.GetByteCount(s)];
            Utf8.Encode(s, bytes, 0);
            // At most three characters a byte; one pass, then the string of the part used.
            char[] c = new char[bytes.Length * 3];
            int at = 0;
            for (int i = 0; i < bytes.Length; i++)
            {
                int b = bytes[i];
                // RFC 3986 2.3: the unreserved characters stay as they are.
                if (IsLetterOrDigit(b) || b == '-' || b == '.' || b == '_' || b == '~')
                {
                    c[at++] = (char)b;
                }
                else
                {
                    c[at++] = '%';
                    c[at++] = Hex[b >> 4];
                    c[at++] = Hex[b & 0xF];
                }
            }
            return new string(c, 0, at);
        }

        /// <summary>True for an ASCII letter or digit (range tests: no alphabet string in flash).</summary>
        internal static bool IsLetterOrDigit(int c) => (uint)(c - 'A') < 26 || (uint)(c - 'a') < 26 || (uint)(c - '0') < 10;
    }
}
