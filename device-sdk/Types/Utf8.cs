// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.

namespace IotHubAmqp.Device.Types
{
    /// <summary>
    /// UTF-8 (RFC 3629) for AMQP strings. nanoFramework's System.Text is a separate package, so the codec
    /// carries its own. Decoding is strict: overlong forms, surrogates encoded as UTF-8, code points above
    /// U+10FFFF and truncated sequences are decode errors, never replaced with U+FFFD.
    /// </summary>
    /// <remarks>
    /// nanoCLR keeps strings as UTF-8 and its indexer does not show the second half of a surrogate pair (index 2
    /// of "a\ud83d\ude00b" reads '\ud83d'), so walking <c>s[i]</c> gets characters outside the BMP wrong there.
    /// The device build (IotHubAmqp.Device.nfproj) therefore compiles Platform/Nano/NanoUtf8.cs, which implements
    /// the two partial methods below with nanoFramework's native UTF-8 conversion; elsewhere the compiler drops
    /// the calls and the managed code runs (exact on desktop .NET, where strings are UTF-16). On the device a
    /// string cannot hold a lone surrogate (nanoCLR made it U+FFFD) or U+0000 (it ends the string), so encoding
    /// never fails there, and decoding bytes that hold U+0000 is a decode error rather than a cut-off string.
    /// </remarks>
    internal static partial class Utf8
    {
        /// <summary>On the device: <paramref name="bytes"/> = the UTF-8 of <paramref name="s"/>.</summary>
        static partial void NativeGetBytes(string s, ref byte[] bytes);

        /// <summary>On the device: <paramref name="s"/> = the string of these (already validated) UTF-8 bytes.</summary>
        static partial void NativeGetString(byte[] src, int at, int count, ref string s);
        /// <summary>Bytes needed to encode <paramref name="s"/>; an unpaired surrogate is an error.</summary>
        public static int GetByteCount(string s)
        {
            byte[] native = null;
            NativeGetBytes(s, ref native);
            if (native != null) return native.Length;
            int n = 0;
            for (int i = 0; i < s.Length; i++)
            {
                char c = s[i];
                if (c < 0x80) n += 1;
                else if (c < 0x800) n += 2;
                else if (c >= 0xD800 && c <= 0xDFFF)
                {
                    if (c > 0xDBFF || i + 1 >= s.Length || s[i + 1] < 0xDC00 || s[i + 1] > 0xDFFF)
                        throw new AmqpException(ErrorCode.InvalidField, "string has an unpaired surrogate at index " + i);
                    n += 4;
                    i++;
                }
                else n += 3;
            }
            return n;
        }

        /// <summary>Writes <paramref name="s"/> at <paramref name="at"/>; returns the byte count. The caller reserved the space.</summary>
        public static int Encode(string s, byte[] dest, int at)
        {
            byte[] native = null;
            NativeGetBytes(s, ref native);
            if (native != null)
            {
                System.Array.Copy(native, 0, dest, at, native.Length);
                return native.Length;
            }

            int start = at;
            for (int i = 0; i < s.Length; i++)
            {
                int c = s[i];
                if (c < 0x80)
                {
                    dest[at++] = (byte)c;
                }
                else if (c < 0x800)
                {
                    dest[at++] = (byte)(0xC0 | (c >> 6));
                    dest[at++] = (byte)(0x80 | (c & 0x3F));
                }
                else if (c >= 0xD800 && c <= 0xDFFF)
                {
                    // Callers size the buffer with GetByteCount, which rejects these too; checked again so a
                    // direct call can neither write CESU-8 garbage nor run off the end of the string.
                    if (c > 0xDBFF || i + 1 >= s.Length || s[i + 1] < 0xDC00 || s[i + 1] > 0xDFFF)
                        throw new AmqpException(ErrorCode.InvalidField, "string has an unpaired surrogate at index " + i);
                    int cp = 0x10000 + ((c - 0xD800) << 10) + (s[++i] - 0xDC00);
                    dest[at++] = (byte)(0xF0 | (cp >> 18));
                    dest[at++] = (byte)(0x80 | ((cp >> 12) & 0x3F));
                    dest[at++] = (byte)(0x80 | ((cp >> 6) & 0x3F));
                    dest[at++] = (byte)(0x80 | (cp & 0x3F));
                }
                else
                {
                    dest[at++] = (byte)(0xE0 | (c >> 12));
                    dest[at++] = (byte)(0x80 | ((c >> 6) & 0x3F));
                    dest[at++] = (byte)(0x80 | (c & 0x3F));
                }
            }
            return at - start;
        }

        /// <summary>Decodes <paramref name="count"/> bytes; throws <c>amqp:decode-error</c> on invalid UTF-8.</summary>
        public static string Decode(byte[] src, int at, int count)
        {
            // Never more UTF-16 units than bytes.
            char[] chars = new char[count];
            int n = 0, start = at, end = at + count, firstNul = -1;
            while (at < end)
            {
                int b0 = src[at];
                if (b0 < 0x80)
                {
                    if (b0 == 0 && firstNul < 0) firstNul = at;
                    chars[n++] = (char)b0;
                    at++;
                    continue;
                }
                int len, cp, min;
                if ((b0 & 0xE0) == 0xC0) { len = 2; cp = b0 & 0x1F; min = 0x80; }
                else if ((b0 & 0xF0) == 0xE0) { len = 3; cp = b0 & 0x0F; min = 0x800; }
                else if ((b0 & 0xF8) == 0xF0) { len = 4; cp = b0 & 0x07; min = 0x10000; }
                else throw Invalid(at, "invalid lead byte 0x" + b0.ToString("X2"));
                if (at + len > end) throw Invalid(at, "truncated " + len + "-byte sequence");
                for (int k = 1; k < len; k++)
                {
                    int bk = src[at + k];
                    if ((bk & 0xC0) != 0x80) throw Invalid(at + k, "missing continuation byte");
                    cp = (cp << 6) | (bk & 0x3F);
                }
                if (cp < min) throw Invalid(at, "overlong encoding");
                if (cp > 0x10FFFF) throw Invalid(at, "code point above U+10FFFF");
                if (cp >= 0xD800 && cp <= 0xDFFF) throw Invalid(at, "encoded surrogate");
                if (cp >= 0x10000)
                {
                    cp -= 0x10000;
                    chars[n++] = (char)(0xD800 + (cp >> 10));
                    chars[n++] = (char)(0xDC00 + (cp & 0x3FF));
                }
                else
                {
                    chars[n++] = (char)cp;
                }
                at += len;
            }
            string native = null;
            NativeGetString(src, start, count, ref native);
            if (native == null) return new string(chars, 0, n);
            if (firstNul >= 0) throw Invalid(firstNul, "U+0000, which a nanoFramework string cannot hold (it ends the string)");
            return native;
        }

        private static AmqpException Invalid(int at, string why)
        {
            return new AmqpException(ErrorCode.DecodeError, "invalid UTF-8 at byte " + at + ": " + why);
        }
    }
}
