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

        // Open addressing with linear probing: slots hold entry index + 1 (0 = empty), hashes the key's hash in that
        // slot, compared before the keys. Null until needed; kept at most 3/4 full.
        private int[] slots;
        private int[] hashes;

        /// <summary>Number of entries.</summary>
        public int Count => keys.Count;

        /// <summary>Gets the value for <paramref name="key"/> (null when absent) or sets it, replacing an existing entry.</summary>
        public object this[object key]
        {
            get
            {
                int i = IndexOf(key);
                return i < 0 ? null : values[i];
            }
            set
            {
                int i = Find(key, out int hash);
                if (i < 0) Append(key, value, hash);
                else values[i] = value;
            }
        }

        /// <summary>True when the map holds <paramref name="key"/>.</summary>
        public bool ContainsKey(object key) => IndexOf(key) >= 0;

        /// <summary>The key of entry <paramref name="index"/>, in insertion order.</summary>
        public object KeyAt(int index) => keys[index];

        /// <summary>The value of entry <paramref name="index"/>, in insertion order.</summary>
        public object ValueAt(int index) => values[index];

        /// <summary>Removes the entry for <paramref name="key"/>; returns whether it was there.</summary>
        public bool Remove(object key)
        {
            int i = IndexOf(key);
            if (i < 0) return false;
            keys.RemoveAt(i);
            values.RemoveAt(i);
            // Later entries moved down one index: drop the index, the next lookup rebuilds it.
            slots = null;
            hashes = null;
            return true;
        }

        /// <summary>Index of <paramref name="key"/>, or -1. Keys compare as AMQP values: a binary key by its bytes.</summary>
        public int IndexOf(object key) => Find(key, out _);

        /// <summary>Adds an entry unless the key is present (one lookup, as a decoder checking for duplicates needs).</summary>
        internal bool TryAdd(object key, object value)
        {
            if (Find(key, out int hash) >= 0) return false;
            Append(key, value, hash);
            return true;
        }

        // Index of the key or -1; hash is the key's hash when the index is in use (0 otherwise, unused then).
        private int Find(object key, out int hash)
        {
            hash = 0;
            if (slots == null)
            {
                if (keys.Count < IndexThreshold)
                {
                    for (int i = 0; i < keys.Count; i++)
                    {
                        if (ValueEquality.AreEqual(keys[i], key)) return i;
                    }
                    return -1;
                }
                Build();
            }
            hash = ValueEquality.HashOf(key);
            int mask = slots.Length - 1;
            for (int s = hash & mask; ; s = (s + 1) & mask)
            {
                int entry = slots[s];
                if (entry == 0) return -1;
                if (hashes[s] == hash && ValueEquality.AreEqual(keys[entry - 1], key)) return entry - 1;
            }
        }

        private void Append(object key, object value, int hash)
        {
            keys.Add(key);
            values.Add(value);
            if (slots == null) return;
            if (keys.Count * 4 > slots.Length * 3) Grow();
            else Insert(slots, hashes, keys.Count, hash);
        }

        private void Build()
        {
            int size = 32;
            while (size * 3 <= keys.Count * 4) size *= 2;
            slots = new int[size];
            hashes = new int[size];
            for (int i = 0; i < keys.Count; i++) Insert(slots, hashes, i + 1, ValueEquality.HashOf(keys[i]));
        }

        // Doubles the table, reusing the stored hashes: keys are not hashed again.
        private void Grow()
        {
            int[] oldSlots = slots, oldHashes = hashes;
            slots = new int[oldSlots.Length * 2];
            hashes = new int[slots.Length];
            for (int s = 0; s < oldSlots.Length; s++)
            {
                if (oldSlots[s] != 0) Insert(slots, hashes, oldSlots[s], oldHashes[s]);
            }
            // The entry just appended was not in the old table.
            Insert(slots, hashes, keys.Count, ValueEquality.HashOf(keys[keys.Count - 1]));
        }

        private static void Insert(int[] table, int[] tableHashes, int entry, int hash)
        {
            int mask = table.Length - 1;
            int s = hash & mask;
            while (table[s] != 0) s = (s + 1) & mask;
            table[s] = entry;
            tableHashes[s] = hash;
        }

        /// <inheritdoc/>
        public override bool Equals(object obj)
        {
            if (!(obj is AmqpMap m) || m.Count != Count) return false;
            for (int i = 0; i < Count; i++)
            {
                int j = m.IndexOf(keys[i]);
                if (j < 0 || !ValueEquality.AreEqual(values[i], m.ValueAt(j))) return false;
            }
            return true;
        }

        /// <inheritdoc/>
        public override int GetHashCode() => Count;
    }
}
