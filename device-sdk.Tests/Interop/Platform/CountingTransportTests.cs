// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
using IotHubAmqp.Device.Platform;
using IotHubAmqp.Device.Platform.Desktop;

namespace IotHubAmqp.Device.InteropTests.Platform
{
    public class CountingTransportTests
    {
        [Fact]
        public void SendAndReceive_PassThroughAndCount()
        {
            var inner = new ScriptedTransport(new byte[] { 9, 8, 7 });
            var counting = new CountingTransport(inner);

            counting.Send(new byte[10], 2, 5);
            counting.Send(new byte[3], 0, 3);
            var buffer = new byte[8];
            int read = counting.Receive(buffer, 1, 7);
            int eof = counting.Receive(buffer, 0, 8);

            Assert.Equal(new[] { 5, 3 }, inner.SendSizes);
            Assert.Equal(8, counting.BytesSent);
            Assert.Equal(2, counting.SendCalls);
            Assert.Equal(3, read);
            Assert.Equal(new byte[] { 0, 9, 8, 7 }, buffer[..4]);
            Assert.Equal(0, eof);
            Assert.Equal(3, counting.BytesReceived);
            Assert.Equal(1, counting.ReceiveCalls);
        }

        [Fact]
        public void Reset_ZeroesCounters_CloseReachesInner()
        {
            var inner = new ScriptedTransport(Array.Empty<byte>());
            var counting = new CountingTransport(inner);
            counting.Send(new byte[4], 0, 4);

            counting.Reset();
            counting.Close();

            Assert.Equal(0, counting.BytesSent);
            Assert.Equal(0, counting.SendCalls);
            Assert.True(inner.Closed);
        }

        [Fact]
        public void Send_InnerThrows_NothingCounted()
        {
            var counting = new CountingTransport(new ScriptedTransport(Array.Empty<byte>()) { FailSends = true });

            Assert.Throws<IOException>(() => counting.Send(new byte[4], 0, 4));
            Assert.Equal(0, counting.BytesSent);
            Assert.Equal(0, counting.SendCalls);
        }

        private sealed class ScriptedTransport : ITransport
        {
            private readonly byte[] toReceive;
            private bool received;

            public ScriptedTransport(byte[] toReceive) => this.toReceive = toReceive;

            public List<int> SendSizes { get; } = new();

            public bool FailSends { get; init; }

            public bool Closed { get; private set; }

            public void Send(byte[] buffer, int offset, int count)
            {
                if (FailSends)
                {
                    throw new IOException("send failed");
                }

                SendSizes.Add(count);
            }

            public int Receive(byte[] buffer, int offset, int count)
            {
                if (received)
                {
                    return 0;
                }

                received = true;
                Array.Copy(toReceive, 0, buffer, offset, toReceive.Length);
                return toReceive.Length;
            }

            public void Close() => Closed = true;
        }
    }
}
