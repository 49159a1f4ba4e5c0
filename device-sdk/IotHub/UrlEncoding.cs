// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
using IotHubAmqp.Device.Types;

namespace IotHubAmqp.Device.IotHub
{
    /// <summary>
    /// Percent-encoding (RFC 3986 2.1) of UTF-8 bytes, keeping only the unreserved characters. The SAS
    /// signature covers the encoded resource exactly as it appears after <c>sr=</c>, so one encoder is used
    /// for both. nanoFramework has no <c>Uri.EscapeDataString</c>.
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

        /// <summary>Decodes %XX sequences (and '+' as space, as form encoding writes it); invalid escapes are kept as they are.</summary>
        /// <remarks>
        /// Works on the UTF-8 bytes of <paramref name="s"/>, never on its chars: '%', '+' and hex digits are ASCII
        /// and never occur inside a multi-byte sequence, and nanoCLR's string indexer cannot show both halves of a
        /// surrogate pair.
        /// </remarks>
        public static string Decode(string s)
        {
            if (s == null || (s.IndexOf('%') < 0 && s.IndexOf('+') < 0)) return s;
            byte[] raw = new byte[Utf8.GetByteCount(s)];
            Utf8.Encode(s, raw, 0);
            byte[] bytes = new byte[raw.Length];
            int n = 0;
            for (int i = 0; i < raw.Length; i++)
            {
                byte b = raw[i];
                int hi, lo;
                if (b == '%' && i + 2 < raw.Length && (hi = HexValue((char)raw[i + 1])) >= 0 && (lo = HexValue((char)raw[i + 2])) >= 0)
                {
                    bytes[n++] = (byte)((hi << 4) | lo);
                    i += 2;
                }
                else
                {
                    bytes[n++] = b == '+' ? (byte)' ' : b;
                }
            }
            return Utf8.Decode(bytes, 0, n);
        }

        private static bool IsUnreserved(byte b) =>
            (b >= 'A' && b <= 'Z') || (b >= 'a' && b <= 'z') || (b >= '0' && b <= '9') || b == '-' || b == '.' || b == '_' || b == '~';

        private static int HexValue(char c)
        {
            if (c >= '0' && c <= '9') return c - '0';
            if (c >= 'a' && c <= 'f') return c - 'a' + 10;
            if (c >= 'A' && c <= 'F') return c - 'A' + 10;
            return -1;
        }
    }
}
