// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
using System;
using IotHubAmqp.Device.Buffers;
using IotHubAmqp.Device.Types;

namespace IotHubAmqp.Device.Framing
{
    /// <summary>
    /// Walks the fields of one described list (AMQP 1.0 1.4) in order, writing or reading: a type describes its
    /// fields once, in a Fields method of lines such as <c>c.UInt(ref Handle, "handle")</c>, and the same lines encode
    /// (the field's value goes out) and decode (the field takes the value read, or its default when absent). Writing
    /// keeps the compact form: a field without a value is held back as a pending null and written only when a later
    /// field has a value, so trailing absent fields are left out ("the list MAY be truncated") and an
    /// empty list takes list0. A mandatory field (named) is always written, and reading one that is absent or null is
    /// a decode-error naming it, raised once the list has been read. A value type on the stack: no allocation per frame.
    /// </summary>
    internal struct FieldCursor
    {
        private ByteBuffer b;
        private bool writing;

        // The next field's index. Writing: the list header's position (-1 until a field has a value) and the fields
        // written, so next - count nulls are held back. Reading: the list's field count and where it ends.
        private int start;
        private int count;
        private int next;
        private int end;

        private ulong descriptor;
        private string missing;

        /// <summary>
        /// Writes <paramref name="f"/>'s descriptor and list into <paramref name="b"/>, or reads its list from there (the
        /// descriptor already read), every field set and absent ones to their default. Allocates nothing.
        /// </summary>
        public static void Walk(IFields f, ByteBuffer b, bool writing)
        {
            FieldCursor c = default;
            c.b = b;
            c.writing = writing;
            c.start = -1;
            if (!writing) c.count = Decoder.ReadListHeader(b, out c.end);
            f.Fields(ref c);
            // The end. Writing: patch the header (list8 when it fits, list0 when no field has a value). Reading: skip
            // the fields a newer peer added, check the list's size and report the first missing mandatory field.
            if (writing)
            {
                if (c.start < 0) b.WriteByte(FormatCode.List0);
                else Encoder.EndComposite(b, c.start, c.count, FormatCode.List8);
                return;
            }
            for (int i = c.next; i < c.count; i++) Decoder.Skip(b);
            string why = b.Offset != c.end ? " list size does not match its fields" : c.missing == null ? null : " is missing " + c.missing;
            if (why == null) return;
            string name = Descriptor.NameOf(c.descriptor); // e.g. "amqp:attach:list": errors name the list "attach"
            throw Decoder.Error(name.Substring(5, name.Length - 10) + why);
        }

        /// <summary>Starts the list: writing, writes its descriptor; reading, keeps it to name the list in errors.</summary>
        public void List(ulong descriptor)
        {
            this.descriptor = descriptor;
            if (writing) Encoder.WriteDescriptor(b, descriptor);
        }

        // Moves to the next field and tells whether a value is to be written or read there.
        private bool Next(bool present, string mandatory)
        {
            int i = next++;
            if (!writing)
            {
                present = i < count && !Decoder.TryReadNull(b);
                if (!present && missing == null) missing = mandatory;
                return present;
            }
            if (mandatory == null && !present) return false;
            if (start < 0) start = Encoder.BeginComposite(b, FormatCode.List32);
            while (count++ < i) Encoder.WriteNull(b); // the nulls held back; count ends one past this field
            return true;
        }

        /// <summary>A field the device neither sets nor reads: written as null before a later field, skipped when read.</summary>
        public void Skip()
        {
            if (Next(false, null)) Decoder.Skip(b);
        }

        public void UInt(ref uint v, string mandatory) => UInt(ref v, true, mandatory, 0);

        /// <summary>A uint written when <paramref name="has"/> is set; reading sets <paramref name="has"/> to whether it was there.</summary>
        public void UInt(ref uint v, ref bool has) => has = UInt(ref v, has, null, 0);

        /// <summary>A uint written when <paramref name="present"/>; absent reads as 0.</summary>
        public void UInt(ref uint v, bool present) => UInt(ref v, present, null, 0);

        /// <summary>A uint whose <paramref name="absent"/> value is not written, and is what an absent field reads as.</summary>
        public void UInt(ref uint v, uint absent) => UInt(ref v, v != absent, null, absent);

        private bool UInt(ref uint v, bool present, string mandatory, uint absent)
        {
            bool value = Next(present, mandatory);
            if (!value)
            {
                if (!writing) v = absent;
            }
            else if (writing) Encoder.WriteUInt(b, v);
            else v = Decoder.ReadUInt(b);
            return value;
        }

        /// <summary>A ulong written unless 0 (absent reads as 0), or always when <paramref name="mandatory"/> names it.</summary>
        public void ULong(ref ulong v, string mandatory)
        {
            if (!Next(v != 0, mandatory)) v = 0;
            else if (writing) Encoder.WriteULong(b, v);
            else v = Decoder.ReadULong(b);
        }

        public void UShort(ref ushort v, ref bool has) => has = UShort(ref v, has, 0);

        public void UShort(ref ushort v, ushort absent) => UShort(ref v, v != absent, absent);

        private bool UShort(ref ushort v, bool present, ushort absent)
        {
            bool value = Next(present, null);
            if (!value)
            {
                if (!writing) v = absent;
            }
            else if (writing) Encoder.WriteUShort(b, v);
            else v = Decoder.ReadUShort(b);
            return value;
        }

        public void UByte(ref byte v, string mandatory) => UByte(ref v, true, mandatory, 0);

        public void UByte(ref byte v, byte absent) => UByte(ref v, v != absent, null, absent);

        // Not written means v == absent (or mandatory), so setting it to absent changes nothing when writing.
        private void UByte(ref byte v, bool present, string mandatory, byte absent)
        {
            if (!Next(present, mandatory)) v = absent;
            else if (writing) Encoder.WriteUByte(b, v);
            else v = Decoder.ReadUByte(b);
        }

        /// <summary>A flag whose absence means false: written (as true) only when set.</summary>
        public void Flag(ref bool v) => Bool(ref v, v, null);

        public void Bool(ref bool v, string mandatory) => Bool(ref v, true, mandatory);

        /// <summary>A boolean written as true or false when <paramref name="present"/>; absent reads as false.</summary>
        public void Bool(ref bool v, bool present, string mandatory)
        {
            if (!Next(present, mandatory)) v = false;
            else if (writing) Encoder.WriteBoolean(b, v);
            else v = Decoder.ReadBoolean(b);
        }

        // The reference fields below are written when not null (or mandatory); absent or null reads as null.

        public void String(ref string v, string mandatory) => v = (string)Reference(v, mandatory, KindString);

        public void Symbol(ref string v, string mandatory) => v = (string)Reference(v, mandatory, KindSymbol);

        /// <summary>An address (AMQP 1.0 3.5.3): written as a string; a symbol is read too, as some brokers send one.</summary>
        public void Address(ref string v) => v = (string)Reference(v, null, KindAddress);

        public void Binary(ref byte[] v) => v = (byte[])Reference(v, null, KindBinary);

        public void Map(ref AmqpMap v) => v = (AmqpMap)Reference(v, null, KindMap);

        /// <summary>A mandatory "multiple" symbol field (AMQP 1.0 1.3).</summary>
        public void Symbols(ref string[] v, string mandatory) => v = (string[])Reference(v, mandatory, KindSymbols);

        /// <summary>
        /// A message-id or correlation-id (AMQP 1.0 3.2.11-3.2.15): a ulong, Guid, byte[] or string; read as whatever
        /// the peer sent, since a well-formed peer sends one of the four. <paramref name="field"/> names it in errors.
        /// </summary>
        public void Id(ref object v, string field) => v = Reference(v, field, KindId);

        // How a reference field is read; written, strings, binaries, maps and ids go out by their CLR type.
        private const int KindString = 0, KindSymbol = 1, KindAddress = 2, KindBinary = 3, KindMap = 4, KindSymbols = 5, KindId = 6;

        // One reference field of a kind: returns the value read (or null when absent), or, writing, v unchanged.
        // For an id, name is the field's name for errors; for the others, the name of a mandatory field (or null).
        private object Reference(object v, string name, int kind)
        {
            if (!Next(v != null, kind == KindId ? null : name)) return null;
            ByteBuffer b = this.b;
            if (!writing)
            {
                // sym8 and sym32 differ in bit 0x10 only.
                if (kind == KindAddress && (b.PeekByte() | 0x10) != FormatCode.Symbol32) kind = KindString;
                switch (kind)
                {
                    case KindString: return Decoder.ReadString(b);
                    case KindBinary: return Decoder.ReadBinary(b);
                    case KindMap: return Decoder.ReadMap(b);
                    case KindSymbols: return Decoder.ReadSymbols(b);
                    case KindId: return Decoder.ReadObject(b);
                    default: return Decoder.ReadSymbol(b); // a symbol, or an address sent as one
                }
            }
            if (kind == KindSymbol) Encoder.WriteSymbol(b, (string)v);
            else if (kind == KindSymbols) FieldCodec.WriteSymbols(b, (string[])v);
            else if (kind != KindId || v is string || v is ulong || v is Guid || v is byte[]) Encoder.WriteObject(b, v);
            else throw new AmqpException(ErrorCode.InvalidField, name + " must be a ulong, Guid, byte[] or string, not " + v.GetType().Name);
            return v;
        }

        /// <summary>A timestamp written unless <see cref="DateTime.MinValue"/>, which is what absent reads as.</summary>
        public void Timestamp(ref DateTime v)
        {
            if (!Next(v != DateTime.MinValue, null)) v = DateTime.MinValue;
            else if (writing) Encoder.WriteTimestamp(b, v);
            else v = Decoder.ReadTimestamp(b);
        }

        /// <summary>
        /// A described field: an error, a source or a target (<paramref name="descriptor"/>), or a delivery state
        /// (<paramref name="descriptor"/> 0: any of the outcomes, see <see cref="FieldCodec.Read"/>).
        /// </summary>
        public DescribedList Described(DescribedList v, ulong descriptor)
        {
            if (!Next(v != null, null)) return null;
            if (writing)
            {
                v.Encode(b);
                return v;
            }
            return FieldCodec.Read(b, descriptor);
        }
    }
}
