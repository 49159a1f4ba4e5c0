// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
using System.Runtime.CompilerServices;

// Its device tests reach the wire functions and the state machine directly (desktop name, and NFUnitTest on nanoFramework).
[assembly: InternalsVisibleTo("IotHubAmqp.Device.Tests.Provisioning")]
[assembly: InternalsVisibleTo("NFUnitTest")]
[assembly: InternalsVisibleTo("IotHubAmqp.Device.InteropTests")]
