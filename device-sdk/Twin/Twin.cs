// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.

namespace IotHubAmqp.Device.Twin
{
    /// <summary>The device's (or module's) twin as <see cref="DeviceTwinClient.GetTwin"/> returns it.</summary>
    public sealed class Twin
    {
        internal Twin(string deviceId, TwinCollection desired, TwinCollection reported)
        {
            DeviceId = deviceId;
            Properties = new TwinProperties(desired, reported);
        }

        /// <summary>The device id.</summary>
        public string DeviceId { get; }

        /// <summary>Desired and reported properties.</summary>
        public TwinProperties Properties { get; }

        // {"desired":{...},"reported":{...}} (iothub-amqp-wire-2.md 2.3) as UTF-8; a part the hub left out reads as empty.
        internal static Twin FromJson(string deviceId, byte[] json)
        {
            TwinCollection doc = Json.ParseObject(json);
            var desired = doc["desired"] as TwinCollection ?? new TwinCollection();
            var reported = doc["reported"] as TwinCollection ?? new TwinCollection();
            return new Twin(deviceId, desired, reported);
        }
    }

    /// <summary>The two halves of a twin's properties.</summary>
    public sealed class TwinProperties
    {
        internal TwinProperties(TwinCollection desired, TwinCollection reported)
        {
            Desired = desired;
            Reported = reported;
        }

        /// <summary>What the solution asks for (with its <c>$version</c>).</summary>
        public TwinCollection Desired { get; }

        /// <summary>What the device last reported (with its <c>$version</c>).</summary>
        public TwinCollection Reported { get; }
    }
}
