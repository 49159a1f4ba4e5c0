// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
using IotHubAmqp.Device.Buffers;
using IotHubAmqp.Device.Types;

namespace IotHubAmqp.Device.Framing
{
    /// <summary>Field encodings shared by the described lists beyond what <see cref="FieldCursor"/> covers inline.</summary>
    internal static class FieldCodec
    {
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
                BigEndian.Write(b, (ulong)n, wide ? 4 : 1);
                Utf8.Encode(v[i], b.Buffer, b.Reserve(n));
            }
            Encoder.EndComposite(b, start, v.Length, FormatCode.Array8);
        }

        /// <summary>A descriptor for an error message: its symbolic name, or its code when unknown.</summary>
        public static string Name(ulong code) => Descriptor.NameOf(code) ?? "descriptor 0x" + code.ToString("X");

        /// <summary>
        /// Reads a described value, descriptor and list: an error, source or target (<paramref name="expected"/>; another
        /// descriptor is a decode-error naming both), as a new instance; or, for <paramref name="expected"/> 0, any
        /// delivery state (AMQP 1.0 3.4), accepted and released being their shared instances so that decoding the
        /// common dispositions allocates nothing.
        /// </summary>
        public static DescribedList Read(ByteBuffer b, ulong expected)
        {
            ulong code = Decoder.ReadDescriptor(b);
            DescribedList into;
            if (expected != 0)
            {
                if (code != expected) throw Decoder.Error("expected " + Name(expected) + ", found " + Name(code));
                into = code == Descriptor.Error ? new Error() : code == Descriptor.Source ? new Source() : (DescribedList)new Target();
            }
            else if (code == Descriptor.Accepted) into = Accepted.Instance;
            else if (code == Descriptor.Released) into = Released.Instance;
            else if (code == Descriptor.Rejected) into = new Rejected();
            else if (code == Descriptor.Modified) into = new Modified();
            else if (code == Descriptor.Received) into = new Received();
            // Transactional state (AMQP 1.0 4.5.5) and unknown states are not supported on a device.
            else throw Decoder.Error("unknown delivery state " + Name(code));
            into.Decode(b);
            return into;
        }
    }
}
