// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
using System;
using System.Collections;
using System.Threading;

namespace IotHubAmqp.Device.Platform
{
    /// <summary>IoT Hub's AMQP-over-WebSockets endpoint (wire-2 §5): <c>wss://{host}:443/$iothub/websocket</c>, subprotocol <c>AMQPWSB10</c>.</summary>
    public static class IotHubWebSocket
    {
        /// <summary>The port IoT Hub serves WebSockets on (set <c>DeviceClientOptions.Port</c> to it with a WebSocket transport factory).</summary>
        public const int Port = 443;

        /// <summary>The request path.</summary>
        public const string Path = "/$iothub/websocket";

        /// <summary>The subprotocol the client asks for and the hub must echo in its 101 response.</summary>
        public const string SubProtocol = "AMQPWSB10";

        /// <summary>The URI for <paramref name="host"/> and <paramref name="port"/> (the port is left out when it is 443).</summary>
        public static string Uri(string host, int port) => "wss://" + host + (port == Port ? "" : ":" + port.ToString()) + Path;
    }

    /// <summary>
    /// Turns the binary messages of a WebSocket into the byte stream <see cref="ITransport.Receive"/> reads: message
    /// boundaries mean nothing to AMQP (wire-2 §5.2), so one message may hold several frames or part of one, and a
    /// fragmented message arrives as several payloads. The WebSocket's receive thread calls <see cref="Append"/> and
    /// <see cref="End"/>; the connection's reader calls <see cref="Read"/>, which blocks until bytes or the end.
    /// Public so that a WebSocket transport compiled outside this assembly (WebSockets/Nano, or the desktop layer) can use it.
    /// </summary>
    public sealed class WebSocketStream
    {
        private readonly object gate = new object();
        private readonly AutoResetEvent arrived = new AutoResetEvent(false);
        private readonly ArrayList chunks = new ArrayList(); // byte[] payload copies, oldest first
        private readonly int maxBuffered;
        private int headOffset; // bytes of chunks[0] already read
        private int buffered;
        private bool ended;
        private string endReason;

        /// <summary>Creates an empty open stream.</summary>
        /// <param name="maxBuffered">Most unread bytes held; more is a peer that sends faster than AMQP's flow control allows.</param>
        public WebSocketStream(int maxBuffered)
        {
            if (maxBuffered <= 0) throw new ArgumentOutOfRangeException("maxBuffered");
            this.maxBuffered = maxBuffered;
        }

        /// <summary>Unread bytes.</summary>
        public int Buffered
        {
            get { lock (gate) return buffered; }
        }

        /// <summary>Why the stream ended (null while open, or when it ended normally).</summary>
        public string EndReason
        {
            get { lock (gate) return endReason; }
        }

        /// <summary>
        /// Queues a copy of one received payload (a whole binary message or one fragment of it). A text message, or
        /// more than the buffer limit, ends the stream with a reason instead.
        /// </summary>
        /// <param name="payload">The received bytes.</param>
        /// <param name="offset">Where they start.</param>
        /// <param name="count">How many.</param>
        /// <param name="binary">False for a text message.</param>
        public void Append(byte[] payload, int offset, int count, bool binary)
        {
            if (payload == null) throw new ArgumentNullException("payload");
            if (offset < 0 || count < 0 || count > payload.Length - offset) throw new ArgumentOutOfRangeException("count");
            if (!binary)
            {
                End("the peer sent a text WebSocket message; AMQP over WebSockets uses binary messages only");
                return;
            }
            if (count == 0) return;
            lock (gate)
            {
                if (ended) return;
                if (buffered + count > maxBuffered)
                {
                    EndLocked("the peer sent more than " + maxBuffered + " unread bytes");
                }
                else
                {
                    var copy = new byte[count];
                    Array.Copy(payload, offset, copy, 0, count);
                    chunks.Add(copy);
                    buffered += count;
                }
            }
            arrived.Set();
        }

        /// <summary>No more payloads: <see cref="Read"/> returns what is left, then 0. The first reason given is kept.</summary>
        /// <param name="reason">Why, or null for a normal end.</param>
        public void End(string reason)
        {
            lock (gate) EndLocked(reason);
            arrived.Set();
        }

        /// <summary>
        /// Copies up to <paramref name="count"/> buffered bytes, across payload boundaries, and returns how many; blocks
        /// while nothing is buffered and the stream has not ended; 0 once it ended and everything was read.
        /// </summary>
        /// <param name="buffer">Where the bytes go.</param>
        /// <param name="offset">Where in <paramref name="buffer"/>.</param>
        /// <param name="count">At most this many (at least 1).</param>
        /// <returns>Bytes copied; 0 at the end.</returns>
        public int Read(byte[] buffer, int offset, int count)
        {
            if (buffer == null) throw new ArgumentNullException("buffer");
            if (offset < 0 || count <= 0 || count > buffer.Length - offset) throw new ArgumentOutOfRangeException("count");
            while (true)
            {
                lock (gate)
                {
                    if (buffered > 0) return Take(buffer, offset, count);
                    if (ended) return 0;
                }
                arrived.WaitOne();
            }
        }

        private int Take(byte[] buffer, int offset, int count)
        {
            int n = 0;
            while (n < count && chunks.Count > 0)
            {
                var head = (byte[])chunks[0];
                int part = head.Length - headOffset;
                if (part > count - n) part = count - n;
                Array.Copy(head, headOffset, buffer, offset + n, part);
                n += part;
                headOffset += part;
                if (headOffset == head.Length)
                {
                    chunks.RemoveAt(0);
                    headOffset = 0;
                }
            }
            buffered -= n;
            // Another reader, or bytes left for the next call: keep the event set so nobody waits on data.
            if (buffered > 0 || ended) arrived.Set();
            return n;
        }

        private void EndLocked(string reason)
        {
            if (ended) return;
            ended = true;
            endReason = reason;
        }
    }
}
