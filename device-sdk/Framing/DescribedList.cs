// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
using IotHubAmqp.Device.Buffers;

namespace IotHubAmqp.Device.Framing
{
    /// <summary>
    /// A described list (AMQP 1.0 1.4): the performatives, outcomes, SASL frames, error and terminus. Each type lists
    /// its fields once, in <see cref="Fields"/>, and <see cref="FieldCursor"/> walks them to write or to read.
    /// </summary>
    internal abstract class DescribedList : IFields
    {
        /// <summary>Walks the fields in order (see <see cref="FieldCursor"/>), starting with the descriptor.</summary>
        public abstract void Fields(ref FieldCursor c);

        /// <summary>Writes the descriptor and the list, leaving out trailing absent or default fields. Allocates nothing.</summary>
        public void Encode(ByteBuffer b) => FieldCursor.Walk(this, b, true);

        /// <summary>Reads the list (the caller has read the descriptor); every field is set, absent ones to their default.</summary>
        public void Decode(ByteBuffer b) => FieldCursor.Walk(this, b, false);
    }

    /// <summary>
    /// A type whose fields <see cref="FieldCursor"/> walks: the described lists, and the message header and properties
    /// (public types, so they implement this explicitly rather than derive from <see cref="DescribedList"/>).
    /// </summary>
    internal interface IFields
    {
        /// <summary>Walks the fields in order, starting with the descriptor.</summary>
        void Fields(ref FieldCursor c);
    }
}
