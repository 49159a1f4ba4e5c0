// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
using IotHubAmqp.Device.Buffers;
using IotHubAmqp.Device.Types;

namespace IotHubAmqp.Device.Framing
{
    /// <summary>The end performative (AMQP 1.0 2.7.8): ends a session.</summary>
    internal sealed class End
    {
        private const int FieldCount = 1;

        /// <summary>error (index 0): why it was endd, or null.</summary>
        public Error Error;

        /// <summary>Resets every field to its default (absent), for reuse.</summary>
        public void Reset()
        {
            Error = null;
        }

        /// <summary>Writes the descriptor and the list (empty, as list0, when there is no error).</summary>
        public void Encode(ByteBuffer b)
        {
            int count = Error != null ? 1 : 0;
            int start = FieldCodec.BeginList(b, Descriptor.End, count);
            if (count > 0) Error.Encode(b);
            FieldCodec.EndList(b, start, count);
        }

        /// <summary>Reads the list (the caller has read the descriptor), resetting every field first.</summary>
        public void Decode(ByteBuffer b)
        {
            Reset();
            int count = Decoder.ReadListHeader(b, out int end);
            for (int i = 0; i < count; i++)
            {
                if (i >= FieldCount) Decoder.Skip(b);
                else Error = Error.Read(b);
            }
            FieldCodec.EndFields(b, end, "end");
        }
    }
}
