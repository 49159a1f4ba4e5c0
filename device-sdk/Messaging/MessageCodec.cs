// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
using System.Collections;
using IotHubAmqp.Device.Buffers;
using IotHubAmqp.Device.Framing;
using IotHubAmqp.Device.Types;

namespace IotHubAmqp.Device.Messaging
{
    /// <summary>
    /// Encodes and decodes a <see cref="Message"/> as the sequence of sections of AMQP 1.0 3.2: header,
    /// delivery-annotations, message-annotations, properties, application-properties, body, footer.
    /// </summary>
    internal static class MessageCodec
    {
        /// <summary>
        /// Writes the message's sections into <paramref name="b"/>. Absent sections and an all-default header are
        /// not written. A message with one data section and simple properties allocates nothing here.
        /// </summary>
        public static void Encode(Message m, ByteBuffer b)
        {
            WriteHead(b, m);
            WriteBody(b, m);
            WriteMap(b, Descriptor.Footer, m.Footer);
        }

        /// <summary>
        /// Zero-copy send: for a message whose body is exactly one data section holding a byte[] and which has no
        /// footer, writes every section before the body and then the data section's constructor with a 4-byte length
        /// (<c>00 53 75 b0 len32</c>, AMQP 1.0 3.2.6), and returns the body: the caller sends its bytes next, from its
        /// own array and in pieces if it likes. <paramref name="messageSize"/> is the whole encoded size (the head
        /// written here plus the body). Returns null (size 0) and writes nothing for any other shape, so the caller
        /// falls back to <see cref="Encode"/>. When the head does not fit, throws amqp:frame-size-too-small with
        /// <paramref name="b"/> unchanged.
        /// </summary>
        public static byte[] EncodeHead(Message m, ByteBuffer b, out int messageSize)
        {
            messageSize = 0;
            byte[] body = m.Body as byte[];
            if (m.BodyType != BodyType.Data || body == null || m.Footer != null) return null;
            int start = b.WritePos;
            try
            {
                WriteHead(b, m);
                Encoder.WriteDescriptor(b, Descriptor.Data);
                b.WriteByte(FormatCode.Binary32);
                BigEndian.WriteUInt32(b, (uint)body.Length);
            }
            catch (AmqpException)
            {
                b.WritePos = start;
                throw;
            }
            messageSize = b.WritePos - start + body.Length;
            return body;
        }

        // Every section before the body (AMQP 1.0 3.2): the head of the message.
        private static void WriteHead(ByteBuffer b, Message m)
        {
            MessageHeader header = m.Header;
            if (header != null && !header.IsDefault) FieldCursor.Walk(header, b, true);
            WriteMap(b, Descriptor.DeliveryAnnotations, m.DeliveryAnnotations);
            WriteMap(b, Descriptor.MessageAnnotations, m.MessageAnnotations);
            MessageProperties properties = m.Properties;
            if (properties != null) FieldCursor.Walk(properties, b, true);
            WriteMap(b, Descriptor.ApplicationProperties, m.ApplicationProperties);
        }

        /// <summary>
        /// Reads sections until the end of the buffer's readable bytes. A section out of order, a repeated
        /// section, a mix of body kinds or an unknown descriptor is <c>amqp:decode-error</c>.
        /// </summary>
        public static Message Decode(ByteBuffer b)
        {
            var m = new Message();
            int seen = 0; // a bit per section read, by code - Descriptor.Header: 0 header ... 5 data, 6 amqp-sequence, 7 amqp-value, 8 footer
            while (b.Length > 0)
            {
                ulong code = Decoder.ReadDescriptor(b);
                ulong offset = code - Descriptor.Header; // a code below header wraps around, past the footer
                int section = (int)offset;
                // AMQP 1.0 3.2: sections come in this order, each once, except that the body's data and amqp-sequence
                // sections may repeat; the three body kinds exclude each other. Per section, the sections it may not
                // follow: itself (not data, amqp-sequence), every later one, another body kind.
                if (offset > Descriptor.Footer - Descriptor.Header || (seen & "\u01ff\u01fe\u01fc\u01f8\u01f0\u01c0\u01a0\u01e0\u0100"[section]) != 0)
                    throw Decoder.Error("message section " + FieldCodec.Name(code) + (offset > 8 ? " is unknown" : " is out of order or repeated"));
                seen |= 1 << section;
                object body = m.Body; // null until the first body section (the other kinds are excluded above)
                switch (section)
                {
                    case 0:
                        var header = new MessageHeader();
                        FieldCursor.Walk(header, b, false);
                        m.Header = header;
                        break;
                    case 1: m.DeliveryAnnotations = Decoder.ReadMap(b); break;
                    case 2: m.MessageAnnotations = Decoder.ReadMap(b); break;
                    case 3:
                        var properties = new MessageProperties();
                        FieldCursor.Walk(properties, b, false);
                        m.Properties = properties;
                        break;
                    case 4: m.ApplicationProperties = Decoder.ReadMap(b); break;
                    case 5:
                        // One data section is a byte[] (the common case); a second one turns the body into an ArrayList.
                        byte[] data = Decoder.ReadBinary(b);
                        if (data == null) data = new byte[0];
                        m.BodyType = BodyType.Data;
                        if (body == null)
                        {
                            m.Body = data;
                            break;
                        }
                        if (!(body is ArrayList list))
                        {
                            list = new ArrayList();
                            list.Add(body);
                            m.Body = list;
                        }
                        list.Add(data);
                        break;
                    case 6:
                        // amqp-sequence: every section is a list; the body is an ArrayList of them.
                        if (!(Decoder.ReadObject(b) is object[] items)) throw Decoder.Error("amqp-sequence section must hold a list");
                        if (body == null)
                        {
                            m.BodyType = BodyType.AmqpSequence;
                            m.Body = body = new ArrayList();
                        }
                        ((ArrayList)body).Add(items);
                        break;
                    case 7:
                        m.BodyType = BodyType.AmqpValue;
                        m.Body = Decoder.ReadObject(b);
                        break;
                    default: m.Footer = Decoder.ReadMap(b); break;
                }
            }
            return m;
        }

        // A data body is a byte[] (or null: one empty section) or an ArrayList of byte[]; an amqp-sequence body an
        // object[] or an ArrayList of lists; each list item is one section.
        private static void WriteBody(ByteBuffer b, Message m)
        {
            BodyType type = m.BodyType;
            object body = m.Body;
            if (type == BodyType.AmqpValue)
            {
                Encoder.WriteDescriptor(b, Descriptor.AmqpValue);
                Encoder.WriteObject(b, body);
                return;
            }
            bool data = type == BodyType.Data;
            if (!data && type != BodyType.AmqpSequence) return;
            ArrayList sections = body as ArrayList;
            if (sections == null && (data ? body != null && !(body is byte[]) : !(body is object[])))
                throw new AmqpException(ErrorCode.InvalidField, data
                    ? "a data body must be a byte[] or an ArrayList of byte[]"
                    : "an amqp-sequence body must be an ArrayList of object[] or an object[]");
            int n = sections == null ? 1 : sections.Count;
            for (int i = 0; i < n; i++)
            {
                object section = sections == null ? body : sections[i];
                if (data)
                {
                    Encoder.WriteDescriptor(b, Descriptor.Data);
                    byte[] bytes = section as byte[];
                    if (bytes == null) Encoder.WriteBinaryHeader(b, 0);
                    else Encoder.WriteBinary(b, bytes);
                }
                else
                {
                    if (!(section is IList list)) throw new AmqpException(ErrorCode.InvalidField, "an amqp-sequence section must be a list");
                    Encoder.WriteDescriptor(b, Descriptor.AmqpSequence);
                    Encoder.WriteList(b, list);
                }
            }
        }

        // Annotation and footer keys are symbols (AMQP 1.0 3.2.10): a string key is written as a symbol.
        // Application-properties keys are strings (AMQP 1.0 3.2.5).
        // An absent (null) section is not written.
        private static void WriteMap(ByteBuffer b, ulong descriptor, AmqpMap map)
        {
            if (map == null) return;
            bool application = descriptor == Descriptor.ApplicationProperties;
            Encoder.WriteDescriptor(b, descriptor);
            int start = Encoder.BeginComposite(b, FormatCode.Map32);
            for (int i = 0; i < map.Count; i++)
            {
                object key = map.KeyAt(i);
                if (!(key is string s))
                {
                    if (application) throw new AmqpException(ErrorCode.InvalidField, "application-properties keys must be strings");
                    Encoder.WriteObject(b, key);
                }
                else if (application) Encoder.WriteString(b, s);
                else Encoder.WriteSymbol(b, s);
                Encoder.WriteObject(b, map.ValueAt(i));
            }
            Encoder.EndComposite(b, start, map.Count * 2, FormatCode.Map8);
        }
    }
}
