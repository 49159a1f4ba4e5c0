// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
using IotHubAmqp.Device.Platform;

namespace IotHubAmqp.Device.InteropTests.TestSupport
{
    /// <summary>
    /// Passes everything through to a real transport and, while <see cref="Recording"/> is on, notes each write:
    /// which array it came from and how many bytes (to prove a body left from the caller's own array, unsplit).
    /// </summary>
    internal sealed class RecordingTransport : ITransport
    {
        private readonly ITransport inner;
        private readonly List<(byte[] Buffer, int Offset, int Count)> writes = new();

        public RecordingTransport(ITransport inner) => this.inner = inner;

        public bool Recording { get; set; }

        /// <summary>The writes noted so far (a copy).</summary>
        public List<(byte[] Buffer, int Offset, int Count)> Writes
        {
            get
            {
                lock (writes) return new List<(byte[], int, int)>(writes);
            }
        }

        public void Send(byte[] buffer, int offset, int count)
        {
            inner.Send(buffer, offset, count);
            if (!Recording) return;
            lock (writes) writes.Add((buffer, offset, count));
        }

        public int Receive(byte[] buffer, int offset, int count) => inner.Receive(buffer, offset, count);

        public void Close() => inner.Close();
    }
}
