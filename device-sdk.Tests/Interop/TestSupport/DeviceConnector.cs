// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
using IotHubAmqp.Device.Engine;
using IotHubAmqp.Device.Platform;
using IotHubAmqp.Device.Platform.Desktop;
using IotHubAmqp.Device.Sasl;

namespace IotHubAmqp.Device.InteropTests.TestSupport
{
    /// <summary>Opens an engine connection (an <see cref="EngineRunner"/>) over TLS to a loopback peer, trusting only the test CA.</summary>
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

        /// <summary>Connects (TLS, validation on) and starts an engine runner; does not wait for the peer's open.</summary>
        public static EngineRunner Start(int port, SaslProfile sasl, uint maxFrameSize = ConnectionSettings.DefaultMaxFrameSize,
            uint idleTimeoutMs = ConnectionSettings.DefaultIdleTimeoutMs, Func<ITransport, ITransport> wrap = null)
        {
            ITransport transport = new DesktopTransportFactory(TestCertificates.Ca).Connect("localhost", port, true, Timeout);
            if (wrap != null) transport = wrap(transport);
            var settings = new ConnectionSettings
            {
                ContainerId = "device-under-test",
                HostName = "localhost",
                MaxFrameSize = maxFrameSize,
                IdleTimeoutMs = idleTimeoutMs,
                Sasl = sasl,
            };
            return EngineRunner.Start(transport, settings);
        }

        /// <summary>As <see cref="Start"/>, then waits for the peer's open (throws the connection's error).</summary>
        public static EngineRunner Open(int port, SaslProfile sasl, uint maxFrameSize = ConnectionSettings.DefaultMaxFrameSize, Func<ITransport, ITransport> wrap = null)
        {
            EngineRunner r = Start(port, sasl, maxFrameSize, wrap: wrap);
            try
            {
                r.WaitOpened(Timeout);
            }
            catch (Exception)
            {
                r.Dispose();
                throw;
            }
            return r;
        }
    }
}
