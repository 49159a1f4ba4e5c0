// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.

namespace IotHubAmqp.Device.Provisioning
{
    /// <summary>The assignment DPS returned: which IoT Hub the device belongs to and under which device id.</summary>
    public sealed class DeviceRegistrationResult
    {
        internal DeviceRegistrationResult()
        {
        }

        /// <summary>The registration id the device registered with.</summary>
        public string RegistrationId { get; internal set; }

        /// <summary>Host name of the assigned IoT Hub, e.g. <c>myhub.azure-devices.net</c>.</summary>
        public string AssignedHub { get; internal set; }

        /// <summary>The device id on the assigned hub.</summary>
        public string DeviceId { get; internal set; }

        /// <summary>DPS's registration status (<c>assigned</c>).</summary>
        public string Status { get; internal set; }

        /// <summary>How the device came to the hub (<c>initialAssignment</c>, <c>deviceDataMigrated</c>, <c>reprovisionedToInitialAssignment</c>...); null when not sent.</summary>
        public string Substatus { get; internal set; }

        /// <summary>The operation id of the registration (for support requests).</summary>
        public string OperationId { get; internal set; }

        /// <summary>The JSON <c>payload</c> DPS returned (custom allocation data), exactly as sent; null when none.</summary>
        public string PayloadJson { get; internal set; }

        /// <summary>Milliseconds the registration took, connect included.</summary>
        public long ElapsedMs { get; internal set; }

        /// <summary>AMQP round trips the registration took (register plus each status poll).</summary>
        public int RoundTrips { get; internal set; }
    }
}
