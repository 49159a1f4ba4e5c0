// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
using System;
using IotHubAmqp.Device.Buffers;
using IotHubAmqp.Device.Framing;
using IotHubAmqp.Device.Types;

namespace IotHubAmqp.Device.Messaging
{
    /// <summary>
    /// The properties section of a message (AMQP 1.0 3.2.4): the immutable properties of the bare message.
    /// Every field is optional; null (or <see cref="DateTime.MinValue"/> for times) means absent.
    /// </summary>
    public sealed class MessageProperties
    {
        private const int FieldCount = 13;

        /// <summary>message-id (index 0): a ulong, <see cref="Guid"/>, byte[] or string identifying the message, or null.</summary>
        public object MessageId { get; set; }

        /// <summary>user-id (index 1): the identity of the user producing the message, or null.</summary>
        public byte[] UserId { get; set; }

        /// <summary>to (index 2): the address of the node the message is destined for, or null.</summary>
        public string To { get; set; }

        /// <summary>subject (index 3): a summary of the message content, or null.</summary>
        public string Subject { get; set; }

        /// <summary>reply-to (index 4): the node to send replies to, or null.</summary>
        public string ReplyTo { get; set; }

        /// <summary>correlation-id (index 5): a ulong, <see cref="Guid"/>, byte[] or string linking to another message, or null.</summary>
        public object CorrelationId { get; set; }

        /// <summary>content-type (index 6): the MIME type of the body, e.g. <c>application/json</c> (sent as a symbol), or null.</summary>
        public string ContentType { get; set; }

        /// <summary>content-encoding (index 7): the encoding of the body, e.g. <c>utf-8</c> (sent as a symbol), or null.</summary>
        public string ContentEncoding { get; set; }

        /// <summary>absolute-expiry-time (index 8): when the message expires (UTC); <see cref="DateTime.MinValue"/> = absent.</summary>
        public DateTime AbsoluteExpiryTime { get; set; } = DateTime.MinValue;

        /// <summary>creation-time (index 9): when the message was created (UTC); <see cref="DateTime.MinValue"/> = absent.</summary>
        public DateTime CreationTime { get; set; } = DateTime.MinValue;

        /// <summary>group-id (index 10): the group the message belongs to, or null.</summary>
        public string GroupId { get; set; }

        /// <summary>group-sequence (index 11): the message's position in its group; sent only when <see cref="HasGroupSequence"/>.</summary>
        public uint GroupSequence { get; set; }

        /// <summary>Whether group-sequence (index 11) is present.</summary>
        public bool HasGroupSequence { get; set; }

        /// <summary>reply-to-group-id (index 12): the group replies belong to, or null.</summary>
        public string ReplyToGroupId { get; set; }

        internal void Encode(ByteBuffer b)
        {
            int count = CountToWrite();
            int start = FieldCodec.BeginList(b, Descriptor.Properties, count);
            for (int i = 0; i < count; i++) WriteField(b, i);
            FieldCodec.EndList(b, start, count);
        }

        /// <summary>Reads the list (the caller has read the descriptor); absent fields keep their defaults.</summary>
        internal void Decode(ByteBuffer b)
        {
            int count = Decoder.ReadListHeader(b, out int end);
            for (int i = 0; i < count; i++)
            {
                if (i >= FieldCount) Decoder.Skip(b);
                else if (!Decoder.TryReadNull(b)) ReadField(b, i);
            }
            FieldCodec.EndFields(b, end, "properties");
        }

        private int CountToWrite()
        {
            if (ReplyToGroupId != null) return 13;
            if (HasGroupSequence) return 12;
            if (GroupId != null) return 11;
            if (CreationTime != DateTime.MinValue) return 10;
            if (AbsoluteExpiryTime != DateTime.MinValue) return 9;
            if (ContentEncoding != null) return 8;
            if (ContentType != null) return 7;
            if (CorrelationId != null) return 6;
            if (ReplyTo != null) return 5;
            if (Subject != null) return 4;
            if (To != null) return 3;
            if (UserId != null) return 2;
            if (MessageId != null) return 1;
            return 0;
        }

        private void WriteField(ByteBuffer b, int index)
        {
            switch (index)
            {
                case 0: WriteId(b, MessageId, "message-id"); break;
                case 1: Encoder.WriteBinary(b, UserId); break;
                case 2: Encoder.WriteString(b, To); break;
                case 3: Encoder.WriteString(b, Subject); break;
                case 4: Encoder.WriteString(b, ReplyTo); break;
                case 5: WriteId(b, CorrelationId, "correlation-id"); break;
                case 6: Encoder.WriteSymbol(b, ContentType); break;
                case 7: Encoder.WriteSymbol(b, ContentEncoding); break;
                case 8: WriteTime(b, AbsoluteExpiryTime); break;
                case 9: WriteTime(b, CreationTime); break;
                case 10: Encoder.WriteString(b, GroupId); break;
                case 11:
                    if (HasGroupSequence) Encoder.WriteUInt(b, GroupSequence);
                    else Encoder.WriteNull(b);
                    break;
                case 12: Encoder.WriteString(b, ReplyToGroupId); break;
            }
        }

        // message-id and correlation-id are one of message-id-ulong, -uuid, -binary or -string (AMQP 1.0 3.2.11-3.2.15).
        private static void WriteId(ByteBuffer b, object id, string field)
        {
            switch (id)
            {
                case null: Encoder.WriteNull(b); break;
                case string s: Encoder.WriteString(b, s); break;
                case ulong u: Encoder.WriteULong(b, u); break;
                case Guid g: Encoder.WriteUuid(b, g); break;
                case byte[] a: Encoder.WriteBinary(b, a); break;
                default:
                    throw new AmqpException(ErrorCode.InvalidField, field + " must be a ulong, Guid, byte[] or string, not " + id.GetType().Name);
            }
        }

        private static void WriteTime(ByteBuffer b, DateTime t)
        {
            if (t == DateTime.MinValue) Encoder.WriteNull(b);
            else Encoder.WriteTimestamp(b, t);
        }

        private void ReadField(ByteBuffer b, int index)
        {
            switch (index)
            {
                // Ids are read as whatever the peer sent; a well-formed peer sends one of the four id types.
                case 0: MessageId = Decoder.ReadObject(b); break;
                case 1: UserId = Decoder.ReadBinary(b); break;
                case 2: To = FieldCodec.ReadAddress(b); break;
                case 3: Subject = Decoder.ReadString(b); break;
                case 4: ReplyTo = FieldCodec.ReadAddress(b); break;
                case 5: CorrelationId = Decoder.ReadObject(b); break;
                case 6: ContentType = Decoder.ReadSymbol(b); break;
                case 7: ContentEncoding = Decoder.ReadSymbol(b); break;
                case 8: AbsoluteExpiryTime = Decoder.ReadTimestamp(b); break;
                case 9: CreationTime = Decoder.ReadTimestamp(b); break;
                case 10: GroupId = Decoder.ReadString(b); break;
                case 11:
                    GroupSequence = Decoder.ReadUInt(b);
                    HasGroupSequence = true;
                    break;
                case 12: ReplyToGroupId = Decoder.ReadString(b); break;
            }
        }
    }
}
