// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.

namespace IotHubAmqp.Device.Platform
{
    /// <summary>Opens a secured transport to a host. One implementation per platform.</summary>
    public interface ITransportFactory
    {
        /// <summary>
        /// Connects to <paramref name="host"/>:<paramref name="port"/> and, when <paramref name="useTls"/> is true,
        /// completes a TLS 1.2+ handshake that validates the server certificate against the trusted root
        /// and checks it was issued for <paramref name="host"/>.
        /// </summary>
        ITransport Connect(string host, int port, bool useTls, int timeoutMilliseconds);
    }
}
