// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
using System.Collections;

namespace IotHubAmqp.Device
{
    /// <summary>
    /// An AMQP map that keeps insertion order. Small maps (the properties, annotations and attach properties a device
    /// sees hold a handful of entries) are searched linearly and cost no index; from <see cref="IndexThreshold"/>
    /// entries on, lookups go through a hash index built on first use, so decoding or filling a large map is linear.
    /// </summary>
    public sealed class AmqpMap
    {
        // Below this many entries a linear scan is cheaper than an index's heap.
        internal const int IndexThreshold = 16;

        private readonly ArrayList keys = new ArrayList();
        private readonly ArrayList values = new ArrayList();

        // Open addressing with linear probing: slots hold entry index + 1 (0 = empty). Null until needed, and dropped
        // (rebuilt on the next lookup) when an append fills it to half or a removal shifts the entries.
        private int[] slots;

        /// <summary>Number of entries.</summary>
        public int Count => keys.Count;

        /// <summary>Gets the value for <paramref name="key"/> (null when absent) or sets it, replacing an existing entry.</summary>
        public object this[object key]
        {
            get
            {
                int i = Find(key);
                return i < 0 ? null : values[i];
            }
            set
            {
                int i = Find(key);
                if (i < 0) Append(key, value, ~i);
                else values[i] = value;
            }
        }

        /// <summary>True when the map holds <paramref name="key"/>.</summary>
        public bool ContainsKey(object key) => Find(key) >= 0;

        /// <summary>The key of entry <paramref name="index"/>, in insertion order.</summary>
        public object KeyAt(int index) => keys[index];

        /// <summary>The value of entry <paramref name="index"/>, in insertion order.</summary>
        public object ValueAt(int index) => values[index];

        /// <summary>Removes the entry for <paramref name="key"/>; returns whether it was there.</summary>
        public bool Remove(object key)
        {
            int i = Find(key);
            if (i < 0) return false;
            keys.RemoveAt(i);
            values.RemoveAt(i);
            // Later entries moved down one index: drop the index, the next lookup rebuilds it.
            slots = null;
            return true;
        }

        /// <summary>Index of <paramref name="key"/>, or -1. Keys compare as AMQP values: a binary key by its bytes.</summary>
        public int IndexOf(object key)
        {
            int i = Find(key);
            return i < 0 ? -1 : i;
        }

        /// <summary>Adds an entry unless the key is present (one lookup, as a decoder checking for duplicates needs).</summary>
        internal bool TryAdd(object key, object value)
        {
            int i = Find(key);
            if (i >= 0) return false;
            Append(key, value, ~i);
            return true;
        }

        // Index of the key, or (absent) ~slot: the index's empty slot the key would take (0 when no index is in use).
        private int Find(object key)
        {
            int n = keys.Count;
            if (n < IndexThreshold)
            {
                // Keys are unique, so the scan may run from the end.
                while (n-- > 0)
                {
                    if (ValueEquality.AreEqual(keys[n], key)) return n;
                }
                return -1;
            }
            if (slots == null)
            {
                // Load at most one half, so probe chains stay short.
                int size = 32;
                while (size < n * 2) size *= 2;
                slots = new int[size];
                // The keys are unique, so each one's probe ends at the empty slot it takes.
                while (n-- > 0) slots[~Probe(keys[n])] = n + 1;
            }
            return Probe(key);
        }

        // Walks key's probe chain: the key's index when an entry matches, else ~slot of the empty slot that ends the chain.
        private int Probe(object key)
        {
            int mask = slots.Length - 1;
            for (int s = ValueEquality.HashOf(key) & mask; ; s = (s + 1) & mask)
            {
                int entry = slots[s];
                if (entry == 0) return ~s;
                if (ValueEquality.AreEqual(keys[entry - 1], key)) return entry - 1;
            }
        }

        // slot: from Find, for the same key, with nothing changed in between.
        private void Append(object key, object value, int slot)
        {
            int n = keys.Add(key) + 1;
            values.Add(value);
            if (slots == null) return;
            // Half full: drop the index, the next lookup builds one twice the size (each key hashed again, amortised).
            if (n * 2 > slots.Length) slots = null;
            else slots[slot] = n;
        }

        /// <inheritdoc/>
        public override bool Equals(object obj)
        {
            if (!(obj is AmqpMap m) || m.Count != Count) return false;
            for (int i = 0; i < Count; i++)
            {
                int j = m.Find(keys[i]);
                if (j < 0 || !ValueEquality.AreEqual(values[i], m.ValueAt(j))) return false;
            }
            return true;
        }

        /// <inheritdoc/>
        public override int GetHashCode() => Count;
    }
}
