// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
using System;
using IotHubAmqp.Device.Framing;
using IotHubAmqp.Device.IotHub;
using IotHubAmqp.Device.Messaging;
using IotHubAmqp.Device.Platform;
using IotHubAmqp.Device.Types;

namespace IotHubAmqp.Device.Provisioning
{
    /// <summary>
    /// DPS over AMQP as pure functions (iothub-amqp-wire-2.md 7): addresses, the SAS token, the register and
    /// operation-status requests, and the reading of DPS's answers and rejections.
    /// </summary>
    internal static class DpsWire
    {
        /// <summary>The API version the Node and C# SDKs announce (wire-2 7.1).</summary>
        public const string ApiVersion = "2019-03-31";

        public const string OperationType = "iotdps-operation-type";
        public const string OperationId = "iotdps-operation-id";
        public const string ForceRegistration = "iotdps-forceRegistration";
        public const string Register = "iotdps-register";
        public const string GetOperationStatus = "iotdps-get-operationstatus";

        /// <summary>The C and Node SDKs read this key; the C# SDK reads <see cref="RetryAfterPascal"/> (wire-2 7.4).</summary>
        public const string RetryAfter = "retry-after";
        public const string RetryAfterPascal = "Retry-After";

        /// <summary>The condition DPS rejects a throttled request with (Node maps it to ThrottlingError).</summary>
        public const string ThrottledCondition = "com.microsoft:device-container-throttled";

        /// <summary>Key name of a DPS symmetric-key token.</summary>
        public const string TokenKeyName = "registration";

        /// <summary><c>{idScope}/registrations/{registrationId}</c>: link address, SASL user and token resource alike.</summary>
        public static string Resource(string idScope, string registrationId) => idScope + "/registrations/" + registrationId;

        /// <summary>The DPS SAS token (sr URL-encoded, skn=registration), valid until <paramref name="expiry"/> (Unix seconds).</summary>
        public static string Token(IPlatform platform, string idScope, string registrationId, byte[] key, long expiry) =>
            SasToken.Create(platform, Resource(idScope, registrationId), key, TokenKeyName, expiry);

        /// <summary>Attach properties of both links.</summary>
        public static AmqpMap LinkProperties(string clientVersion)
        {
            var p = new AmqpMap();
            p[new Symbol("com.microsoft:api-version")] = ApiVersion;
            p[new Symbol("com.microsoft:client-version")] = clientVersion;
            return p;
        }

        /// <summary>
        /// The register request: data <c>{"registrationId":…[,"payload":…]}</c>, operation type and force flag as
        /// application properties, the correlation id DPS echoes. <paramref name="payloadJson"/> must be one JSON value.
        /// </summary>
        public static Message RegisterRequest(string registrationId, string payloadJson, bool force, string correlationId)
        {
            string body = "{\"registrationId\":\"" + registrationId + "\"";
            if (payloadJson != null) body += ",\"payload\":" + payloadJson;
            body += "}";
            var m = new Message(Utf8Bytes(body));
            m.Properties = new MessageProperties();
            m.Properties.CorrelationId = correlationId;
            m.ApplicationProperties = new AmqpMap();
            m.ApplicationProperties[OperationType] = Register;
            m.ApplicationProperties[ForceRegistration] = force;
            return m;
        }

        /// <summary>The operation-status poll: the body is ignored by DPS; the Node SDK sends amqp-value "".</summary>
        public static Message StatusRequest(string operationId, string correlationId)
        {
            var m = new Message();
            m.BodyType = BodyType.AmqpValue;
            m.Body = "";
            m.Properties = new MessageProperties();
            m.Properties.CorrelationId = correlationId;
            m.ApplicationProperties = new AmqpMap();
            m.ApplicationProperties[OperationType] = GetOperationStatus;
            m.ApplicationProperties[OperationId] = operationId;
            return m;
        }

        /// <summary>Checks that the application's payload is one well-formed JSON value.</summary>
        public static void CheckPayload(string payloadJson)
        {
            if (payloadJson == null) return;
            string raw;
            try
            {
                raw = DpsJson.Member("{\"p\":" + payloadJson + "}", "p");
            }
            catch (ArgumentException e)
            {
                throw new ArgumentException("the registration payload is not one JSON value: " + e.Message);
            }
            if (raw == null || raw.Length != payloadJson.Trim().Length) throw new ArgumentException("the registration payload is not one JSON value");
        }

        /// <summary>Seconds in <c>retry-after</c> (either spelling; int or numeric string); -1 when absent or unreadable.</summary>
        public static int RetryAfterSeconds(AmqpMap map)
        {
            if (map == null) return -1;
            object v = map[RetryAfter] ?? map[RetryAfterPascal] ?? map[new Symbol(RetryAfter)];
            if (v is int i) return i < 0 ? -1 : i;
            if (v is long l) return l < 0 || l > int.MaxValue ? -1 : (int)l;
            if (v is uint u) return u > int.MaxValue ? -1 : (int)u;
            if (v is string s) return ParseSeconds(s);
            return -1;
        }

        /// <summary>
        /// Reads one answer: returns its <c>status</c> with the fields it needs filled in <paramref name="into"/>, or throws
        /// a <see cref="ProvisioningException"/> naming what is missing or what DPS refused.
        /// </summary>
        public static string ReadAnswer(Message m, string registrationId, DeviceRegistrationResult into)
        {
            byte[] data = m.GetBytes();
            if (data == null) throw Bad("DPS's answer has no data section (DPS sends its JSON in one)");
            string json = Utf8.Decode(data, 0, data.Length);
            string status;
            string state;
            try
            {
                status = DpsJson.StringMember(json, "status");
                into.OperationId = DpsJson.StringMember(json, "operationId") ?? into.OperationId;
                state = DpsJson.AsObject(DpsJson.Member(json, "registrationState"));
            }
            catch (ArgumentException e)
            {
                throw Bad("DPS's answer is not valid JSON: " + e.Message);
            }
            if (status == null) throw Bad("DPS's answer has no 'status'");
            switch (LowerAscii(status))
            {
                case "assigning":
                    if (into.OperationId == null) throw Bad("DPS's 'assigning' answer has no 'operationId' to poll with");
                    return "assigning";
                case "assigned":
                    if (state == null) throw Bad("DPS's 'assigned' answer has no 'registrationState'");
                    into.AssignedHub = DpsJson.StringMember(state, "assignedHub");
                    into.DeviceId = DpsJson.StringMember(state, "deviceId");
                    if (into.AssignedHub == null || into.AssignedHub.Length == 0) throw Bad("DPS's 'assigned' answer has no 'registrationState.assignedHub'");
                    if (into.DeviceId == null || into.DeviceId.Length == 0) throw Bad("DPS's 'assigned' answer has no 'registrationState.deviceId'");
                    into.RegistrationId = DpsJson.StringMember(state, "registrationId") ?? registrationId;
                    into.Status = "assigned";
                    into.Substatus = DpsJson.StringMember(state, "substatus");
                    string payload = DpsJson.Member(state, "payload");
                    into.PayloadJson = payload == "null" ? null : payload;
                    return "assigned";
                case "disabled":
                    throw new ProvisioningException(ProvisioningError.EnrollmentDisabled, "DPS reports the enrollment of registration '" + registrationId + "' as disabled");
                case "failed":
                    var failed = new ProvisioningException(ProvisioningError.Failed, "DPS could not assign registration '" + registrationId + "'" + Details(state));
                    failed.ErrorCode = ErrorCodeOf(state);
                    throw failed;
                default:
                    throw Bad("DPS answered status '" + status + "', which this client does not handle" + Details(state));
            }
        }

        /// <summary>What a rejected request means: throttled (retry after the hint), another refusal, or a server error.</summary>
        public static ProvisioningException Rejection(Error e, string registrationId)
        {
            string description = e == null ? null : e.Description;
            int code = 0;
            string message = description;
            if (description != null && description.Length > 0 && description[0] == '{')
            {
                // The C# SDK reads the description as {"errorCode":…,"trackingId":…,"message":…} (wire-2 7.5).
                try
                {
                    code = ParseInt(DpsJson.Member(description, "errorCode"));
                    message = DpsJson.StringMember(description, "message") ?? description;
                }
                catch (ArgumentException)
                {
                    message = description;
                }
            }
            string condition = e == null ? "(none)" : e.Condition;
            bool throttled = condition == ThrottledCondition || code / 1000 == 429;
            var x = new ProvisioningException(throttled ? ProvisioningError.Throttled : ProvisioningError.Failed,
                (throttled ? "DPS throttled registration '" : "DPS rejected the request of registration '") + registrationId + "': " + condition
                + (code != 0 ? " " + code : "") + (message != null ? " " + message : ""));
            x.ErrorCode = code;
            x.RetryAfterSeconds = e == null ? 0 : RetryAfterSeconds(e.Info);
            if (x.RetryAfterSeconds < 0) x.RetryAfterSeconds = 0;
            return x;
        }

        /// <summary>True for a rejection the service asks to be retried (throttling, a server error).</summary>
        public static bool IsRetryable(ProvisioningException x, Error e) =>
            x.Reason == ProvisioningError.Throttled || (e != null && e.Condition == ErrorCode.InternalError) || x.ErrorCode / 1000 >= 500;

        private static string Details(string state)
        {
            if (state == null) return "";
            string code = null;
            string text = null;
            try
            {
                code = DpsJson.Member(state, "errorCode");
                text = DpsJson.StringMember(state, "errorMessage");
            }
            catch (ArgumentException)
            {
            }
            return (code != null ? ": error " + code : "") + (text != null ? " " + text : "");
        }

        private static int ErrorCodeOf(string state)
        {
            try
            {
                return state == null ? 0 : ParseInt(DpsJson.Member(state, "errorCode"));
            }
            catch (ArgumentException)
            {
                return 0;
            }
        }

        private static int ParseInt(string raw)
        {
            if (raw == null) return 0;
            if (raw.Length > 1 && raw[0] == '"') raw = raw.Substring(1, raw.Length - 2);
            int v = ParseSeconds(raw);
            return v < 0 ? 0 : v;
        }

        private static int ParseSeconds(string s)
        {
            if (s == null || s.Length == 0 || s.Length > 9) return -1;
            int v = 0;
            for (int i = 0; i < s.Length; i++)
            {
                char c = s[i];
                if (c < '0' || c > '9') return -1;
                v = v * 10 + (c - '0');
            }
            return v;
        }

        private static string LowerAscii(string s)
        {
            char[] c = s.ToCharArray();
            for (int i = 0; i < c.Length; i++)
            {
                if (c[i] >= 'A' && c[i] <= 'Z') c[i] = (char)(c[i] + 32);
            }
            return new string(c);
        }

        private static byte[] Utf8Bytes(string s)
        {
            byte[] b = new byte[Utf8.GetByteCount(s)];
            Utf8.Encode(s, b, 0);
            return b;
        }

        private static ProvisioningException Bad(string message) => new ProvisioningException(ProvisioningError.BadResponse, message);
    }
}
