// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
using IotHubAmqp.Device.Buffers;
using IotHubAmqp.Device.Types;

namespace IotHubAmqp.Device.Framing
{
    /// <summary>The end performative (AMQP 1.0 2.7.8): ends a session.</summary>
    internal sealed class End : DescribedList
    {
        /// <summary>error (index 0): why it was endd, or null.</summary>
        public Error Error;

        public override void Fields(ref FieldCursor c)
        {
            c.List(Descriptor.End);
            Error = (Error)c.Described(Error, Descriptor.Error);
        }
    }
}
