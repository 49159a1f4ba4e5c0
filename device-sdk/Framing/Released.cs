// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
using IotHubAmqp.Device.Buffers;
using IotHubAmqp.Device.Types;

namespace IotHubAmqp.Device.Framing
{
    /// <summary>The released outcome (AMQP 1.0 3.4.4): the message was not (and will not be) processed. It has no fields.</summary>
    internal sealed class Released : Outcome
    {
        /// <summary>The one instance: released carries no state, so it is never allocated per delivery.</summary>
        public static readonly Released Instance = new Released();

        private Released()
        {
        }

        /// <inheritdoc/>
        public override ulong DescriptorCode => Descriptor.Released;

        /// <summary>No fields: the descriptor and an empty list (list0); a newer peer's fields are skipped.</summary>
        public override void Fields(ref FieldCursor c) => c.List(Descriptor.Released);
    }
}
