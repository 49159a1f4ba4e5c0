// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
using System.Collections;

namespace IotHubAmqp.Device
{
    /// <summary>
    /// An AMQP map that keeps insertion order. Lookups are linear: the maps a device sees (properties,
    /// annotations, attach properties) hold a handful of entries, and a hash table would cost more flash and heap.
    /// </summary>
    public sealed class AmqpMap
    {
        private readonly ArrayList keys = new ArrayList();
        private readonly ArrayList values = new ArrayList();

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
                int i = IndexOf(key);
                if (i < 0)
                {
                    keys.Add(key);
                    values.Add(value);
                }
                else
                {
                    values[i] = value;
                }
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
            return true;
        }

        /// <summary>Index of <paramref name="key"/>, or -1. Keys compare as AMQP values: a binary key by its bytes.</summary>
        public int IndexOf(object key)
        {
            for (int i = 0; i < keys.Count; i++)
            {
                if (ValueEquality.AreEqual(keys[i], key)) return i;
            }
            return -1;
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
