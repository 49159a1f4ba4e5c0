// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
using IotHubAmqp.Device.Engine;
using IotHubAmqp.Device.Platform;
using IotHubAmqp.Device.Platform.Desktop;
using IotHubAmqp.Device.Sasl;

namespace IotHubAmqp.Device.InteropTests.TestSupport
{
    /// <summary>Opens an engine connection over TLS to a loopback peer, trusting only the test CA.</summary>
    internal static class DeviceConnector
    {
        public const int Timeout = 10000;

        public static readonly IPlatform Platform = new DesktopPlatform();

        public static SaslProfile Sasl(string mode) => mode switch
        {
            "plain" => SaslProfile.Plain(LiteBroker.User, LiteBroker.Password),
            "anonymous" => SaslProfile.Anonymous(),
            "none" => null,
            _ => throw new ArgumentException(mode),
        };

        public static Connection Start(int port, SaslProfile sasl, uint maxFrameSize = ConnectionSettings.DefaultMaxFrameSize, uint idleTimeoutMs = ConnectionSettings.DefaultIdleTimeoutMs)
        {
            ITransport transport = new DesktopTransportFactory(TestCertificates.Ca).Connect("localhost", port, true, Timeout);
            var settings = new ConnectionSettings
            {
                ContainerId = "device-under-test",
                HostName = "localhost",
                MaxFrameSize = maxFrameSize,
                IdleTimeoutMs = idleTimeoutMs,
                Sasl = sasl,
            };
            return Connection.Start(transport, settings, Platform, Timeout);
        }

        public static Connection Open(int port, SaslProfile sasl, uint maxFrameSize = ConnectionSettings.DefaultMaxFrameSize)
        {
            Connection c = Start(port, sasl, maxFrameSize);
            c.WaitOpened(Timeout);
            return c;
        }
    }
}
