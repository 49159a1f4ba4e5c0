// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.

namespace IotHubAmqp.Device.IotHub
{
    /// <summary>
    /// IoT Hub's node addresses and names for a device or module (iothub-amqp-wire.md 1, 2, 5, 6): pure
    /// functions of the identity, testable without a network.
    /// </summary>
    internal static class IotHubAddress
    {
        /// <summary>The CBS node (put-token requests go to it, replies come from it).</summary>
        public const string Cbs = "$cbs";

        /// <summary>Where the device's CBS receiver takes its replies (the reply-to of a put-token).</summary>
        public const string CbsReplyTo = "cbs";

        /// <summary><c>/devices/{id}/messages/events</c>, or the module form.</summary>
        public static string Telemetry(string deviceId, string moduleId) => Entity(deviceId, moduleId) + "/messages/events";

        /// <summary><c>/devices/{id}/messages/devicebound</c>, or the module form.</summary>
        public static string CloudToDevice(string deviceId, string moduleId) => Entity(deviceId, moduleId) + "/messages/devicebound";

        /// <summary>The token audience: <c>{host}/devices/{id}</c> or <c>{host}/devices/{id}/modules/{mid}</c>, ids URL-encoded.</summary>
        public static string Audience(string hostName, string deviceId, string moduleId) => hostName + Entity(deviceId, moduleId);

        /// <summary>SASL PLAIN user name: <c>{deviceId}@sas.{hubName}</c> or <c>{deviceId}/modules/{moduleId}@sas.{hubName}</c> (iothub-amqp-wire-2.md 5).</summary>
        public static string PlainUserName(string deviceId, string moduleId, string hostName)
        {
            // The hub's name: the first DNS label of its host name.
            int dot = hostName.IndexOf('.');
            return (moduleId == null ? deviceId : deviceId + "/modules/" + moduleId) + "@sas." + (dot < 0 ? hostName : hostName.Substring(0, dot));
        }

        /// <summary><c>/devices/{id}</c> or <c>/devices/{id}/modules/{mid}</c>, ids URL-encoded (no local: a small method header).</summary>
        internal static string Entity(string deviceId, string moduleId) =>
            "/devices/" + UrlEncoding.Encode(deviceId) + (moduleId == null ? "" : "/modules/" + UrlEncoding.Encode(moduleId));
    }
}
