// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
using IotHubAmqp.Device.Messaging;

namespace IotHubAmqp.Device.IotHub
{
    /// <summary>
    /// CBS put-token request and reply (iothub-amqp-wire.md 3): a request to <c>$cbs</c> carrying the token as an
    /// amqp-value string, answered by a message whose correlation-id is the request's message-id and whose
    /// application properties hold <c>status-code</c> and <c>status-description</c>.
    /// </summary>
    internal static class CbsPutToken
    {
        /// <summary>The token type the C and Node SDKs send.</summary>
        public const string ServiceBusTokenType = "servicebus.windows.net:sastoken";

        /// <summary>The token type the C# SDK sends; the hub accepts both.</summary>
        public const string AzureDevicesTokenType = "azure-devices.net:sastoken";

        public static Message Request(string token, string audience, string tokenType, string messageId)
        {
            var m = new Message();
            var p = new MessageProperties();
            m.Properties = p;
            p.MessageId = messageId;
            p.To = IotHubAddress.Cbs;
            p.ReplyTo = IotHubAddress.CbsReplyTo;
            var a = new AmqpMap();
            m.ApplicationProperties = a;
            a["operation"] = "put-token";
            a["type"] = tokenType;
            a["name"] = audience;
            m.BodyType = BodyType.AmqpValue;
            m.Body = token;
            return m;
        }

        /// <summary>True when <paramref name="reply"/> answers the request with <paramref name="messageId"/>.</summary>
        public static bool Answers(Message reply, string messageId) =>
            messageId != null && reply.Properties?.CorrelationId?.ToString() == messageId;

        /// <summary>The reply's status code (200/202 = success), or -1 when it carries none.</summary>
        public static int StatusCode(Message reply) => Status(reply.ApplicationProperties?["status-code"]);

        private static int Status(object v) => v is short ? (short)v : Number(v, -1);

        /// <summary>An int, uint or long value as an int, else <paramref name="otherwise"/> (a C2D delivery count uses it too).</summary>
        internal static int Number(object v, int otherwise) =>
            // Type tests, not a pattern switch: no locals, so a small method header.
            v is int ? (int)v : v is long ? (int)(long)v : v is uint ? (int)(uint)v : otherwise;

        public static string StatusDescription(Message reply) =>
            reply.ApplicationProperties?["status-description"] as string;

        public static bool IsSuccess(int status) => (status | 2) == 202; // 200 or 202, nothing else
    }
}
