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
            if (a is DescribedValue d && b is DescribedValue e)
                return AreEqual(d.Descriptor, e.Descriptor) && AreEqual(d.Value, e.Value);
            return a.Equals(b);
        }

        /// <summary>
        /// A hash consistent with <see cref="AreEqual"/>: equal values hash alike (binaries by their bytes, strings and
        /// symbols by their characters, numbers by type and value, composites by their elements). Computed here rather
        /// than with GetHashCode, whose boxed and string forms are not value-based on every runtime.
        /// </summary>
        public static int HashOf(object v)
        {
            switch (v)
            {
                case null: return 0;
                case string s: return (int)Mix(Text(s, Seed));
                case Symbol sym: return (int)Mix(Text(sym.Value, Seed) ^ 0x5bd1e995u);
                case byte[] x: return (int)Mix(Bytes(x, Seed));
                case bool x: return x ? 0x11 : 0x12;
                case uint x: return (int)Mix(x ^ 0x1000000u);
                case ulong x: return (int)Mix((uint)x ^ (uint)(x >> 32) ^ 0x2000000u);
                case int x: return (int)Mix((uint)x ^ 0x3000000u);
                case long x: return (int)Mix((uint)x ^ (uint)(x >> 32) ^ 0x4000000u);
                case byte x: return (int)Mix(x ^ 0x5000000u);
                case sbyte x: return (int)Mix((uint)x ^ 0x6000000u);
                case ushort x: return (int)Mix(x ^ 0x7000000u);
                case short x: return (int)Mix((uint)x ^ 0x8000000u);
                case char x: return (int)Mix(x ^ 0x9000000u);
                case double x: return (int)Mix(Real(x) ^ 0xA000000u);
                case float x: return (int)Mix(Real(x) ^ 0xB000000u);
                case DateTime x: return (int)Mix((uint)x.Ticks ^ (uint)(x.Ticks >> 32) ^ 0xC000000u);
                case Guid x: return (int)Mix((uint)x.GetHashCode() ^ 0xD000000u);
                case AmqpDecimal x: return (int)Mix(Bytes(x.Bytes, Seed) ^ 0xE000000u);
                case object[] x: return (int)Mix(Items(x) ^ 0xF000000u);
                case AmqpArray x: return (int)Mix(Items(x.Items) ^ 0xF100000u);
                case DescribedValue x: return (int)Mix((uint)HashOf(x.Descriptor) * 31u + (uint)HashOf(x.Value));
                case AmqpMap x:
                    // AmqpMap equality ignores entry order, so the entries' hashes are summed.
                    uint h = 0xF200000u;
                    for (int i = 0; i < x.Count; i++) h += Mix((uint)HashOf(x.KeyAt(i)) * 31u + (uint)HashOf(x.ValueAt(i)));
                    return (int)Mix(h);
                default: return 0x13;
            }
        }

        // FNV-1a over UTF-16 code units, then over bytes: cheap, no allocation.
        private static uint Text(string s, uint h)
        {
            if (s == null) return 0;
            for (int i = 0; i < s.Length; i++) h = (h ^ s[i]) * 16777619u;
            return h;
        }

        private static uint Bytes(byte[] a, uint h)
        {
            for (int i = 0; i < a.Length; i++) h = (h ^ a[i]) * 16777619u;
            return h ^ (uint)a.Length;
        }

        private static uint Items(object[] items)
        {
            uint h = (uint)items.Length;
            for (int i = 0; i < items.Length; i++) h = h * 31u + (uint)HashOf(items[i]);
            return h;
        }

        // Equals treats every NaN as one value and 0.0 as -0.0, so those bit patterns must hash alike.
        private static uint Real(double d)
        {
            if (double.IsNaN(d)) return 1;
            if (d == 0) return 0;
            long bits = BitConverter.DoubleToInt64Bits(d);
            return (uint)bits ^ (uint)(bits >> 32);
        }

        // MurmurHash3's finaliser: spreads nearby values (keys 1, 2, 3...) across a power-of-two table.
        private static uint Mix(uint h)
        {
            h ^= h >> 16;
            h *= 0x85ebca6bu;
            h ^= h >> 13;
            h *= 0xc2b2ae35u;
            h ^= h >> 16;
            return h;
        }
    }
}
