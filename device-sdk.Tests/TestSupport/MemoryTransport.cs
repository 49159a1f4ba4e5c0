// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
using System;
using System.Collections;
using System.Threading;
using IotHubAmqp.Device.Platform;

namespace IotHubAmqp.Device.Tests
{
    /// <summary>Thrown by <see cref="MemoryTransport.Receive"/> when its receive timeout passes (tests never hang).</summary>
    internal sealed class TransportTimeoutException : Exception
    {
        public TransportTimeoutException(string message)
            : base(message)
        {
        }
    }

    /// <summary>
    /// One end of an in-memory duplex pipe: what one end sends, the other receives, chunk by chunk as sent.
    /// Like a socket: Close on either end makes a blocked Receive here return 0 at once and makes the other
    /// end's Receive return 0 once it has read what was sent before; sending on a closed pipe throws.
    /// Every Send is recorded so tests can count transport writes and look at their bytes.
    /// </summary>
    internal sealed class MemoryTransport : ITransport
    {
        /// <summary>No receive timeout.</summary>
        public const int Infinite = -1;

        private readonly object sync = new object();
        private readonly ArrayList inbound = new ArrayList();
        private readonly ArrayList sent = new ArrayList();
        private readonly AutoResetEvent dataReady = new AutoResetEvent(false);
        private MemoryTransport other;
        private int headOffset;
        private bool closedHere;
        private bool closedThere;
        private int sendCount;
        private int receiveCalls;

        private MemoryTransport()
        {
        }

        /// <summary>At most this many bytes per Receive (1 splits every frame into 1-byte reads).</summary>
        public int MaxReceive = int.MaxValue;

        /// <summary>Receive throws <see cref="TransportTimeoutException"/> after this many ms without data.</summary>
        public int ReceiveTimeoutMs = Infinite;

        /// <summary>
        /// Send returns this many ms after the bytes reached the other end, as a socket write may return after
        /// the peer already answered: it widens races between a sender and the thread reading the answer.
        /// </summary>
        public int SendReturnDelayMs { get; set; }

        /// <summary>Creates two connected ends.</summary>
        public static void CreatePair(out MemoryTransport a, out MemoryTransport b)
        {
            a = new MemoryTransport();
            b = new MemoryTransport();
            a.other = b;
            b.other = a;
        }

        /// <summary>Number of Send calls on this end.</summary>
        public int SendCount
        {
            get
            {
                lock (sync) return sendCount;
            }
        }

        /// <summary>Number of Receive calls on this end that returned data.</summary>
        public int ReceiveCalls
        {
            get
            {
                lock (sync) return receiveCalls;
            }
        }

        /// <summary>True once either end closed.</summary>
        public bool IsClosed
        {
            get
            {
                lock (sync) return closedHere || closedThere;
            }
        }

        /// <summary>A copy of the bytes of Send call <paramref name="index"/> (0-based).</summary>
        public byte[] Sent(int index)
        {
            lock (sync) return (byte[])sent[index];
        }

        public void Send(byte[] buffer, int offset, int count)
        {
            byte[] copy = new byte[count];
            Array.Copy(buffer, offset, copy, 0, count);
            lock (sync)
            {
                if (closedHere || closedThere) throw new InvalidOperationException("the memory transport is closed");
                sent.Add(copy);
                sendCount++;
            }
            other.Enqueue(copy);
            if (SendReturnDelayMs > 0) Thread.Sleep(SendReturnDelayMs);
        }

        /// <summary>Sends <paramref name="bytes"/> as one chunk.</summary>
        public void Send(byte[] bytes) => Send(bytes, 0, bytes.Length);

        public int Receive(byte[] buffer, int offset, int count)
        {
            long deadline = ReceiveTimeoutMs == Infinite ? long.MaxValue : NowMs() + ReceiveTimeoutMs;
            while (true)
            {
                lock (sync)
                {
                    if (closedHere) return 0;
                    if (inbound.Count > 0)
                    {
                        byte[] head = (byte[])inbound[0];
                        int n = head.Length - headOffset;
                        if (n > count) n = count;
                        if (n > MaxReceive) n = MaxReceive;
                        Array.Copy(head, headOffset, buffer, offset, n);
                        headOffset += n;
                        if (headOffset == head.Length)
                        {
                            inbound.RemoveAt(0);
                            headOffset = 0;
                        }
                        receiveCalls++;
                        return n;
                    }
                    if (closedThere) return 0;
                }
                if (deadline == long.MaxValue)
                {
                    dataReady.WaitOne();
                }
                else
                {
                    long left = deadline - NowMs();
                    if (left <= 0) throw new TransportTimeoutException("no data within " + ReceiveTimeoutMs + " ms");
                    dataReady.WaitOne((int)left, false);
                }
            }
        }

        public void Close()
        {
            lock (sync) closedHere = true;
            dataReady.Set();
            other.OnOtherClosed();
        }

        private void Enqueue(byte[] chunk)
        {
            lock (sync)
            {
                if (closedHere) return;
                if (chunk.Length > 0) inbound.Add(chunk);
            }
            dataReady.Set();
        }

        private void OnOtherClosed()
        {
            lock (sync) closedThere = true;
            dataReady.Set();
        }

        private static long NowMs() => DateTime.UtcNow.Ticks / TimeSpan.TicksPerMillisecond;
    }
}
