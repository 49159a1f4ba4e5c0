// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
using System;
using System.Collections;
using IotHubAmqp.Device.Buffers;

namespace IotHubAmqp.Device.Types
{
    /// <summary>
    /// AMQP arrays (1.6.24): one constructor, then every element without its own. Elements are written with the
    /// fixed-width constructor of their type (uint, not smalluint) since one constructor must fit them all; an
    /// array decoded with a compact element constructor (sym8, smallint...) is written back in that wide form.
    /// </summary>
    internal static class ArrayCodec
    {
        public static void Write(ByteBuffer b, AmqpArray v)
        {
            object[] items = v.Items;
            byte code;
            if (v.ElementCode == 0)
            {
                code = ElementCodeOf(items);
            }
            else if (items.Length == 0)
            {
                // Nothing to encode with it: keep the constructor the caller (or the peer) chose.
                code = v.ElementCode;
            }
            else
            {
                code = WideForm(v.ElementCode);
                CheckItems(code, items);
            }
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

        public static AmqpArray Read(ByteBuffer b, bool small) => Read(b, small, 0);

        /// <summary>Reads an array body (constructor consumed) nested <paramref name="depth"/> levels deep.</summary>
        internal static AmqpArray Read(ByteBuffer b, bool small, int depth)
        {
            // Nested arrays recurse here without passing through Decoder.ReadObject, so check the depth here too.
            if (depth > Decoder.MaxNesting) throw Decoder.Error("values nest deeper than " + Decoder.MaxNesting + " levels");
            int size = Decoder.ReadSize(b, small);
            if (size < (small ? 1 : 4) || size > b.Length) throw Decoder.Error("array size " + size + " runs past the end (" + b.Length + " left)");
            int end = b.Offset + size;
            int count = small ? b.ReadByte() : (int)BigEndian.ReadUInt32(b);
            object descriptor = null;
            byte code = b.ReadByte();
            if (code == FormatCode.Described)
            {
                if (b.PeekByte() == FormatCode.Described) throw Decoder.Error("a descriptor cannot itself be described");
                descriptor = Decoder.ReadObject(b, depth + 1);
                code = b.ReadByte();
            }
            // Every other element takes at least one byte, so the body bounds the count. Zero-width elements (null, true,
            // false, uint0, ulong0, list0) repeat without bytes: bound them by the buffer's size, so a forged count
            // allocates no more than an array of one-byte elements filling the buffer could.
            int width = Decoder.FixedWidth(code);
            if (count < 0 || (width != 0 && count > end - b.Offset) || (width == 0 && count > b.Buffer.Length))
                throw Decoder.Error("array count " + count + " exceeds its body");
            object[] items = new object[count];
            for (int i = 0; i < count; i++) items[i] = Decoder.ReadValue(b, code, true, depth + 1);
            if (b.Offset != end) throw Decoder.Error("array body size does not match its elements");
            var array = new AmqpArray(items, code);
            array.Descriptor = descriptor;
            return array;
        }

        private static byte ElementCodeOf(object[] items)
        {
            if (items.Length == 0) throw new AmqpException(ErrorCode.InvalidField, "an empty array needs an element code");
            object first = items[0];
            if (first == null) throw new AmqpException(ErrorCode.InvalidField, "array elements cannot be null");
            int decimalWidth = first is AmqpDecimal fd ? fd.Bytes.Length : 0;
            for (int i = 1; i < items.Length; i++)
            {
                if (items[i] == null || items[i].GetType() != first.GetType())
                    throw new AmqpException(ErrorCode.InvalidField, "array elements must share one type");
                if (decimalWidth != 0 && ((AmqpDecimal)items[i]).Bytes.Length != decimalWidth)
                    throw new AmqpException(ErrorCode.InvalidField, "array decimals must share one width");
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

        /// <summary>The constructor this codec writes elements with, for any constructor of the same type.</summary>
        private static byte WideForm(byte code)
        {
            switch (code)
            {
                case FormatCode.BooleanTrue:
                case FormatCode.BooleanFalse: return FormatCode.Boolean;
                case FormatCode.UInt0:
                case FormatCode.SmallUInt: return FormatCode.UInt;
                case FormatCode.ULong0:
                case FormatCode.SmallULong: return FormatCode.ULong;
                case FormatCode.SmallInt: return FormatCode.Int;
                case FormatCode.SmallLong: return FormatCode.Long;
                case FormatCode.Binary8: return FormatCode.Binary32;
                case FormatCode.String8: return FormatCode.String32;
                case FormatCode.Symbol8: return FormatCode.Symbol32;
                case FormatCode.List0:
                case FormatCode.List8: return FormatCode.List32;
                case FormatCode.Map8: return FormatCode.Map32;
                case FormatCode.Array8: return FormatCode.Array32;
                default: return code;
            }
        }

        /// <summary>Checks the items fit the element constructor <paramref name="code"/> given with the array.</summary>
        private static void CheckItems(byte code, object[] items)
        {
            if (code == FormatCode.Null)
            {
                for (int i = 0; i < items.Length; i++)
                {
                    if (items[i] != null) throw new AmqpException(ErrorCode.InvalidField, "an array of nulls holds a value");
                }
                return;
            }
            byte natural = ElementCodeOf(items);
            // Strings may stand for symbols: symbol fields are often filled from string constants.
            if (natural != code && !(code == FormatCode.Symbol32 && natural == FormatCode.String32))
                throw new AmqpException(ErrorCode.InvalidField, "array element code 0x" + code.ToString("X2") + " does not fit items of type " + items[0].GetType().Name);
        }

        private static void WriteElement(ByteBuffer b, byte code, object item)
        {
            // Write the value with its own constructor into place, then drop or widen that constructor.
            int at = b.WritePos;
            switch (code)
            {
                case FormatCode.Null: return; // zero-width: the constructor alone says null

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
