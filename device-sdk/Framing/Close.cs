// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
using IotHubAmqp.Device.Buffers;
using IotHubAmqp.Device.Types;

namespace IotHubAmqp.Device.Framing
{
    /// <summary>The close performative (AMQP 1.0 2.7.9): closes the connection.</summary>
    internal sealed class Close : DescribedList
    {
        /// <summary>error (index 0): why the connection was closed, or null.</summary>
        public Error Error;

        public override void Fields(ref FieldCursor c)
        {
            c.List(Descriptor.Close);
            Error = (Error)c.Described(Error, Descriptor.Error);
        }
    }
}
