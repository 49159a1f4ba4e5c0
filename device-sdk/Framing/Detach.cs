// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
using IotHubAmqp.Device.Buffers;
using IotHubAmqp.Device.Types;

namespace IotHubAmqp.Device.Framing
{
    /// <summary>The detach performative (AMQP 1.0 2.7.7): detaches (and with closed, closes) a link.</summary>
    internal sealed class Detach : DescribedList
    {
        /// <summary>handle (index 0, mandatory): the link being detached.</summary>
        public uint Handle;

        /// <summary>closed (index 1): the link is closed, not just detached; default false.</summary>
        public bool Closed;

        /// <summary>error (index 2): why the link was detached, or null.</summary>
        public Error Error;

        public override void Fields(ref FieldCursor c)
        {
            c.List(Descriptor.Detach);
            c.UInt(ref Handle, "handle");
            c.Flag(ref Closed);
            Error = (Error)c.Described(Error, Descriptor.Error);
        }
    }
}
