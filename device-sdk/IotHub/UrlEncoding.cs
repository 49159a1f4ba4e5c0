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
            int n = Utf8.GetByteCount(s);
            byte[] bytes = new byte[n];
            Utf8.Encode(s, bytes, 0);
            int size = 0;
            for (int i = 0; i < n; i++) size += IsUnreserved(bytes[i]) ? 1 : 3;
            if (size == n) return s;
            char[] c = new char[size];
            int at = 0;
            for (int i = 0; i < n; i++)
            {
                byte b = bytes[i];
                if (IsUnreserved(b))
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
            return new string(c);
        }

        private static bool IsUnreserved(byte b) =>
            (b >= 'A' && b <= 'Z') || (b >= 'a' && b <= 'z') || (b >= '0' && b <= '9') || b == '-' || b == '.' || b == '_' || b == '~';
    }
}
