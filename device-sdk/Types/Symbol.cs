// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.

namespace IotHubAmqp.Device
{
    /// <summary>An AMQP symbol: an ASCII name such as <c>x-opt-lock-token</c>, kept distinct from a string on the wire.</summary>
    public sealed class Symbol
    {
        /// <summary>Creates a symbol.</summary>
        public Symbol(string value)
        {
            Value = value;
        }

        /// <summary>The symbol's characters.</summary>
        public string Value { get; }

        /// <inheritdoc/>
        public override bool Equals(object obj) => obj is Symbol && ((Symbol)obj).Value == Value;

        /// <inheritdoc/>
        public override int GetHashCode() => Value == null ? 0 : Value.GetHashCode();

        /// <inheritdoc/>
        public override string ToString() => Value;
    }
}
