// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
using System;
using System.IO;
using System.Net.Http;
using System.Net.WebSockets;
using System.Threading;

namespace IotHubAmqp.Device.Platform.Desktop
{
    /// <summary>
    /// AMQP bytes over a <see cref="ClientWebSocket"/>, made by <see cref="DesktopWebSocketTransportFactory"/>: each
    /// <see cref="Send"/> is one complete binary message; <see cref="Receive"/> reads the binary messages as one byte
    /// stream, ignoring their boundaries (wire-2 §5.2). One thread may receive while another sends.
    /// </summary>
    public sealed class DesktopWebSocketTransport : ITransport, IDisposable
    {
        private readonly ClientWebSocket ws;
        private readonly HttpMessageInvoker invoker;
        private readonly object sendLock = new object();
        private int closed;
        private long messagesSent, messagesReceived, framingSent, framingReceived, pendingReceived;

        internal DesktopWebSocketTransport(ClientWebSocket ws, HttpMessageInvoker invoker)
        {
            this.ws = ws;
            this.invoker = invoker;
        }

        /// <summary>The subprotocol the server accepted (always <c>AMQPWSB10</c>).</summary>
        public string SubProtocol => ws.SubProtocol;

        /// <summary>Binary messages sent (one per <see cref="Send"/>).</summary>
        public long MessagesSent => Interlocked.Read(ref messagesSent);

        /// <summary>Binary messages received whole.</summary>
        public long MessagesReceived => Interlocked.Read(ref messagesReceived);

        /// <summary>WebSocket frame header bytes sent (RFC 6455 5.2, masked), computed from the message sizes.</summary>
        public long FramingBytesSent => Interlocked.Read(ref framingSent);

        /// <summary>WebSocket frame header bytes received (unmasked, one frame per message assumed), computed from the message sizes.</summary>
        public long FramingBytesReceived => Interlocked.Read(ref framingReceived);

        /// <summary>True once <see cref="Close"/> has been called.</summary>
        public bool IsClosed => Volatile.Read(ref closed) != 0;

        /// <summary>The size of an RFC 6455 frame header (5.2) for a payload of <paramref name="payload"/> bytes.</summary>
        public static int FrameHeaderSize(long payload, bool masked) => 2 + (payload < 126 ? 0 : payload <= 0xFFFF ? 2 : 8) + (masked ? 4 : 0);

        /// <inheritdoc />
        public void Send(byte[] buffer, int offset, int count)
        {
            if (IsClosed) throw new ObjectDisposedException(nameof(DesktopWebSocketTransport));
            lock (sendLock)
            {
                try
                {
                    ws.SendAsync(new ArraySegment<byte>(buffer, offset, count), WebSocketMessageType.Binary, true, CancellationToken.None).GetAwaiter().GetResult();
                }
                catch (Exception e) when (e is WebSocketException || e is ObjectDisposedException || e is OperationCanceledException)
                {
                    throw new IOException("WebSocket send failed: " + e.Message, e);
                }

                Interlocked.Increment(ref messagesSent);
                Interlocked.Add(ref framingSent, FrameHeaderSize(count, true));
            }
        }

        /// <inheritdoc />
        public int Receive(byte[] buffer, int offset, int count)
        {
            if (count == 0) throw new ArgumentOutOfRangeException(nameof(count));
            while (true)
            {
                if (IsClosed) return 0;
                WebSocketReceiveResult r;
                try
                {
                    r = ws.ReceiveAsync(new ArraySegment<byte>(buffer, offset, count), CancellationToken.None).GetAwaiter().GetResult();
                }
                catch (Exception) when (IsClosed)
                {
                    return 0;
                }
                catch (WebSocketException e) when (e.WebSocketErrorCode == WebSocketError.ConnectionClosedPrematurely)
                {
                    return 0; // the peer dropped the TCP connection: end of stream, as on 5671
                }
                catch (WebSocketException e)
                {
                    throw new IOException("WebSocket receive failed: " + e.Message, e);
                }

                if (r.MessageType == WebSocketMessageType.Close) return 0;
                if (r.MessageType == WebSocketMessageType.Text)
                {
                    throw new IOException("the peer sent a text WebSocket message; AMQP over WebSockets uses binary messages only");
                }

                pendingReceived += r.Count;
                if (r.EndOfMessage)
                {
                    Interlocked.Increment(ref messagesReceived);
                    Interlocked.Add(ref framingReceived, FrameHeaderSize(pendingReceived, false));
                    pendingReceived = 0;
                }

                if (r.Count > 0) return r.Count;
            }
        }

        /// <inheritdoc />
        public void Close()
        {
            if (Interlocked.Exchange(ref closed, 1) != 0) return;
            // The AMQP close has been exchanged (or the connection failed): no WebSocket close handshake is waited for.
            ws.Abort();
            ws.Dispose();
            invoker.Dispose();
        }

        /// <summary>Same as <see cref="Close"/>.</summary>
        public void Dispose() => Close();
    }
}
