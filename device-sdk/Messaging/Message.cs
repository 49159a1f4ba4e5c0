// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.

namespace IotHubAmqp.Device.Messaging
{
    /// <summary>
    /// An AMQP 1.0 message (3.2): the bare message (properties, application properties, body) with the
    /// annotations and header around it. Every section is optional; an absent section is null and not sent.
    /// </summary>
    public sealed class Message
    {
        /// <summary>Creates a message with no sections.</summary>
        public Message()
        {
        }

        /// <summary>Creates a message whose body is one data section holding <paramref name="data"/>.</summary>
        public Message(byte[] data)
        {
            BodyType = BodyType.Data;
            Body = data;
        }

        /// <summary>The header section (durability, priority, time to live...), or null for the defaults.</summary>
        public MessageHeader Header { get; set; }

        /// <summary>
        /// Delivery annotations (symbol keys) for the next hop only, or null. String keys are sent as symbols.
        /// </summary>
        public AmqpMap DeliveryAnnotations { get; set; }

        /// <summary>
        /// Message annotations (symbol keys), for example IoT Hub's <c>iothub-connection-device-id</c>, or null.
        /// String keys are sent as symbols.
        /// </summary>
        public AmqpMap MessageAnnotations { get; set; }

        /// <summary>The immutable properties section (message-id, content-type...), or null.</summary>
        public MessageProperties Properties { get; set; }

        /// <summary>
        /// Application properties: string keys and simple values (numbers, strings, booleans, timestamps,
        /// uuids, binaries; no maps or lists), or null. IoT Hub routes on these.
        /// </summary>
        public AmqpMap ApplicationProperties { get; set; }

        /// <summary>The kind of body, which tells how to read <see cref="Body"/>.</summary>
        public BodyType BodyType { get; set; }

        /// <summary>
        /// The body. <see cref="Messaging.BodyType.Data"/>: a byte[] for one data section, or an ArrayList of byte[]
        /// for several. <see cref="Messaging.BodyType.AmqpValue"/>: any AMQP value.
        /// <see cref="Messaging.BodyType.AmqpSequence"/>: an ArrayList of object[] lists (one per section), or
        /// a single object[] for one section.
        /// </summary>
        public object Body { get; set; }

        /// <summary>The footer section (symbol keys), or null.</summary>
        public AmqpMap Footer { get; set; }

        /// <summary>The body of a single data section, or null when the body is not one data section.</summary>
        public byte[] GetBytes() => BodyType == BodyType.Data ? Body as byte[] : null;
    }
}
