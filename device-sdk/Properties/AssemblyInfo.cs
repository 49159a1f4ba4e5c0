// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
using System.Runtime.CompilerServices;

// Device tests reach the internal engine directly. On desktop .NET they are three assemblies
// (device-sdk.Tests/Projects/*); on nanoFramework every test .nfproj builds an assembly named NFUnitTest,
// the only name the unit-test launcher runs.
[assembly: InternalsVisibleTo("IotHubAmqp.Device.Tests.Codec")]
[assembly: InternalsVisibleTo("IotHubAmqp.Device.Tests.Engine")]
[assembly: InternalsVisibleTo("IotHubAmqp.Device.Tests.IotHub")]
[assembly: InternalsVisibleTo("NFUnitTest")]
[assembly: InternalsVisibleTo("IotHubAmqp.Device.InteropTests")]
[assembly: InternalsVisibleTo("IotHubAmqp.Device.Desktop")]

// The optional methods-and-twin assembly rides the core's state machine (IotHub/ClientFeature); its tests too.
[assembly: InternalsVisibleTo("IotHubAmqp.Device.Twin")]
[assembly: InternalsVisibleTo("IotHubAmqp.Device.Tests.Twin")]

// The optional provisioning assembly drives its own connection on the engine; its tests too.
[assembly: InternalsVisibleTo("IotHubAmqp.Device.Provisioning")]
[assembly: InternalsVisibleTo("IotHubAmqp.Device.Tests.Provisioning")]

// The optional batched-telemetry assembly sends through DeviceClient's telemetry link.
[assembly: InternalsVisibleTo("IotHubAmqp.Device.Batching")]

// The optional feedback assembly sends on its own link through the core's send machinery (IotHub/ClientFeature).
[assembly: InternalsVisibleTo("IotHubAmqp.Device.Feedback")]
