// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
using IotHubAmqp.Device.Buffers;

namespace IotHubAmqp.Device.Framing
{
    /// <summary>
    /// A described list (AMQP 1.0 1.4): the performatives, outcomes, SASL frames, error and terminus. Each type lists
    /// its fields once, in <see cref="Fields"/>, and <see cref="FieldCursor"/> walks them to write or to read.
    /// </summary>
    internal abstract class DescribedList
    {
        /// <summary>Walks the fields in order (see <see cref="FieldCursor"/>), starting with the descriptor.</summary>
        internal abstract void Fields(ref FieldCursor c);

        /// <summary>Writes the descriptor and the list, leaving out trailing absent or default fields. Allocates nothing.</summary>
        public void Encode(ByteBuffer b)
        {
            FieldCursor c = FieldCursor.Writer(b);
            Fields(ref c);
            c.End();
        }

        /// <summary>Reads the list (the caller has read the descriptor); every field is set, absent ones to their default.</summary>
        public void Decode(ByteBuffer b)
        {
            FieldCursor c = FieldCursor.Reader(b);
            Fields(ref c);
            c.End();
        }
    }
}
