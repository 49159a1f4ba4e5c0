// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.

namespace IotHubAmqp.Benchmarks
{
    /// <summary>Heap readings for the retained-heap measures.</summary>
    internal static class Heap
    {
        /// <summary>
        /// The heap in use once collections stop freeing anything. <c>GC.GetTotalMemory(true)</c> is not that: it runs the
        /// pending finalizers before each collection (not after) and stops as soon as two readings are within 5 % of
        /// each other. 5 % of this process's heap (0.2-0.5 MB in the quick run, more in the full one) is 10-25 KB or
        /// more, as much as a client retains, so garbage and finalizer leftovers of earlier steps could be counted in
        /// "before" and be gone by "after": that is what made the "each further client" figure negative (issue 10).
        /// Here: full blocking compacting collections with the finalizers run in between, until two readings are equal.
        /// </summary>
        public static long Settled()
        {
            long last = -1;
            for (int i = 0; i < 10; i++)
            {
                GC.Collect(2, GCCollectionMode.Forced, true, true);
                GC.WaitForPendingFinalizers();
                long now = GC.GetTotalMemory(false);
                if (now == last) break;
                last = now;
            }
            return last;
        }
    }
}
