// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
using System.Runtime.CompilerServices;

// Its device tests reach the encoder directly (desktop assembly names, and NFUnitTest on nanoFramework).
[assembly: InternalsVisibleTo("IotHubAmqp.Device.Tests.Codec")]
[assembly: InternalsVisibleTo("IotHubAmqp.Device.Tests.Engine")]
[assembly: InternalsVisibleTo("NFUnitTest")]
