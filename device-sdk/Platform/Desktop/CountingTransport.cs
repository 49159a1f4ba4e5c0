// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
using System;
using System.Threading;
using IotHubAmqp.Device.IotHub;

namespace IotHubAmqp.Device.Platform.Desktop
{
    /// <summary>
    /// Wraps a transport and counts what passes through it: benchmarks use it to report bytes and writes
    /// per message (each <see cref="ITransport.Send"/> is one socket write, one TLS record or more; between
    /// <see cref="Hold"/> and <see cref="Flush"/> an inner transport that can hold writes several as one).
    /// </summary>
    public sealed class CountingTransport : ITransport, ITransportBatch
    {
        private readonly ITransport inner;
        private long bytesSent;
        private long sendCalls;
        private long bytesReceived;
        private long receiveCalls;

        /// <summary>Wraps <paramref name="inner"/>.</summary>
        public CountingTransport(ITransport inner)
        {
            if (inner == null)
            {
                throw new ArgumentNullException(nameof(inner));
            }

            this.inner = inner;
        }

        /// <summary>Bytes handed to successful <see cref="Send"/> calls.</summary>
        public long BytesSent => Interlocked.Read(ref bytesSent);

        /// <summary>Number of successful <see cref="Send"/> calls.</summary>
        public long SendCalls => Interlocked.Read(ref sendCalls);

        /// <summary>Bytes returned by <see cref="Receive"/>.</summary>
        public long BytesReceived => Interlocked.Read(ref bytesReceived);

        /// <summary>Number of <see cref="Receive"/> calls that returned data.</summary>
        public long ReceiveCalls => Interlocked.Read(ref receiveCalls);

        /// <summary>Sets all counters back to zero.</summary>
        public void Reset()
        {
            Interlocked.Exchange(ref bytesSent, 0);
            Interlocked.Exchange(ref sendCalls, 0);
            Interlocked.Exchange(ref bytesReceived, 0);
            Interlocked.Exchange(ref receiveCalls, 0);
        }

        /// <inheritdoc />
        public void Send(byte[] buffer, int offset, int count)
        {
            inner.Send(buffer, offset, count);
            Interlocked.Add(ref bytesSent, count);
            Interlocked.Increment(ref sendCalls);
        }

        /// <inheritdoc />
        public int Receive(byte[] buffer, int offset, int count)
        {
            int read = inner.Receive(buffer, offset, count);
            if (read > 0)
            {
                Interlocked.Add(ref bytesReceived, read);
                Interlocked.Increment(ref receiveCalls);
            }

            return read;
        }

        /// <summary>Passes on to the inner transport when it can hold (a <see cref="DesktopTransport"/>).</summary>
        public void Hold()
        {
            if (inner is ITransportBatch batch)
            {
                batch.Hold();
            }
        }

        /// <summary>Passes on to the inner transport when it can hold.</summary>
        public void Flush()
        {
            if (inner is ITransportBatch batch)
            {
                batch.Flush();
            }
        }

        /// <inheritdoc />
        public void Close() => inner.Close();
    }
}
