// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
using System;

namespace IotHubAmqp.Device
{
    /// <summary>Structural equality for decoded AMQP values (binary and list compared element by element).</summary>
    internal static class ValueEquality
    {
        // Per-process seed of the key hashes, so a peer cannot precompute keys that all land in one chain of a map's index.
        private static readonly uint Seed = (uint)new Random().Next() | 1;

        public static bool AreEqual(object a, object b)
        {
            if (a == null || b == null) return a == b;
            if (a is byte[] x && b is byte[] y)
            {
                // From the end (any order serves), so the length is read once.
                int i = x.Length;
                if (i != y.Length) return false;
                while (i-- > 0) if (x[i] != y[i]) return false;
                return true;
            }
            if (a is object[] l && b is object[] m)
            {
                int i = l.Length;
                if (i != m.Length) return false;
                while (i-- > 0) if (!AreEqual(l[i], m[i])) return false;
                return true;
            }
            // Symbol, AmqpMap and EncodedValue compare by content; numbers, DateTime and Guid by value and type.
            return a.Equals(b);
        }

        /// <summary>
        /// A hash consistent with <see cref="AreEqual"/> for the keys a decoded map holds (scalars and bytes: a decoded
        /// list or map key is an <see cref="EncodedValue"/>): binaries by their bytes, strings and symbols by their characters,
        /// any other value by its text (which numbers, dates and uuids spell by value). Computed here rather than with
        /// GetHashCode, whose boxed and string forms are not value-based on every runtime.
        /// </summary>
        public static int HashOf(object v)
        {
            if (v == null) return 0;
            if (v is EncodedValue) v = ((EncodedValue)v).Bytes;
            uint h = Seed;
            byte[] bytes = v as byte[];
            string s = v as string;
            if (v is Symbol)
            {
                // As a string, but apart from the string of the same text.
                s = ((Symbol)v).Value;
                h = ~h;
            }
            else if (bytes == null && s == null)
            {
                // Numbers hash by their text, so 1u and 1L collide (they are not equal): a map holds few such pairs.
                // Equals holds 0.0 and -0.0 equal, so they must hash alike; every NaN spells "NaN".
                s = (v is double && (double)v == 0) || (v is float && (float)v == 0) ? "0" : v.ToString();
            }
            // FNV-1a over the bytes or the characters (last first: any fixed order serves), cheap, no allocation.
            int n = bytes != null ? bytes.Length : s == null ? 0 : s.Length;
            while (n-- > 0) h = (h ^ (bytes != null ? bytes[n] : s[n])) * 16777619u;
            // MurmurHash3's finaliser: spreads nearby values (keys 1, 2, 3...) across a power-of-two table.
            h = (h ^ (h >> 16)) * 0x85ebca6bu;
            h = (h ^ (h >> 13)) * 0xc2b2ae35u;
            return (int)(h ^ (h >> 16));
        }
    }
}
