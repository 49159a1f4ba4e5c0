// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
using System.Reflection;

[assembly: AssemblyTitle("TelemetryAndCommands")]
[assembly: AssemblyDescription("IotHubAmqp.Device sample: telemetry and cloud-to-device commands on an ESP32")]
[assembly: AssemblyVersion("1.0.0.0")]
