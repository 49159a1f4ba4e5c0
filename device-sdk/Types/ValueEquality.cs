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
                if (x.Length != y.Length) return false;
                for (int i = 0; i < x.Length; i++) if (x[i] != y[i]) return false;
                return true;
            }
            if (a is object[] l && b is object[] m)
            {
                if (l.Length != m.Length) return false;
                for (int i = 0; i < l.Length; i++) if (!AreEqual(l[i], m[i])) return false;
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
            byte[] bytes = v is EncodedValue e ? e.Bytes : v as byte[];
            uint h = Seed;
            if (bytes != null)
            {
                // FNV-1a: cheap, no allocation.
                for (int i = 0; i < bytes.Length; i++) h = (h ^ bytes[i]) * 16777619u;
            }
            else
            {
                string s = v as string;
                if (v is Symbol y)
                {
                    // As a string, but apart from the string of the same text.
                    s = y.Value;
                    h = ~h;
                }
                else if (s == null)
                {
                    // Numbers hash by their text, so 1u and 1L collide (they are not equal): a map holds few such pairs.
                    // Equals holds 0.0 and -0.0 equal, so they must hash alike; every NaN spells "NaN".
                    s = (v is double d && d == 0) || (v is float f && f == 0) ? "0" : v.ToString();
                }
                h = Text(s, h);
            }
            // MurmurHash3's finaliser: spreads nearby values (keys 1, 2, 3...) across a power-of-two table.
            h = (h ^ (h >> 16)) * 0x85ebca6bu;
            h = (h ^ (h >> 13)) * 0xc2b2ae35u;
            return (int)(h ^ (h >> 16));
        }

        private static uint Text(string s, uint h)
        {
            if (s != null)
            {
                for (int i = 0; i < s.Length; i++) h = (h ^ s[i]) * 16777619u;
            }
            return h;
        }
    }
}
