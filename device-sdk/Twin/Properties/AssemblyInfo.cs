// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
using System.Runtime.CompilerServices;

// Its device tests reach the channels directly (desktop assembly name, and NFUnitTest on nanoFramework).
[assembly: InternalsVisibleTo("IotHubAmqp.Device.Tests.Twin")]
[assembly: InternalsVisibleTo("IotHubAmqp.Device.Tests.Engine")]
[assembly: InternalsVisibleTo("NFUnitTest")]
[assembly: InternalsVisibleTo("IotHubAmqp.Device.InteropTests")]
