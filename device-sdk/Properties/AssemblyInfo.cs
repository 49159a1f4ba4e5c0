// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
using System.Runtime.CompilerServices;

// Device tests (nano-compiled) and desktop interop tests reach the internal engine directly.
[assembly: InternalsVisibleTo("IotHubAmqp.Device.Tests")]
[assembly: InternalsVisibleTo("IotHubAmqp.Device.InteropTests")]
[assembly: InternalsVisibleTo("IotHubAmqp.Device.Desktop")]
