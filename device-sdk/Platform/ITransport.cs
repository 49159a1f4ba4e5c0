// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.

namespace IotHubAmqp.Device.Platform
{
    /// <summary>
    /// A connected byte stream (TCP, usually wrapped in TLS). The AMQP engine sees the network only
    /// through this interface, so the same engine runs on nanoFramework and desktop .NET.
    /// </summary>
    public interface ITransport
    {
        /// <summary>Writes all <paramref name="count"/> bytes, or throws.</summary>
        void Send(byte[] buffer, int offset, int count);

        /// <summary>
        /// Reads at least one byte into <paramref name="buffer"/> and returns how many; returns 0 when the
        /// peer closed the stream. Blocks until data arrives, the transport is closed, or it fails.
        /// </summary>
        int Receive(byte[] buffer, int offset, int count);

        /// <summary>Closes the stream; a blocked <see cref="Receive"/> returns or throws.</summary>
        void Close();
    }
}
