// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
using System;
using System.Collections;
using IotHubAmqp.Device.Buffers;

namespace IotHubAmqp.Device.Types
{
    /// <summary>
    /// AMQP arrays (1.6.24): one constructor, then every element without its own. Elements are written with the
    /// fixed-width constructor of their type (uint, not smalluint) since one constructor must fit them all.
    /// </summary>
    internal static class ArrayCodec
    {
        public static void Write(ByteBuffer b, AmqpArray v)
        {
            object[] items = v.Items;
            byte code = v.ElementCode != 0 ? v.ElementCode : ElementCodeOf(items);
            int start = b.Reserve(9);
            b.Buffer[start] = FormatCode.Array32;
            if (v.Descriptor != null)
            {
                b.WriteByte(FormatCode.Described);
                Encoder.WriteObject(b, v.Descriptor);
            }
            b.WriteByte(code);
            for (int i = 0; i < items.Length; i++) WriteElement(b, code, items[i]);
            Encoder.EndComposite(b, start, items.Length, FormatCode.Array8);
        }

        public static AmqpArray Read(ByteBuffer b, bool small)
        {
            int size = Decoder.ReadSize(b, small);
            if (size < (small ? 1 : 4) || size > b.Length) throw Decoder.Error("array size " + size + " runs past the end (" + b.Length + " left)");
            int end = b.Offset + size;
            int count = small ? b.ReadByte() : (int)BigEndian.ReadUInt32(b);
            object descriptor = null;
            byte code = b.ReadByte();
            if (code == FormatCode.Described)
            {
                descriptor = Decoder.ReadObject(b);
                code = b.ReadByte();
            }
            // Zero-width elements (null, true, false, uint0, ulong0, list0) can repeat without bytes; bound them
            // so a forged count cannot make us allocate a huge array.
            int width = Decoder.FixedWidth(code);
            if (count < 0 || (width != 0 && count > end - b.Offset) || (width == 0 && count > end + 256))
                throw Decoder.Error("array count " + count + " exceeds its body");
            object[] items = new object[count];
            for (int i = 0; i < count; i++) items[i] = Decoder.ReadValue(b, code, true);
            if (b.Offset != end) throw Decoder.Error("array body size does not match its elements");
            var array = new AmqpArray(items, code);
            array.Descriptor = descriptor;
            return array;
        }

        private static byte ElementCodeOf(object[] items)
        {
            if (items.Length == 0) throw new AmqpException(ErrorCode.InvalidField, "an empty array needs an element code");
            object first = items[0];
            for (int i = 1; i < items.Length; i++)
            {
                if (items[i] == null || items[i].GetType() != first.GetType())
                    throw new AmqpException(ErrorCode.InvalidField, "array elements must share one type");
            }
            switch (first)
            {
                case bool _: return FormatCode.Boolean;
                case byte _: return FormatCode.UByte;
                case ushort _: return FormatCode.UShort;
                case uint _: return FormatCode.UInt;
                case ulong _: return FormatCode.ULong;
                case sbyte _: return FormatCode.Byte;
                case short _: return FormatCode.Short;
                case int _: return FormatCode.Int;
                case long _: return FormatCode.Long;
                case float _: return FormatCode.Float;
                case double _: return FormatCode.Double;
                case char _: return FormatCode.Char;
                case DateTime _: return FormatCode.TimeStamp;
                case Guid _: return FormatCode.Uuid;
                case AmqpDecimal d: return d.Bytes.Length == 4 ? FormatCode.Decimal32 : d.Bytes.Length == 8 ? FormatCode.Decimal64 : FormatCode.Decimal128;
                case byte[] _: return FormatCode.Binary32;
                case string _: return FormatCode.String32;
                case Symbol _: return FormatCode.Symbol32;
                case AmqpMap _: return FormatCode.Map32;
                case AmqpArray _: return FormatCode.Array32;
                case IList _: return FormatCode.List32;
                default: throw new AmqpException(ErrorCode.NotImplemented, "no AMQP array encoding for " + first.GetType().Name);
            }
        }

        private static void WriteElement(ByteBuffer b, byte code, object item)
        {
            // Write the value with its own constructor into place, then drop or widen that constructor.
            int at = b.WritePos;
            switch (code)
            {
                case FormatCode.Boolean: b.WriteByte((bool)item ? (byte)1 : (byte)0); return;
                case FormatCode.UByte: b.WriteByte((byte)item); return;
                case FormatCode.UShort: BigEndian.WriteUInt16(b, (ushort)item); return;
                case FormatCode.UInt: BigEndian.WriteUInt32(b, (uint)item); return;
                case FormatCode.ULong: BigEndian.WriteUInt64(b, (ulong)item); return;
                case FormatCode.Byte: b.WriteByte((byte)(sbyte)item); return;
                case FormatCode.Short: BigEndian.WriteUInt16(b, (ushort)(short)item); return;
                case FormatCode.Int: BigEndian.WriteUInt32(b, (uint)(int)item); return;
                case FormatCode.Long: BigEndian.WriteUInt64(b, (ulong)(long)item); return;
                case FormatCode.Float: BigEndian.WriteUInt32(b, Encoder.FloatBits((float)item)); return;
                case FormatCode.Double: BigEndian.WriteUInt64(b, (ulong)BitConverter.DoubleToInt64Bits((double)item)); return;
                case FormatCode.Char: BigEndian.WriteUInt32(b, (char)item); return;
                case FormatCode.TimeStamp:
                case FormatCode.Uuid:
                case FormatCode.Decimal32:
                case FormatCode.Decimal64:
                case FormatCode.Decimal128:
                    Encoder.WriteObject(b, item);
                    DropConstructor(b, at);
                    return;
                case FormatCode.Binary32:
                case FormatCode.String32:
                case FormatCode.Symbol32:
                case FormatCode.List32:
                case FormatCode.Map32:
                case FormatCode.Array32:
                    WriteWide(b, code, item);
                    return;
                default:
                    throw new AmqpException(ErrorCode.NotImplemented, "array element code 0x" + code.ToString("X2") + " is not supported for writing");
            }
        }

        // Variable-width elements take the 32-bit size form: encode compactly, then widen the header in place.
        private static void WriteWide(ByteBuffer b, byte code, object item)
        {
            int at = b.WritePos;
            if (code == FormatCode.Symbol32 && item is Symbol s) Encoder.WriteSymbol(b, s);
            else if (code == FormatCode.List32 && item is IList l && l.Count == 0)
            {
                // list0 has no size: write an empty list32 body (size 4, count 0).
                BigEndian.WriteUInt32(b, 4);
                BigEndian.WriteUInt32(b, 0);
                return;
            }
            else Encoder.WriteObject(b, item);

            byte written = b.Buffer[at];
            bool small = written == FormatCode.Binary8 || written == FormatCode.String8 || written == FormatCode.Symbol8
                || written == FormatCode.List8 || written == FormatCode.Map8 || written == FormatCode.Array8;
            if (!small)
            {
                DropConstructor(b, at);
                return;
            }
            bool composite = written == FormatCode.List8 || written == FormatCode.Map8 || written == FormatCode.Array8;
            int size = b.Buffer[at + 1];
            int extra = composite ? 5 : 2;
            b.Reserve(extra);
            byte[] a = b.Buffer;
            if (composite)
            {
                int count = a[at + 2];
                Array.Copy(a, at + 3, a, at + 8, size - 1);
                BigEndian.Put32(a, at, (uint)(size + 3));
                BigEndian.Put32(a, at + 4, (uint)count);
            }
            else
            {
                Array.Copy(a, at + 2, a, at + 4, size);
                BigEndian.Put32(a, at, (uint)size);
            }
            // The 8-byte (or 4-byte) header replaced constructor + small size; no constructor remains.
            b.WritePos = at + (composite ? 8 + size - 1 : 4 + size);
        }

        private static void DropConstructor(ByteBuffer b, int at)
        {
            Array.Copy(b.Buffer, at + 1, b.Buffer, at, b.WritePos - at - 1);
            b.WritePos--;
        }
    }
}
