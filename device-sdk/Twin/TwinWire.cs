// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
using IotHubAmqp.Device.IotHub;
using IotHubAmqp.Device.Messaging;
using IotHubAmqp.Device.Types;

namespace IotHubAmqp.Device.Twin
{
    /// <summary>
    /// The messages of the methods and twin channels as pure functions (iothub-amqp-wire-2.md 1.2-1.4, 2.1-2.4):
    /// attach properties, method requests and responses, twin GET / PATCH / PUT and their replies.
    /// </summary>
    internal static class TwinWire
    {
        public const string MethodNameKey = "IoThub-methodname";
        public const string MethodStatusKey = "IoThub-status";
        public const string ReportedResource = "/properties/reported";
        public const string DesiredNotificationsResource = "/notifications/twin/properties/desired";

        private static readonly Symbol ChannelCorrelationId = new Symbol("com.microsoft:channel-correlation-id");
        private static readonly Symbol ApiVersionKey = new Symbol("com.microsoft:api-version");
        private static readonly Symbol ClientVersionKey = new Symbol("com.microsoft:client-version");
        private static readonly Symbol OperationKey = new Symbol("operation");
        private static readonly Symbol ResourceKey = new Symbol("resource");
        private static readonly Symbol StatusKey = new Symbol("status");
        private static readonly Symbol VersionKey = new Symbol("version");

        /// <summary>Attach properties of both links of a channel: <c>{kind}:{id}[/{mid}]</c>, api and client version (1.2, 2.1).</summary>
        public static AmqpMap ChannelProperties(string kind, string who)
        {
            var p = new AmqpMap();
            p[ChannelCorrelationId] = kind + ":" + who;
            p[ApiVersionKey] = DeviceClient.ApiVersion;
            p[ClientVersionKey] = DeviceClient.ClientVersion;
            return p;
        }

        // ---- methods (1.3, 1.4)

        /// <summary>The method name of a request, or null when it has none.</summary>
        public static string MethodName(Message request) =>
            request.ApplicationProperties == null ? null : request.ApplicationProperties[MethodNameKey] as string;

        /// <summary>The request id (a uuid on the wire), echoed unchanged in the response; null when absent.</summary>
        public static object Correlation(Message m) => m.Properties == null ? null : m.Properties.CorrelationId;

        /// <summary>The bytes of a data body (empty when there is none).</summary>
        public static byte[] Body(Message m) => m.GetBytes() ?? new byte[0];

        /// <summary>The JSON text of a data body (empty when there is none).</summary>
        public static string BodyText(Message m)
        {
            byte[] body = Body(m);
            return body.Length == 0 ? "" : Utf8.Decode(body, 0, body.Length);
        }

        /// <summary>A response: the request's correlation-id, <c>IoThub-status</c> as int, the JSON's UTF-8 in one data section.</summary>
        public static Message MethodResponse(object correlationId, int status, byte[] json)
        {
            var m = new Message(json);
            m.Properties = new MessageProperties();
            m.Properties.CorrelationId = correlationId;
            m.ApplicationProperties = new AmqpMap();
            m.ApplicationProperties[MethodStatusKey] = status;
            return m;
        }

        // ---- twin (2.2-2.4)

        /// <summary>GET the whole twin: <c>operation=GET</c>, a one-space data body as C and Node send.</summary>
        public static Message Get(string correlationId) => TwinRequest("GET", null, correlationId, Utf8Bytes(" "));

        /// <summary>PATCH the reported properties with <paramref name="json"/> (its UTF-8).</summary>
        public static Message PatchReported(string correlationId, byte[] json) => TwinRequest("PATCH", ReportedResource, correlationId, json);

        /// <summary>PUT: subscribe this channel to desired-property notifications.</summary>
        public static Message SubscribeDesired(string correlationId) => TwinRequest("PUT", DesiredNotificationsResource, correlationId, Utf8Bytes(" "));

        private static Message TwinRequest(string operation, string resource, string correlationId, byte[] body)
        {
            var m = new Message(body);
            m.Properties = new MessageProperties();
            m.Properties.CorrelationId = correlationId;
            m.MessageAnnotations = new AmqpMap();
            m.MessageAnnotations[OperationKey] = operation;
            if (resource != null) m.MessageAnnotations[ResourceKey] = resource;
            return m;
        }

        /// <summary>The reply's <c>status</c> annotation, or -1 when absent (a reply without one counts as success, as in CS and Node).</summary>
        public static int Status(Message reply) => (int)Number(reply, StatusKey, -1);

        /// <summary>The reply's <c>version</c> annotation (the new reported $version after a PATCH), or -1.</summary>
        public static long Version(Message reply) => Number(reply, VersionKey, -1);

        public static bool IsSuccess(int status) => status < 0 || (status >= 200 && status < 300);

        private static long Number(Message m, Symbol key, long absent)
        {
            object v = m.MessageAnnotations == null ? null : m.MessageAnnotations[key];
            switch (v)
            {
                case int i: return i;
                case long l: return l;
                case uint u: return u;
                case ulong ul: return (long)ul;
                case short s: return s;
                default: return absent;
            }
        }

        internal static byte[] Utf8Bytes(string text)
        {
            var bytes = new byte[Utf8.GetByteCount(text)];
            Utf8.Encode(text, bytes, 0);
            return bytes;
        }

        /// <summary><c>/devices/{id}/methods/devicebound</c>, or the module form (iothub-amqp-wire-2.md 1.1).</summary>
        public static string Methods(string deviceId, string moduleId) => IotHubAddress.Entity(deviceId, moduleId) + "/methods/devicebound";

        /// <summary><c>/devices/{id}/twin</c>, or the module form (iothub-amqp-wire-2.md 2.1).</summary>
        public static string Twin(string deviceId, string moduleId) => IotHubAddress.Entity(deviceId, moduleId) + "/twin";

        /// <summary><c>{id}</c> or <c>{id}/{mid}</c>: who a channel belongs to.</summary>
        public static string Who(string deviceId, string moduleId) => moduleId == null ? deviceId : deviceId + "/" + moduleId;
    }
}
