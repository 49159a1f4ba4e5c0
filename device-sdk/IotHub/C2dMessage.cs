// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
using System;
using IotHubAmqp.Device.Engine;
using IotHubAmqp.Device.Messaging;

namespace IotHubAmqp.Device.IotHub
{
    /// <summary>
    /// A cloud-to-device message. Settle it once with <see cref="DeviceClient.Complete"/>,
    /// <see cref="DeviceClient.Reject"/> or <see cref="DeviceClient.Abandon"/>; one left unsettled when the
    /// connection drops is delivered again by the hub.
    /// </summary>
    public sealed class C2dMessage
    {
        internal C2dMessage(IncomingDelivery delivery)
        {
            Delivery = delivery;
            Message = delivery.Message;
        }

        internal readonly IncomingDelivery Delivery;

        /// <summary>The AMQP message as received: every section, property and annotation.</summary>
        public Message Message { get; }

        /// <summary>The body bytes (a data section), or null.</summary>
        public byte[] Body => Message.GetBytes();

        /// <summary>The body decoded as UTF-8 text, or null (throws <see cref="AmqpException"/> on invalid UTF-8).</summary>
        public string BodyAsString => Text(Body);

        // A parameter, not a local: a small method header.
        private static string Text(byte[] body) => body == null ? null : Types.Utf8.Decode(body, 0, body.Length);

        /// <summary>message-id as text, or null.</summary>
        public string MessageId => Message.Properties?.MessageId?.ToString();

        /// <summary>correlation-id as text, or null.</summary>
        public string CorrelationId => Message.Properties?.CorrelationId?.ToString();

        /// <summary>content-type, or null.</summary>
        public string ContentType => Message.Properties?.ContentType;

        /// <summary>The application properties (string keys), or null.</summary>
        public AmqpMap Properties => Message.ApplicationProperties;

        /// <summary>x-opt-sequence-number, or -1.</summary>
        public long SequenceNumber => AsLong(Annotation("x-opt-sequence-number"));

        /// <summary>x-opt-lock-token as text, or null.</summary>
        public string LockToken => Annotation("x-opt-lock-token")?.ToString();

        /// <summary>iothub-enqueuedtime, or <see cref="DateTime.MinValue"/>.</summary>
        public DateTime EnqueuedTime => AsTime(Annotation("iothub-enqueuedtime"));

        /// <summary>iothub-deliverycount: how many times the hub delivered it before this time.</summary>
        public int DeliveryCount => CbsPutToken.Number(Annotation("iothub-deliverycount"), 0);

        // Static helpers on a parameter, not a pattern on a local: no locals, so small method headers.
        private static long AsLong(object v) => v is long ? (long)v : -1;

        private static DateTime AsTime(object v) => v is DateTime ? (DateTime)v : DateTime.MinValue;

        private object Annotation(string name) => Message.MessageAnnotations?[new Symbol(name)];
    }
}
