// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
using System.Collections;
using IotHubAmqp.Device.Buffers;
using IotHubAmqp.Device.Types;

namespace IotHubAmqp.Device.Messaging
{
    /// <summary>
    /// Encodes and decodes a <see cref="Message"/> as the sequence of sections of AMQP 1.0 3.2: header,
    /// delivery-annotations, message-annotations, properties, application-properties, body, footer.
    /// </summary>
    internal static class MessageCodec
    {
        // Section ranks: sections must appear in this order (AMQP 1.0 3.2), the body's data and
        // amqp-sequence sections may repeat.
        private const int RankHeader = 0, RankDeliveryAnnotations = 1, RankMessageAnnotations = 2, RankProperties = 3,
            RankApplicationProperties = 4, RankBody = 5, RankFooter = 6;

        /// <summary>
        /// Writes the message's sections into <paramref name="b"/>. Absent sections and an all-default header are
        /// not written. A message with one data section and simple properties allocates nothing here.
        /// </summary>
        public static void Encode(Message m, ByteBuffer b)
        {
            WriteHead(b, m);
            WriteBody(b, m);
            if (m.Footer != null) WriteAnnotations(b, Descriptor.Footer, m.Footer);
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
            if (!IsSingleData(m)) return null;
            byte[] body = (byte[])m.Body;
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

        private static bool IsSingleData(Message m) => m.BodyType == BodyType.Data && m.Body is byte[] && m.Footer == null;

        // Every section before the body (AMQP 1.0 3.2): the head of the message.
        private static void WriteHead(ByteBuffer b, Message m)
        {
            if (m.Header != null && !m.Header.IsDefault) m.Header.Encode(b);
            if (m.DeliveryAnnotations != null) WriteAnnotations(b, Descriptor.DeliveryAnnotations, m.DeliveryAnnotations);
            if (m.MessageAnnotations != null) WriteAnnotations(b, Descriptor.MessageAnnotations, m.MessageAnnotations);
            if (m.Properties != null) m.Properties.Encode(b);
            if (m.ApplicationProperties != null) WriteApplicationProperties(b, m.ApplicationProperties);
        }

        /// <summary>
        /// Reads sections until the end of the buffer's readable bytes. A section out of order, a repeated
        /// section, a mix of body kinds or an unknown descriptor is <c>amqp:decode-error</c>.
        /// </summary>
        public static Message Decode(ByteBuffer b)
        {
            var m = new Message();
            int last = -1;
            while (b.Length > 0)
            {
                ulong code = Decoder.ReadDescriptor(b);
                int rank = RankOf(code);
                bool repeatsBody = rank == RankBody && last == RankBody
                    && ((code == Descriptor.Data && m.BodyType == BodyType.Data) || (code == Descriptor.AmqpSequence && m.BodyType == BodyType.AmqpSequence));
                if (rank < last || (rank == last && !repeatsBody))
                    throw Decoder.Error("message section 0x" + code.ToString("X") + " is out of order or repeated");
                last = rank;
                switch (code)
                {
                    case Descriptor.Header:
                        var header = new MessageHeader();
                        header.Decode(b);
                        m.Header = header;
                        break;
                    case Descriptor.DeliveryAnnotations: m.DeliveryAnnotations = Decoder.ReadMap(b); break;
                    case Descriptor.MessageAnnotations: m.MessageAnnotations = Decoder.ReadMap(b); break;
                    case Descriptor.Properties:
                        var properties = new MessageProperties();
                        properties.Decode(b);
                        m.Properties = properties;
                        break;
                    case Descriptor.ApplicationProperties: m.ApplicationProperties = Decoder.ReadMap(b); break;
                    case Descriptor.Data: AddData(m, Decoder.ReadBinary(b)); break;
                    case Descriptor.AmqpSequence: AddSequence(m, Decoder.ReadObject(b)); break;
                    case Descriptor.AmqpValue:
                        m.BodyType = BodyType.AmqpValue;
                        m.Body = Decoder.ReadObject(b);
                        break;
                    case Descriptor.Footer: m.Footer = Decoder.ReadMap(b); break;
                }
            }
            return m;
        }

        private static int RankOf(ulong code)
        {
            switch (code)
            {
                case Descriptor.Header: return RankHeader;
                case Descriptor.DeliveryAnnotations: return RankDeliveryAnnotations;
                case Descriptor.MessageAnnotations: return RankMessageAnnotations;
                case Descriptor.Properties: return RankProperties;
                case Descriptor.ApplicationProperties: return RankApplicationProperties;
                case Descriptor.Data:
                case Descriptor.AmqpSequence:
                case Descriptor.AmqpValue:
                    return RankBody;
                case Descriptor.Footer: return RankFooter;
                default: throw Decoder.Error("unknown message section descriptor 0x" + code.ToString("X"));
            }
        }

        // One data section is a byte[] (the common case); a second one turns the body into an ArrayList.
        private static void AddData(Message m, byte[] data)
        {
            if (data == null) data = new byte[0];
            if (m.BodyType != BodyType.Data)
            {
                m.BodyType = BodyType.Data;
                m.Body = data;
            }
            else if (m.Body is ArrayList list)
            {
                list.Add(data);
            }
            else
            {
                var sections = new ArrayList();
                sections.Add(m.Body);
                sections.Add(data);
                m.Body = sections;
            }
        }

        private static void AddSequence(Message m, object value)
        {
            if (!(value is object[] items)) throw Decoder.Error("amqp-sequence section must hold a list");
            if (m.BodyType != BodyType.AmqpSequence)
            {
                m.BodyType = BodyType.AmqpSequence;
                m.Body = new ArrayList();
            }
            ((ArrayList)m.Body).Add(items);
        }

        private static void WriteBody(ByteBuffer b, Message m)
        {
            switch (m.BodyType)
            {
                case BodyType.None:
                    break;
                case BodyType.Data:
                    if (m.Body is ArrayList sections)
                    {
                        for (int i = 0; i < sections.Count; i++) WriteData(b, sections[i] as byte[]);
                    }
                    else if (m.Body == null || m.Body is byte[])
                    {
                        WriteData(b, (byte[])m.Body);
                    }
                    else
                    {
                        throw new AmqpException(ErrorCode.InvalidField, "a data body must be a byte[] or an ArrayList of byte[]");
                    }
                    break;
                case BodyType.AmqpValue:
                    Encoder.WriteDescriptor(b, Descriptor.AmqpValue);
                    Encoder.WriteObject(b, m.Body);
                    break;
                case BodyType.AmqpSequence:
                    if (m.Body is ArrayList lists)
                    {
                        for (int i = 0; i < lists.Count; i++) WriteSequence(b, lists[i] as IList);
                    }
                    else if (m.Body is object[] one)
                    {
                        WriteSequence(b, one);
                    }
                    else
                    {
                        throw new AmqpException(ErrorCode.InvalidField, "an amqp-sequence body must be an ArrayList of object[] or an object[]");
                    }
                    break;
            }
        }

        private static void WriteData(ByteBuffer b, byte[] data)
        {
            Encoder.WriteDescriptor(b, Descriptor.Data);
            if (data == null) Encoder.WriteBinaryHeader(b, 0);
            else Encoder.WriteBinary(b, data, 0, data.Length);
        }

        private static void WriteSequence(ByteBuffer b, IList list)
        {
            if (list == null) throw new AmqpException(ErrorCode.InvalidField, "an amqp-sequence section must be a list");
            Encoder.WriteDescriptor(b, Descriptor.AmqpSequence);
            Encoder.WriteList(b, list);
        }

        // Annotation and footer keys are symbols (AMQP 1.0 3.2.10): a string key is written as a symbol.
        private static void WriteAnnotations(ByteBuffer b, ulong descriptor, AmqpMap map)
        {
            Encoder.WriteDescriptor(b, descriptor);
            int start = Encoder.BeginComposite(b, FormatCode.Map32);
            for (int i = 0; i < map.Count; i++)
            {
                object key = map.KeyAt(i);
                if (key is string s) Encoder.WriteSymbol(b, s);
                else Encoder.WriteObject(b, key);
                Encoder.WriteObject(b, map.ValueAt(i));
            }
            Encoder.EndComposite(b, start, map.Count * 2, FormatCode.Map8);
        }

        // Application-properties keys are strings (AMQP 1.0 3.2.5).
        private static void WriteApplicationProperties(ByteBuffer b, AmqpMap map)
        {
            Encoder.WriteDescriptor(b, Descriptor.ApplicationProperties);
            int start = Encoder.BeginComposite(b, FormatCode.Map32);
            for (int i = 0; i < map.Count; i++)
            {
                if (!(map.KeyAt(i) is string key)) throw new AmqpException(ErrorCode.InvalidField, "application-properties keys must be strings");
                Encoder.WriteString(b, key);
                Encoder.WriteObject(b, map.ValueAt(i));
            }
            Encoder.EndComposite(b, start, map.Count * 2, FormatCode.Map8);
        }
    }
}
