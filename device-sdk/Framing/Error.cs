// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
using IotHubAmqp.Device.Buffers;
using IotHubAmqp.Device.Types;

namespace IotHubAmqp.Device.Framing
{
    /// <summary>The error type (AMQP 1.0 2.8.14), carried by close, end, detach and rejected.</summary>
    internal sealed class Error
    {
        private const int FieldCount = 3;

        /// <summary>condition (index 0, mandatory): the error condition symbol, e.g. <c>amqp:not-found</c>.</summary>
        public string Condition;

        /// <summary>description (index 1): human-readable text, or null.</summary>
        public string Description;

        /// <summary>info (index 2): map of symbol keys to supplementary information, or null.</summary>
        public AmqpMap Info;

        /// <summary>Creates an empty error.</summary>
        public Error()
        {
        }

        /// <summary>Creates an error with a condition and a description.</summary>
        public Error(string condition, string description)
        {
            Condition = condition;
            Description = description;
        }

        /// <summary>The error as an exception, to raise to the application.</summary>
        public AmqpException ToException() => new AmqpException(Condition, Description, Info);

        /// <summary>Writes the descriptor and the list.</summary>
        public void Encode(ByteBuffer b)
        {
            int count = Info != null ? 3 : Description != null ? 2 : 1;
            int start = FieldCodec.BeginList(b, Descriptor.Error, count);
            Encoder.WriteSymbol(b, Condition);
            if (count > 1) Encoder.WriteString(b, Description);
            if (count > 2) Encoder.WriteMap(b, Info);
            FieldCodec.EndList(b, start, count);
        }

        /// <summary>Reads the list; the caller has read the descriptor.</summary>
        public void Decode(ByteBuffer b)
        {
            Condition = null;
            Description = null;
            Info = null;
            int count = Decoder.ReadListHeader(b, out int end);
            for (int i = 0; i < count; i++)
            {
                if (i >= FieldCount) Decoder.Skip(b);
                else if (!Decoder.TryReadNull(b)) ReadField(b, i);
            }
            FieldCodec.EndFields(b, end, "error");
            if (Condition == null) throw FieldCodec.Missing("error", "condition");
        }

        private void ReadField(ByteBuffer b, int index)
        {
            switch (index)
            {
                case 0: Condition = Decoder.ReadSymbol(b); break;
                case 1: Description = Decoder.ReadString(b); break;
                case 2: Info = Decoder.ReadMap(b); break;
            }
        }

        /// <summary>Reads an optional described error field: null, or an error descriptor and its list.</summary>
        public static Error Read(ByteBuffer b)
        {
            if (Decoder.TryReadNull(b)) return null;
            ulong code = Decoder.ReadDescriptor(b);
            if (code != Descriptor.Error) throw Decoder.Error("expected an error, found descriptor 0x" + code.ToString("X"));
            var e = new Error();
            e.Decode(b);
            return e;
        }

        /// <summary>Writes an optional error field: null, or the described error.</summary>
        public static void Write(ByteBuffer b, Error e)
        {
            if (e == null) Encoder.WriteNull(b);
            else e.Encode(b);
        }
    }
}
