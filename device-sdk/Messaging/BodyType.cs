// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.

namespace IotHubAmqp.Device.Messaging
{
    /// <summary>Which of the three AMQP body kinds (AMQP 1.0 3.2) a <see cref="Message"/> carries.</summary>
    public enum BodyType
    {
        /// <summary>No body section.</summary>
        None = 0,

        /// <summary>One or more data sections (opaque bytes): <see cref="Message.Body"/> is a byte[], or an ArrayList of byte[].</summary>
        Data = 1,

        /// <summary>A single amqp-value section: <see cref="Message.Body"/> is any AMQP value.</summary>
        AmqpValue = 2,

        /// <summary>One or more amqp-sequence sections: <see cref="Message.Body"/> is an ArrayList of object[] lists.</summary>
        AmqpSequence = 3,
    }
}
