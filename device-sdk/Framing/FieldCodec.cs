// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
using IotHubAmqp.Device.Buffers;
using IotHubAmqp.Device.Types;

namespace IotHubAmqp.Device.Framing
{
    /// <summary>
    /// Helpers shared by the described-list types (performatives, outcomes, SASL frames, terminus, message
    /// sections). A described list is written in its compact form: trailing absent fields are left out
    /// (AMQP 1.0 1.4: "the list MAY be truncated"), and absent fields before the last present one are null.
    /// </summary>
    internal static class FieldCodec
    {
        /// <summary>
        /// Writes the descriptor and the header of a list of <paramref name="count"/> fields; returns the value
        /// to pass to <see cref="EndList"/>. An empty list takes list0.
        /// </summary>
        public static int BeginList(ByteBuffer b, ulong descriptor, int count)
        {
            Encoder.WriteDescriptor(b, descriptor);
            if (count == 0)
            {
                b.WriteByte(FormatCode.List0);
                return -1;
            }
            return Encoder.BeginComposite(b, FormatCode.List32);
        }

        /// <summary>Patches the list header written by <see cref="BeginList"/> (list8 when it fits).</summary>
        public static void EndList(ByteBuffer b, int start, int count)
        {
            if (start >= 0) Encoder.EndComposite(b, start, count, FormatCode.List8);
        }

        /// <summary>Checks that the fields read so far end exactly where the list header said the list ends.</summary>
        public static void EndFields(ByteBuffer b, int end, string type)
        {
            if (b.Offset != end) throw Decoder.Error(type + " list size does not match its fields");
        }

        /// <summary>The decode-error for a mandatory field that is absent or null.</summary>
        public static AmqpException Missing(string type, string field)
        {
            return new AmqpException(ErrorCode.DecodeError, type + " is missing " + field);
        }

        /// <summary>
        /// Writes a "multiple" symbol field (AMQP 1.0 1.3): null when absent, a single symbol for one value,
        /// else an array of sym8 (sym32 when a value is longer than 255 bytes).
        /// </summary>
        public static void WriteSymbols(ByteBuffer b, string[] v)
        {
            if (v == null)
            {
                Encoder.WriteNull(b);
                return;
            }
            if (v.Length == 1)
            {
                Encoder.WriteSymbol(b, v[0]);
                return;
            }
            bool wide = false;
            for (int i = 0; i < v.Length; i++)
            {
                if (v[i] == null) throw new AmqpException(ErrorCode.InvalidField, "a symbol array cannot hold null");
                if (Utf8.GetByteCount(v[i]) > 0xFF) wide = true;
            }
            int start = Encoder.BeginComposite(b, FormatCode.Array32);
            b.WriteByte(wide ? FormatCode.Symbol32 : FormatCode.Symbol8);
            for (int i = 0; i < v.Length; i++)
            {
                int n = Utf8.GetByteCount(v[i]);
                if (wide) BigEndian.WriteUInt32(b, (uint)n);
                else b.WriteByte((byte)n);
                Utf8.Encode(v[i], b.Buffer, b.Reserve(n));
            }
            Encoder.EndComposite(b, start, v.Length, FormatCode.Array8);
        }

        /// <summary>
        /// Reads an address (AMQP 1.0 3.5.3: address-string is a string). A symbol is accepted too, as some
        /// brokers send one.
        /// </summary>
        public static string ReadAddress(ByteBuffer b)
        {
            byte code = b.PeekByte();
            if (code == FormatCode.Symbol8 || code == FormatCode.Symbol32) return Decoder.ReadSymbol(b);
            return Decoder.ReadString(b);
        }

        /// <summary>Writes a source or target (AMQP 1.0 3.5.3, 3.5.4) holding only its address.</summary>
        public static void WriteTerminus(ByteBuffer b, ulong descriptor, string address)
        {
            int count = address == null ? 0 : 1;
            int start = BeginList(b, descriptor, count);
            if (count == 1) Encoder.WriteString(b, address);
            EndList(b, start, count);
        }

        /// <summary>
        /// Reads a described source or target and returns its address. The later fields are skipped by their
        /// encoded size (still bounds-checked, so a malformed one is a decode-error): the device acts on none of them.
        /// </summary>
        public static string ReadTerminus(ByteBuffer b, ulong descriptor, string type)
        {
            ulong code = Decoder.ReadDescriptor(b);
            if (code != descriptor) throw Decoder.Error("expected a " + type + ", found descriptor 0x" + code.ToString("X"));
            int count = Decoder.ReadListHeader(b, out int end);
            string address = null;
            for (int i = 0; i < count; i++)
            {
                if (i == 0) address = ReadAddress(b);
                else Decoder.Skip(b);
            }
            EndFields(b, end, type);
            return address;
        }
    }
}
