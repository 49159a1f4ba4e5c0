// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.

// TEMPLATE: copy this file to Config.cs in the same folder and replace the placeholders there.
// Config.cs is git-ignored (see .gitignore here) because it holds the Wi-Fi password and the device key;
// this template is committed and must keep placeholders only. The project compiles Config.cs, not this file.

namespace TelemetryAndCommands
{
    /// <summary>Settings of this device. Compiled into the application, so redeploy after a change.</summary>
    internal static class Config
    {
        /// <summary>The Wi-Fi network to join (2.4 GHz: the ESP32 has no 5 GHz radio).</summary>
        internal const string WifiSsid = "<your Wi-Fi SSID>";

        /// <summary>Its password.</summary>
        internal const string WifiPassword = "<your Wi-Fi password>";

        /// <summary>
        /// The device's primary connection string. Azure portal: IoT Hub, Devices, your device,
        /// "Primary connection string"; or <c>az iot hub device-identity connection-string show</c>.
        /// For the local hub: the line it prints for the device, with GatewayHostName changed to the
        /// PC's address as the ESP32 reaches it (see docs/esp32-guide.md, "Against the local hub").
        /// </summary>
        internal const string ConnectionString =
            "HostName=<your-hub>.azure-devices.net;DeviceId=<your-device-id>;SharedAccessKey=<base64 key>";

        /// <summary>
        /// Leave empty for Azure IoT Hub (DigiCert Global Root G2, in TrustedRoots.cs, is used). For the local
        /// hub, paste the whole PEM it wrote (<c>localhub-ca.pem</c>, BEGIN and END lines included); the local hub
        /// makes a new CA each time it starts, so paste it again after every restart of the hub.
        /// </summary>
        internal const string LocalHubCaPem = @"";

        /// <summary>Seconds between telemetry messages.</summary>
        internal const int TelemetryPeriodSeconds = 10;

        /// <summary>GPIO of the LED the "toggle" command switches (2 is the on-board LED of many ESP32 DevKit boards).</summary>
        internal const int LedPin = 2;
    }
}
