// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
using System.Runtime.CompilerServices;

// Its device tests drive the feature on the core's state machine (desktop assembly name, and NFUnitTest on nanoFramework).
[assembly: InternalsVisibleTo("IotHubAmqp.Device.Tests.Twin")]
[assembly: InternalsVisibleTo("NFUnitTest")]
