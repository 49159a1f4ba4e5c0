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
        public string BodyAsString
        {
            get
            {
                byte[] body = Body;
                return body == null ? null : Types.Utf8.Decode(body, 0, body.Length);
            }
        }

        /// <summary>message-id as text, or null.</summary>
        public string MessageId => Text(Message.Properties == null ? null : Message.Properties.MessageId);

        /// <summary>correlation-id as text, or null.</summary>
        public string CorrelationId => Text(Message.Properties == null ? null : Message.Properties.CorrelationId);

        /// <summary>content-type, or null.</summary>
        public string ContentType => Message.Properties == null ? null : Message.Properties.ContentType;

        /// <summary>The application properties (string keys), or null.</summary>
        public AmqpMap Properties => Message.ApplicationProperties;

        /// <summary>x-opt-sequence-number, or -1.</summary>
        public long SequenceNumber => Annotation("x-opt-sequence-number") is long l ? l : -1;

        /// <summary>x-opt-lock-token as text, or null.</summary>
        public string LockToken => Text(Annotation("x-opt-lock-token"));

        /// <summary>iothub-enqueuedtime, or <see cref="DateTime.MinValue"/>.</summary>
        public DateTime EnqueuedTime => Annotation("iothub-enqueuedtime") is DateTime t ? t : DateTime.MinValue;

        /// <summary>iothub-deliverycount: how many times the hub delivered it before this time.</summary>
        public int DeliveryCount
        {
            get
            {
                object v = Annotation("iothub-deliverycount");
                switch (v)
                {
                    case int i: return i;
                    case uint u: return (int)u;
                    case long l: return (int)l;
                    default: return 0;
                }
            }
        }

        private object Annotation(string name) => Message.MessageAnnotations == null ? null : Message.MessageAnnotations[new Symbol(name)];

        private static string Text(object v) => v == null ? null : v.ToString();
    }
}
