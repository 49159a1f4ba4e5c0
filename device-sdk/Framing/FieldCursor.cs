// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
using System;
using IotHubAmqp.Device.Buffers;
using IotHubAmqp.Device.Types;

namespace IotHubAmqp.Device.Framing
{
    /// <summary>
    /// Walks the fields of one described list (AMQP 1.0 1.4) in order, writing or reading: a type describes its
    /// fields once, in a Fields method of lines such as <c>Handle = c.UInt(Handle, "handle")</c>, and the same lines
    /// encode (the value goes out and comes back unchanged) and decode (the value read, or the field's default, comes
    /// back). Writing keeps the compact form: a field without a value is held back as a pending null and written only
    /// when a later field has a value, so trailing absent fields are left out ("the list MAY be truncated") and an
    /// empty list takes list0. A mandatory field (named) is always written, and reading one that is absent or null is
    /// a decode-error naming it, raised once the list has been read. A value type on the stack: no allocation per frame.
    /// </summary>
    internal struct FieldCursor
    {
        private readonly ByteBuffer b;
        private readonly bool writing;

        // Writing: the list header's position (-1 until a field has a value), fields written, nulls held back.
        // Reading: the list's field count, the next field's index, where the list ends.
        private int start;
        private int count;
        private int next;
        private int end;

        private string type;
        private string missing;

        /// <summary>Whether the last field had a value (reading) or was given one (writing): for the Has... flags.</summary>
        public bool Present;

        private FieldCursor(ByteBuffer b, bool writing)
        {
            this = default;
            this.b = b;
            this.writing = writing;
            start = -1;
            if (!writing) count = Decoder.ReadListHeader(b, out end);
        }

        /// <summary>A cursor that writes a list into <paramref name="b"/>; the type's Fields writes its descriptor first.</summary>
        public static FieldCursor Writer(ByteBuffer b) => new FieldCursor(b, true);

        /// <summary>A cursor that reads the list at <paramref name="b"/> (its descriptor already read).</summary>
        public static FieldCursor Reader(ByteBuffer b) => new FieldCursor(b, false);

        /// <summary>Starts the list: writing, writes its descriptor; reading, names the type in errors.</summary>
        public void List(ulong descriptor, string name)
        {
            type = name;
            if (writing) Encoder.WriteDescriptor(b, descriptor);
        }

        /// <summary>
        /// Ends the list: writing, patches the header (list8 when it fits, list0 when no field has a value); reading,
        /// skips the fields a newer peer added, checks the list's size and reports the first missing mandatory field.
        /// </summary>
        public void End()
        {
            if (writing)
            {
                if (start < 0) b.WriteByte(FormatCode.List0);
                else Encoder.EndComposite(b, start, count, FormatCode.List8);
                return;
            }
            for (; next < count; next++) Decoder.Skip(b);
            if (b.Offset != end) throw Decoder.Error(type + " list size does not match its fields");
            if (missing != null) throw new AmqpException(ErrorCode.DecodeError, type + " is missing " + missing);
        }

        // Moves to the next field and tells whether a value is to be written or read there.
        private bool Next(bool present, string mandatory)
        {
            if (writing)
            {
                Present = present || mandatory != null;
                if (!Present)
                {
                    next++;
                    return false;
                }
                if (start < 0) start = Encoder.BeginComposite(b, FormatCode.List32);
                count += next + 1;
                for (; next > 0; next--) Encoder.WriteNull(b);
                return true;
            }
            Present = next < count && !Decoder.TryReadNull(b);
            if (next < count) next++;
            if (!Present && mandatory != null && missing == null) missing = mandatory;
            return Present;
        }

        /// <summary>A field the device neither sets nor reads: written as null before a later field, skipped when read.</summary>
        public void Skip()
        {
            if (Next(false, null)) Decoder.Skip(b);
        }

        public uint UInt(uint v, string mandatory) => UInt(v, true, mandatory, 0);

        public uint UInt(uint v, bool present) => UInt(v, present, null, 0);

        /// <summary>A uint whose <paramref name="absent"/> value is not written, and is what an absent field reads as.</summary>
        public uint UInt(uint v, uint absent) => UInt(v, v != absent, null, absent);

        private uint UInt(uint v, bool present, string mandatory, uint absent)
        {
            if (!Next(present, mandatory)) return writing ? v : absent;
            if (writing) Encoder.WriteUInt(b, v);
            else v = Decoder.ReadUInt(b);
            return v;
        }

        /// <summary>A ulong written unless 0 (absent reads as 0), or always when <paramref name="mandatory"/> names it.</summary>
        public ulong ULong(ulong v, string mandatory)
        {
            if (!Next(v != 0, mandatory)) return 0;
            if (writing) Encoder.WriteULong(b, v);
            else v = Decoder.ReadULong(b);
            return v;
        }

        public ushort UShort(ushort v, bool present) => UShort(v, present, 0);

        public ushort UShort(ushort v, ushort absent) => UShort(v, v != absent, absent);

        private ushort UShort(ushort v, bool present, ushort absent)
        {
            if (!Next(present, null)) return writing ? v : absent;
            if (writing) Encoder.WriteUShort(b, v);
            else v = Decoder.ReadUShort(b);
            return v;
        }

        public byte UByte(byte v, string mandatory) => UByte(v, true, mandatory, 0);

        public byte UByte(byte v, byte absent) => UByte(v, v != absent, null, absent);

        private byte UByte(byte v, bool present, string mandatory, byte absent)
        {
            if (!Next(present, mandatory)) return absent;
            if (writing) Encoder.WriteUByte(b, v);
            else v = Decoder.ReadUByte(b);
            return v;
        }

        /// <summary>A flag whose absence means false: written (as true) only when set.</summary>
        public bool Flag(bool v) => Bool(v, v, null);

        public bool Bool(bool v, string mandatory) => Bool(v, true, mandatory);

        /// <summary>A boolean written as true or false when <paramref name="present"/>; absent reads as false.</summary>
        public bool Bool(bool v, bool present, string mandatory)
        {
            if (!Next(present, mandatory)) return false;
            if (writing) Encoder.WriteBoolean(b, v);
            else v = Decoder.ReadBoolean(b);
            return v;
        }

        public string String(string v, string mandatory)
        {
            if (!Next(v != null, mandatory)) return null;
            if (writing) Encoder.WriteString(b, v);
            else v = Decoder.ReadString(b);
            return v;
        }

        public string Symbol(string v, string mandatory)
        {
            if (!Next(v != null, mandatory)) return null;
            if (writing) Encoder.WriteSymbol(b, v);
            else v = Decoder.ReadSymbol(b);
            return v;
        }

        /// <summary>An address (AMQP 1.0 3.5.3): written as a string; a symbol is read too, as some brokers send one.</summary>
        public string Address(string v)
        {
            if (!Next(v != null, null)) return null;
            if (writing) Encoder.WriteString(b, v);
            else v = FieldCodec.ReadAddress(b);
            return v;
        }

        public byte[] Binary(byte[] v)
        {
            if (!Next(v != null, null)) return null;
            if (writing) Encoder.WriteBinary(b, v);
            else v = Decoder.ReadBinary(b);
            return v;
        }

        public AmqpMap Map(AmqpMap v)
        {
            if (!Next(v != null, null)) return null;
            if (writing) Encoder.WriteMap(b, v);
            else v = Decoder.ReadMap(b);
            return v;
        }

        /// <summary>A mandatory "multiple" symbol field (AMQP 1.0 1.3).</summary>
        public string[] Symbols(string[] v, string mandatory)
        {
            if (!Next(true, mandatory)) return null;
            if (writing) FieldCodec.WriteSymbols(b, v);
            else v = Decoder.ReadSymbols(b);
            return v;
        }

        public DateTime Timestamp(DateTime v)
        {
            if (!Next(v != DateTime.MinValue, null)) return DateTime.MinValue;
            if (writing) Encoder.WriteTimestamp(b, v);
            else v = Decoder.ReadTimestamp(b);
            return v;
        }

        /// <summary>
        /// A message-id or correlation-id (AMQP 1.0 3.2.11-3.2.15): a ulong, Guid, byte[] or string; read as whatever
        /// the peer sent, since a well-formed peer sends one of the four.
        /// </summary>
        public object Id(object v, string field)
        {
            if (!Next(v != null, null)) return null;
            if (!writing) return Decoder.ReadObject(b);
            if (v is string || v is ulong || v is Guid || v is byte[]) Encoder.WriteObject(b, v);
            else throw new AmqpException(ErrorCode.InvalidField, field + " must be a ulong, Guid, byte[] or string, not " + v.GetType().Name);
            return v;
        }

        /// <summary>
        /// A described field: an error, a source or a target (<paramref name="descriptor"/>), or a delivery state
        /// (<paramref name="descriptor"/> 0: any of the outcomes, see <see cref="Outcome.Decode"/>).
        /// </summary>
        public DescribedList Described(DescribedList v, ulong descriptor)
        {
            if (!Next(v != null, null)) return null;
            if (writing)
            {
                v.Encode(b);
                return v;
            }
            if (descriptor == 0) return Outcome.Decode(b);
            DescribedList into = descriptor == Descriptor.Error ? new Error() : descriptor == Descriptor.Source ? new Source() : (DescribedList)new Target();
            return FieldCodec.ReadDescribed(b, into, descriptor);
        }
    }
}
