// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
using IotHubAmqp.Device.Buffers;
using IotHubAmqp.Device.Types;

namespace IotHubAmqp.Device.Framing
{
    /// <summary>The rejected outcome (AMQP 1.0 3.4.3): the message is invalid and cannot be processed.</summary>
    internal sealed class Rejected : Outcome
    {
        /// <summary>error (index 0): why the message was rejected, or null.</summary>
        public Error Error;

        /// <inheritdoc/>
        public override ulong DescriptorCode => Descriptor.Rejected;

        public override void Fields(ref FieldCursor c)
        {
            c.List(Descriptor.Rejected);
            Error = (Error)c.Described(Error, Descriptor.Error);
        }
    }
}
