// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
using IotHubAmqp.Device.Buffers;
using IotHubAmqp.Device.Types;

namespace IotHubAmqp.Device.Framing
{
    /// <summary>The detach performative (AMQP 1.0 2.7.7): detaches (and with closed, closes) a link.</summary>
    internal sealed class Detach
    {
        private const int FieldCount = 3;

        /// <summary>handle (index 0, mandatory): the link being detached.</summary>
        public uint Handle;

        /// <summary>closed (index 1): the link is closed, not just detached; default false.</summary>
        public bool Closed;

        /// <summary>error (index 2): why the link was detached, or null.</summary>
        public Error Error;

        /// <summary>Resets every field to its default (absent), for reuse.</summary>
        public void Reset()
        {
            Handle = 0;
            Closed = false;
            Error = null;
        }

        /// <summary>Writes the descriptor and the list, leaving out trailing absent or default fields.</summary>
        public void Encode(ByteBuffer b)
        {
            int count = Error != null ? 3 : Closed ? 2 : 1;
            int start = FieldCodec.BeginList(b, Descriptor.Detach, count);
            Encoder.WriteUInt(b, Handle);
            if (count > 1)
            {
                if (Closed) Encoder.WriteBoolean(b, true);
                else Encoder.WriteNull(b);
            }
            if (count > 2) Error.Encode(b);
            FieldCodec.EndList(b, start, count);
        }

        /// <summary>Reads the list (the caller has read the descriptor), resetting every field first.</summary>
        public void Decode(ByteBuffer b)
        {
            Reset();
            int count = Decoder.ReadListHeader(b, out int end);
            bool hasHandle = false;
            for (int i = 0; i < count; i++)
            {
                if (i >= FieldCount) Decoder.Skip(b);
                else if (i == 2) Error = Error.Read(b);
                else if (!Decoder.TryReadNull(b))
                {
                    if (i == 0)
                    {
                        Handle = Decoder.ReadUInt(b);
                        hasHandle = true;
                    }
                    else Closed = Decoder.ReadBoolean(b);
                }
            }
            FieldCodec.EndFields(b, end, "detach");
            if (!hasHandle) throw FieldCodec.Missing("detach", "handle");
        }
    }
}
