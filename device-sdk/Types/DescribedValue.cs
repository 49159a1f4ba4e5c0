// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.

namespace IotHubAmqp.Device
{
    /// <summary>A described value (AMQP 1.0 1.2): a descriptor (ulong code or <see cref="Symbol"/>) and the value it describes.</summary>
    public sealed class DescribedValue
    {
        /// <summary>Creates a described value.</summary>
        public DescribedValue(object descriptor, object value)
        {
            Descriptor = descriptor;
            Value = value;
        }

        /// <summary>The descriptor: a boxed <see cref="ulong"/> or a <see cref="Symbol"/>.</summary>
        public object Descriptor { get; }

        /// <summary>The described value.</summary>
        public object Value { get; }

        /// <inheritdoc/>
        public override bool Equals(object obj) =>
            obj is DescribedValue d && ValueEquality.AreEqual(d.Descriptor, Descriptor) && ValueEquality.AreEqual(d.Value, Value);

        /// <inheritdoc/>
        public override int GetHashCode() => Descriptor == null ? 0 : Descriptor.GetHashCode();
    }
}
