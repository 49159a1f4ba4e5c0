// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
using System.Net;
using System.Net.Sockets;
using IotHubAmqp.Device.Platform;

namespace IotHubAmqp.Benchmarks
{
    /// <summary>
    /// Diagnostics only: plain TCP on a socket connected synchronously, so it stays in blocking mode. The SDK's
    /// desktop transport connects with ConnectAsync, after which .NET on Linux runs every blocking Receive as an
    /// async operation plus a wait (one more thread hop and two allocations per read). This shows what that costs.
    /// </summary>
    internal sealed class BlockingTransport : ITransport
    {
        private readonly Socket socket;

        public BlockingTransport(int port)
        {
            socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            socket.Connect(IPAddress.Loopback, port);
        }

        public void Send(byte[] buffer, int offset, int count)
        {
            while (count > 0)
            {
                int n = socket.Send(buffer, offset, count, SocketFlags.None);
                offset += n;
                count -= n;
            }
        }

        public int Receive(byte[] buffer, int offset, int count)
        {
            try
            {
                return socket.Receive(buffer, offset, count, SocketFlags.None);
            }
            catch (Exception e) when (e is SocketException || e is ObjectDisposedException)
            {
                return 0;
            }
        }

        public void Close()
        {
            try
            {
                socket.Shutdown(SocketShutdown.Both);
            }
            catch (Exception)
            {
            }
            socket.Dispose();
        }
    }
}
