// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.

namespace IotHubAmqp.Device
{
    /// <summary>
    /// An AMQP array: a sequence of values that share one constructor (AMQP 1.0 1.6.24). Without generics
    /// the items are boxed; the element type is that of the first item, or <see cref="ElementCode"/> when empty.
    /// </summary>
    public sealed class AmqpArray
    {
        /// <summary>An array of <paramref name="items"/>, all of the same CLR type.</summary>
        public AmqpArray(object[] items)
        {
            Items = items ?? new object[0];
        }

        /// <summary>An array whose element constructor is given, as needed for an empty array.</summary>
        public AmqpArray(object[] items, byte elementCode) : this(items)
        {
            ElementCode = elementCode;
        }

        /// <summary>The elements.</summary>
        public object[] Items { get; }

        /// <summary>The element constructor read from the wire, or 0 to infer it from the items.</summary>
        public byte ElementCode { get; }

        /// <summary>The descriptor shared by every element of an array of described values, or null.</summary>
        public object Descriptor { get; set; }

        /// <inheritdoc/>
        public override bool Equals(object obj)
        {
            if (!(obj is AmqpArray a) || a.Items.Length != Items.Length) return false;
            for (int i = 0; i < Items.Length; i++)
            {
                if (!ValueEquality.AreEqual(Items[i], a.Items[i])) return false;
            }
            return Equals(a.Descriptor, Descriptor);
        }

        /// <inheritdoc/>
        public override int GetHashCode() => Items.Length;
    }
}
