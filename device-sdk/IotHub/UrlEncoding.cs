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
        public static string Decode(string s)
        {
            if (s == null || (s.IndexOf('%') < 0 && s.IndexOf('+') < 0)) return s;
            byte[] bytes = new byte[s.Length * 3];
            int n = 0;
            for (int i = 0; i < s.Length; i++)
            {
                char ch = s[i];
                int hi, lo;
                if (ch == '%' && i + 2 < s.Length && (hi = HexValue(s[i + 1])) >= 0 && (lo = HexValue(s[i + 2])) >= 0)
                {
                    bytes[n++] = (byte)((hi << 4) | lo);
                    i += 2;
                }
                else if (ch == '+')
                {
                    bytes[n++] = (byte)' ';
                }
                else if (ch >= 0xD800 && ch <= 0xDBFF && i + 1 < s.Length)
                {
                    // A surrogate pair is one character: encode both halves together.
                    n += Utf8.Encode(s.Substring(i, 2), bytes, n);
                    i++;
                }
                else
                {
                    n += Utf8.Encode(ch.ToString(), bytes, n);
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
