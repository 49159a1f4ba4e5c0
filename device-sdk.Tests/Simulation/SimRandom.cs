// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.

namespace IotHubAmqp.Device.Tests.Simulation
{
    /// <summary>
    /// A seeded PRNG (splitmix64) for simulation schedules. System.Random differs between nanoFramework and
    /// desktop .NET, so a seed must mean the same schedule everywhere: only ulong arithmetic here, which
    /// wraps identically on every runtime.
    /// </summary>
    internal sealed class SimRandom
    {
        private ulong state;

        public SimRandom(ulong seed)
        {
            Seed = seed;
            state = seed;
        }

        /// <summary>The seed this source started from, to print with a failure.</summary>
        public ulong Seed { get; }

        /// <summary>The next 64 random bits (splitmix64: Steele, Lea, Flood 2014).</summary>
        public ulong NextULong()
        {
            state += 0x9E3779B97F4A7C15UL;
            ulong z = state;
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
            return z ^ (z >> 31);
        }

        /// <summary>A value in [0, max); 0 when max &lt;= 0. The modulo bias is negligible for simulation ranges.</summary>
        public int Next(int max)
        {
            if (max <= 0) return 0;
            return (int)(NextULong() % (ulong)max);
        }

        /// <summary>A value in [min, max).</summary>
        public int Next(int min, int max)
        {
            return max <= min ? min : min + Next(max - min);
        }

        /// <summary>True with probability <paramref name="percent"/>/100.</summary>
        public bool NextBool(int percent)
        {
            if (percent <= 0) return false;
            if (percent >= 100) return true;
            return Next(100) < percent;
        }

        /// <summary>A new independent source derived from this one (one per component keeps schedules stable when another component draws more).</summary>
        public SimRandom Fork()
        {
            return new SimRandom(NextULong());
        }
    }
}
