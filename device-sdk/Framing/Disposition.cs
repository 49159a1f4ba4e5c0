// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
using IotHubAmqp.Device.Buffers;
using IotHubAmqp.Device.Types;

namespace IotHubAmqp.Device.Framing
{
    /// <summary>The disposition performative (AMQP 1.0 2.7.6): informs the peer of delivery state changes.</summary>
    internal sealed class Disposition : DescribedList
    {
        /// <summary>role (index 0, mandatory): the role of the sender of this frame (<see cref="Framing.Role"/>).</summary>
        public bool Role;

        /// <summary>first (index 1, mandatory): the lower bound of the delivery-ids covered.</summary>
        public uint First;

        /// <summary>last (index 2): the upper bound, valid when <see cref="HasLast"/>; absent = same as first.</summary>
        public uint Last;

        /// <summary>Whether last (index 2) is present.</summary>
        public bool HasLast;

        /// <summary>settled (index 3): whether the deliveries are settled; default false.</summary>
        public bool Settled;

        /// <summary>state (index 4): the delivery state, or null.</summary>
        public Outcome State;

        /// <summary>batchable (index 5): the peer may delay its reply; default false.</summary>
        public bool Batchable;

        public override void Fields(ref FieldCursor c)
        {
            c.List(Descriptor.Disposition);
            c.Bool(ref Role, "role");
            c.UInt(ref First, "first");
            c.UInt(ref Last, ref HasLast);
            c.Flag(ref Settled);
            State = (Outcome)c.Described(State, 0);
            c.Flag(ref Batchable);
        }
    }
}
