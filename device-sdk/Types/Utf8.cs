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
    /// the calls and the managed code runs (exact on desktop .NET, where strings are UTF-16). Encoding calls the
    /// native conversion only for a string with a surrogate or longer than <see cref="InPlaceChars"/> (nanoCLR's
    /// indexer walks the string from its start), so short BMP text is written in place with no allocation. Decoding
    /// on the device validates the bytes and takes the native conversion's string, building no char[].
    /// On the device a string cannot hold a lone surrogate (nanoCLR made it U+FFFD) or U+0000 (it ends the
    /// string), so encoding never fails there, and decoding bytes that hold U+0000 is a decode error rather than a
    /// cut-off string.
    /// </remarks>
    internal static partial class Utf8
    {
        /// <summary>On the device: <paramref name="bytes"/> = the UTF-8 of <paramref name="s"/>.</summary>
        static partial void NativeGetBytes(string s, ref byte[] bytes);

        /// <summary>On the device: <paramref name="s"/> = the string of these (already validated) UTF-8 bytes.</summary>
        static partial void NativeGetString(byte[] src, int at, int count, ref string s);
        /// <summary>Bytes needed to encode <paramref name="s"/>; an unpaired surrogate is an error.</summary>
        public static int GetByteCount(string s) => Encode(s, null, 0);

        /// <summary>
        /// Writes <paramref name="s"/> at <paramref name="at"/> (only counts when <paramref name="dest"/> is null);
        /// returns the byte count. The caller reserved the space.
        /// </summary>
        public static int Encode(string s, byte[] dest, int at)
        {
            // Declared first, so the most used locals get IL's one-byte forms.
            int cp, n, k, i;
            int start = at, length = s.Length; // nanoCLR counts a string's characters on every Length
            if (length > InPlaceChars)
            {
                // nanoCLR finds s[i] by walking its UTF-8 from the start: in place, a long string costs O(n^2) there,
                // its own conversion O(n) and one allocation. On desktop the call is compiled out.
                byte[] whole = null;
                NativeGetBytes(s, ref whole);
                if (whole != null) return CopyNative(whole, dest, start);
            }
            for (i = 0; i < length; i++)
            {
                cp = s[i];
                // cp >> 11 == 0x1B: D800-DFFF, a surrogate; cp >> 10 is 0x36 for a high half, 0x37 for a low half.
                if (cp >> 11 == 0x1B)
                {
                    // Past the BMP nanoCLR's s[i] is wrong: there its own conversion takes the whole string (it
                    // allocates, so BMP text, the usual case, never comes here). On desktop the call is compiled out.
                    byte[] native = null;
                    NativeGetBytes(s, ref native);
                    if (native != null) return CopyNative(native, dest, start);
                    // Only a high half followed by a low half is a character (U+10000 and up); a lone half has no UTF-8 form.
                    if (cp >> 10 != 0x36 || i + 1 >= length || s[i + 1] >> 10 != 0x37)
                        throw new AmqpException(ErrorCode.InvalidField, "string has an unpaired surrogate at index " + i);
                    cp = 0x10000 + ((cp - 0xD800) << 10) + (s[++i] - 0xDC00);
                }
                // RFC 3629: n continuation bytes of 6 bits each after a lead byte of n + 1 high ones.
                n = cp < 0x80 ? 0 : cp < 0x800 ? 1 : cp < 0x10000 ? 2 : 3;
                if (dest != null)
                {
                    dest[at] = (byte)(n == 0 ? cp : (0xFF80 >> n) | (cp >> (6 * n)));
                    for (k = 1; k <= n; k++) dest[at + k] = (byte)(0x80 | ((cp >> (6 * (n - k))) & 0x3F));
                }
                at += n + 1;
            }
            return at - start;
        }

        // True where the partial methods have a body (the device build): probed once by converting "A".
        private static readonly bool HasNative = ProbeNative();

        private static bool ProbeNative()
        {
            string s = null;
            NativeGetString(new byte[] { 0x41 }, 0, 1, ref s);
            return s != null;
        }

        /// <summary>Longest string written in place on the device; a longer one goes to nanoCLR's own conversion.</summary>
        internal const int InPlaceChars = 64;

        private static int CopyNative(byte[] native, byte[] dest, int at)
        {
            if (dest != null) System.Array.Copy(native, 0, dest, at, native.Length);
            return native.Length;
        }

        /// <summary>Decodes <paramref name="count"/> bytes; throws <c>amqp:decode-error</c> on invalid UTF-8.</summary>
        public static string Decode(byte[] src, int at, int count)
        {
            // Declared first, so the most used locals get IL's one-byte forms.
            int cp, len, k, n = 0;
            // Never more UTF-16 units than bytes. On the device the string comes from nanoCLR's own conversion: the
            // loop only validates there, and builds no char[] (for a large body, twice its size in garbage).
            char[] chars = HasNative ? null : new char[count];
            int start = at, end = at + count, firstNul = -1;
            while (at < end)
            {
                cp = src[at];
                // Sequence length from the lead byte. A continuation byte (10xxxxxx) cannot lead, nor can C0 and C1
                // (only overlong 2-byte forms start so) or F5 and up (only code points above U+10FFFF).
                len = cp < 0x80 ? 1 : cp < 0xC2 ? 0 : cp < 0xE0 ? 2 : cp < 0xF0 ? 3 : cp < 0xF5 ? 4 : 0;
                if (len == 0) throw Invalid(at, "invalid lead byte 0x" + cp.ToString("X2"));
                if (at + len > end) throw Invalid(at, "truncated " + len + "-byte sequence");
                if (len > 1) cp &= 0x7F >> len;
                for (k = 1; k < len; k++)
                {
                    int bk = src[at + k];
                    if ((bk & 0xC0) != 0x80) throw Invalid(at + k, "missing continuation byte");
                    cp = (cp << 6) | (bk & 0x3F);
                }
                // The shortest form only: 3 bytes from U+0800, 4 from U+10000 (2-byte forms are checked by their lead).
                if (cp < (len == 3 ? 0x800 : len == 4 ? 0x10000 : 0)) throw Invalid(at, "overlong encoding");
                if (cp > 0x10FFFF) throw Invalid(at, "code point above U+10FFFF");
                if (cp >> 11 == 0x1B) throw Invalid(at, "encoded surrogate"); // D800-DFFF
                if (cp == 0 && firstNul < 0) firstNul = at;
                at += len;
                if (chars == null) continue;
                if (cp >= 0x10000)
                {
                    cp -= 0x10000;
                    chars[n++] = (char)(0xD800 + (cp >> 10));
                    cp = 0xDC00 + (cp & 0x3FF);
                }
                chars[n++] = (char)cp;
            }
            if (chars != null) return new string(chars, 0, n);
            string native = null;
            NativeGetString(src, start, count, ref native);
            if (firstNul >= 0) throw Invalid(firstNul, "U+0000, which a nanoFramework string cannot hold (it ends the string)");
            return native;
        }

        private static AmqpException Invalid(int at, string why)
        {
            return new AmqpException(ErrorCode.DecodeError, "invalid UTF-8 at byte " + at + ": " + why);
        }
    }
}
