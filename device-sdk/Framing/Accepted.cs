// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
using IotHubAmqp.Device.Buffers;
using IotHubAmqp.Device.Types;

namespace IotHubAmqp.Device.Framing
{
    /// <summary>The accepted outcome (AMQP 1.0 3.4.2): the message was processed. It has no fields.</summary>
    internal sealed class Accepted : Outcome
    {
        /// <summary>The one instance: accepted carries no state, so it is never allocated per delivery.</summary>
        public static readonly Accepted Instance = new Accepted();

        private Accepted()
        {
        }

        /// <inheritdoc/>
        public override ulong DescriptorCode => Descriptor.Accepted;

        /// <summary>No fields: the descriptor and an empty list (list0); a newer peer's fields are skipped.</summary>
        public override void Fields(ref FieldCursor c) => c.List(Descriptor.Accepted);
    }
}
