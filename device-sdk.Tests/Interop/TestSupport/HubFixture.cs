// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
using System.Collections.Concurrent;
using IotHubAmqp.Device.IotHub;
using IotHubAmqp.Device.Platform.Desktop;
using IotHubAmqp.LocalHub;

namespace IotHubAmqp.Device.InteropTests.TestSupport
{
    /// <summary>
    /// A local IoT Hub on an ephemeral port and device clients that trust only its CA (validation on). The
    /// client connects to 127.0.0.1 through GatewayHostName; the token audience stays the hub's host name.
    /// </summary>
    internal sealed class HubFixture : IDisposable
    {
        public HubFixture(Action<LocalHubOptions> configure = null)
        {
            var options = new LocalHubOptions { Port = 0, HubName = "test-hub" };
            configure?.Invoke(options);
            Hub = new LocalHub.LocalHub(options);
            Hub.Start();
            Transports = DesktopTransportFactory.FromPemFile(Hub.CaCertificatePath);
        }

        public LocalHub.LocalHub Hub { get; }

        public DesktopTransportFactory Transports { get; }

        public string AddDevice(string deviceId)
        {
            Hub.Registry.AddDevice(deviceId);
            return Hub.DeviceConnectionString(deviceId);
        }

        /// <summary>A client for a new device, with its status events recorded.</summary>
        public DeviceClient Client(string deviceId, DeviceClientOptions options, out ConcurrentQueue<(ClientStatus Status, string Reason)> events)
        {
            string cs = AddDevice(deviceId);
            options ??= new DeviceClientOptions();
            options.Port = Hub.Port;
            var client = new DeviceClient(WithGateway(cs), Transports, DeviceConnector.Platform, options);
            var log = new ConcurrentQueue<(ClientStatus, string)>();
            client.StatusChanged += (sender, status, reason) => log.Enqueue((status, reason));
            events = log;
            return client;
        }

        public static string WithGateway(string connectionString) =>
            connectionString.Contains("GatewayHostName=") ? connectionString : connectionString.TrimEnd(';') + ";GatewayHostName=127.0.0.1";

        public void Dispose() => Hub.Dispose();
    }
}
