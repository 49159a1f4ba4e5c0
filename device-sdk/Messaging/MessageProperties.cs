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
    public sealed class MessageProperties : IFields
    {
        /// <summary>message-id (index 0): a ulong, <see cref="Guid"/>, byte[] or string identifying the message, or null.</summary>
        public object MessageId;

        /// <summary>user-id (index 1): the identity of the user producing the message, or null.</summary>
        public byte[] UserId;

        /// <summary>to (index 2): the address of the node the message is destined for, or null.</summary>
        public string To;

        /// <summary>subject (index 3): a summary of the message content, or null.</summary>
        public string Subject;

        /// <summary>reply-to (index 4): the node to send replies to, or null.</summary>
        public string ReplyTo;

        /// <summary>correlation-id (index 5): a ulong, <see cref="Guid"/>, byte[] or string linking to another message, or null.</summary>
        public object CorrelationId;

        /// <summary>content-type (index 6): the MIME type of the body, e.g. <c>application/json</c> (sent as a symbol), or null.</summary>
        public string ContentType;

        /// <summary>content-encoding (index 7): the encoding of the body, e.g. <c>utf-8</c> (sent as a symbol), or null.</summary>
        public string ContentEncoding;

        /// <summary>absolute-expiry-time (index 8): when the message expires (UTC); <see cref="DateTime.MinValue"/> = absent.</summary>
        public DateTime AbsoluteExpiryTime = DateTime.MinValue;

        /// <summary>creation-time (index 9): when the message was created (UTC); <see cref="DateTime.MinValue"/> = absent.</summary>
        public DateTime CreationTime = DateTime.MinValue;

        /// <summary>group-id (index 10): the group the message belongs to, or null.</summary>
        public string GroupId;

        /// <summary>group-sequence (index 11): the message's position in its group; sent only when <see cref="HasGroupSequence"/>.</summary>
        public uint GroupSequence;

        /// <summary>Whether group-sequence (index 11) is present.</summary>
        public bool HasGroupSequence;

        /// <summary>reply-to-group-id (index 12): the group replies belong to, or null.</summary>
        public string ReplyToGroupId;

        // The fields in order, for both directions (see FieldCursor); an absent field is not written.
        void IFields.Fields(ref FieldCursor c)
        {
            c.List(Descriptor.Properties);
            c.Id(ref MessageId, "message-id");
            c.Binary(ref UserId);
            c.Address(ref To);
            c.String(ref Subject, null);
            c.Address(ref ReplyTo);
            c.Id(ref CorrelationId, "correlation-id");
            c.Symbol(ref ContentType, null);
            c.Symbol(ref ContentEncoding, null);
            c.Timestamp(ref AbsoluteExpiryTime);
            c.Timestamp(ref CreationTime);
            c.String(ref GroupId, null);
            c.UInt(ref GroupSequence, ref HasGroupSequence);
            c.String(ref ReplyToGroupId, null);
        }
    }
}
