// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
using System.Buffers.Binary;
using IotHubAmqp.Device.Buffers;
using IotHubAmqp.Device.Framing;
using IotHubAmqp.Device.InteropTests.TestSupport;
using IotHubAmqp.Device.IotHub;
using IotHubAmqp.Device.Messaging;
using IotHubAmqp.Device.Platform;
using IotHubAmqp.Device.Sasl;
using IotHubAmqp.Device.Types;
using HubC2d = IotHubAmqp.LocalHub.CloudToDeviceMessage;

namespace IotHubAmqp.Device.InteropTests.Reliability
{
    /// <summary>
    /// Decodes every frame of the input with the decoder its descriptor names, whatever the connection's state (the
    /// engine's own parse and dispatch of the same inputs are <see cref="EngineMutationTests"/>): the frame header
    /// checks of the engine's parser, then the performative's decoder (one reused instance per type, as the
    /// connection keeps them), then, behind a transfer, <see cref="MessageCodec.Decode"/>. SASL frames go to the SASL decoders. The only failure it may
    /// show is an <see cref="AmqpException"/>; the end of the input is <c>amqp:connection-lost</c> (the engine's
    /// "the peer closed the connection").
    /// </summary>
    internal sealed class FrameDecodeTarget
    {
        private readonly Open open = new Open();
        private readonly Begin begin = new Begin();
        private readonly Attach attach = new Attach();
        private readonly Flow flow = new Flow();
        private readonly Transfer transfer = new Transfer();
        private readonly Disposition disposition = new Disposition();
        private readonly Detach detach = new Detach();
        private readonly End end = new End();
        private readonly Close close = new Close();
        private readonly ByteBuffer view = new ByteBuffer(new byte[0], 0, 0);

        /// <summary>Frames decoded by the last <see cref="Run"/>.</summary>
        public int Frames;

        /// <summary>Messages decoded behind transfers by the last <see cref="Run"/>.</summary>
        public int Messages;

        public void Run(byte[] input, int maxFrameSize)
        {
            Frames = 0;
            Messages = 0;
            int at = 0;
            while (true)
            {
                ByteBuffer body = NextFrame(input, ref at, maxFrameSize, out byte type);
                Frames++;
                if (body.Length == 0) continue;
                ulong code = Decoder.ReadDescriptor(body);
                if (type == Frame.TypeSasl) DecodeSasl(code, body);
                else DecodeAmqp(code, body);
            }
        }

        // The frame header checks of the engine's parser (Connection.ParseOne, AMQP 1.0 2.3.1), over the whole input.
        private ByteBuffer NextFrame(byte[] input, ref int at, int maxFrameSize, out byte type)
        {
            if (input.Length - at < Frame.HeaderSize) throw new AmqpException(ErrorCode.ConnectionLost, "the peer closed the connection");
            uint size = BinaryPrimitives.ReadUInt32BigEndian(input.AsSpan(at));
            int doff = input[at + 4] * 4;
            type = input[at + 5];
            if (size > (uint)maxFrameSize) throw new AmqpException(ErrorCode.FramingError, "frame of " + size + " bytes exceeds our max-frame-size");
            if (doff < Frame.HeaderSize || doff > size) throw new AmqpException(ErrorCode.FramingError, "frame data offset " + doff + " is invalid");
            if (type != Frame.TypeAmqp && type != Frame.TypeSasl) throw new AmqpException(ErrorCode.FramingError, "unknown frame type " + type);
            if (input.Length - at < (int)size) throw new AmqpException(ErrorCode.ConnectionLost, "the peer closed the connection");
            view.Wrap(input, at + doff, (int)size - doff);
            at += (int)size;
            return view;
        }

        private void DecodeAmqp(ulong code, ByteBuffer body)
        {
            switch (code)
            {
                case Descriptor.Open: open.Decode(body); break;
                case Descriptor.Begin: begin.Decode(body); break;
                case Descriptor.Attach: attach.Decode(body); break;
                case Descriptor.Flow: flow.Decode(body); break;
                case Descriptor.Transfer:
                    transfer.Decode(body);
                    if (body.Length > 0)
                    {
                        MessageCodec.Decode(body);
                        Messages++;
                    }
                    break;
                case Descriptor.Disposition: disposition.Decode(body); break;
                case Descriptor.Detach: detach.Decode(body); break;
                case Descriptor.End: end.Decode(body); break;
                case Descriptor.Close: close.Decode(body); break;
                default: throw new AmqpException(ErrorCode.DecodeError, "unknown performative 0x" + code.ToString("X"));
            }
        }

        private static void DecodeSasl(ulong code, ByteBuffer body)
        {
            switch (code)
            {
                case Descriptor.SaslMechanisms: new SaslMechanisms().Decode(body); break;
                case Descriptor.SaslInit: new SaslInit().Decode(body); break;
                case Descriptor.SaslOutcome: new SaslOutcome().Decode(body); break;
                default: throw new AmqpException(ErrorCode.DecodeError, "unknown SASL frame 0x" + code.ToString("X"));
            }
        }
    }

    /// <summary>
    /// Valid frames recorded from real sessions between the device client and the local hub (Microsoft.Azure.Amqp):
    /// both directions, every authentication mode, so SASL mechanisms/init/outcome, open, begin, attach, flow,
    /// transfers with messages carrying properties, application properties and the hub's annotations,
    /// dispositions, detach (with an error), end and close. Recorded once per test run.
    /// </summary>
    internal static class FrameCorpus
    {
        private static readonly Lazy<IReadOnlyList<byte[]>> Recorded = new(Record);

        public static IReadOnlyList<byte[]> Frames => Recorded.Value;

        /// <summary>Splits a recorded byte stream into frames, dropping the 8-byte protocol headers.</summary>
        public static IEnumerable<byte[]> Split(byte[] stream)
        {
            int at = 0;
            while (at + Frame.HeaderSize <= stream.Length)
            {
                if (stream[at] == (byte)'A' && stream[at + 1] == (byte)'M' && stream[at + 2] == (byte)'Q' && stream[at + 3] == (byte)'P')
                {
                    at += ProtocolHeader.Size;
                    continue;
                }
                int size = (int)BinaryPrimitives.ReadUInt32BigEndian(stream.AsSpan(at));
                if (size < Frame.HeaderSize || at + size > stream.Length) yield break;
                yield return stream.AsSpan(at, size).ToArray();
                at += size;
            }
        }

        private static IReadOnlyList<byte[]> Record()
        {
            var streams = new List<Recorder.Stream>();
            using var f = new HubFixture();
            foreach (AuthenticationMode mode in new[] { AuthenticationMode.Cbs, AuthenticationMode.CbsWithSaslAnonymous, AuthenticationMode.SaslPlain })
            {
                string id = "corpus-" + mode;
                string cs = f.AddDevice(id);
                var recorder = new Recorder(f.Transports, streams);
                var client = new DeviceClient(cs, recorder, DeviceConnector.Platform, new DeviceClientOptions { Authentication = mode, Port = f.Hub.Port });
                client.Open();
                var m = new Message(new byte[] { 0x7b, 0x22, 0x74, 0x22, 0x3a, 0x32, 0x31, 0x7d });
                m.Properties = new MessageProperties
                {
                    MessageId = "corpus-1",
                    CorrelationId = "corr",
                    ContentType = "application/json",
                    ContentEncoding = "utf-8",
                    UserId = new byte[] { 1, 2 },
                    CreationTime = new DateTime(2026, 1, 2, 3, 4, 5, DateTimeKind.Utc),
                };
                m.ApplicationProperties = new AmqpMap();
                m.ApplicationProperties["temperature"] = 21.5;
                m.ApplicationProperties["count"] = 42;
                m.ApplicationProperties["big"] = 1L << 40;
                m.ApplicationProperties["alert"] = true;
                m.ApplicationProperties["name"] = "kitchen";
                client.SendTelemetry(m);
                f.Hub.RejectNextTelemetry(1);
                client.SendTelemetry(new byte[] { 1 }); // a rejected disposition with an error
                f.Hub.SendCloudToDevice(id, new HubC2d
                {
                    Body = new byte[] { 5, 6, 7 },
                    MessageId = "c2d-1",
                    CorrelationId = "c2d-corr",
                    Ack = "full",
                    Properties = new Dictionary<string, object> { ["colour"] = "red", ["level"] = 3 },
                });
                f.Hub.SendCloudToDevice(id, new HubC2d { Body = new byte[] { 8 }, MessageId = "c2d-2" });
                C2dMessage[] got = client.ReceiveCloudToDevice(2, 10000);
                if (got.Length > 0) client.Abandon(got[0]);
                got = client.ReceiveCloudToDevice(2, 5000);
                foreach (C2dMessage c in got) client.Complete(c);
                f.Hub.DetachDeviceLinks(id, "amqp:link:detach-forced", "corpus detach");
                SpinWait.SpinUntil(() => client.Reconnects > 0, 5000);
                SpinWait.SpinUntil(() => client.Status == ClientStatus.Connected, 5000);
                client.SendTelemetry(new byte[] { 2 });
                client.Close();
            }

            var seen = new HashSet<string>();
            var frames = new List<byte[]>();
            foreach (Recorder.Stream s in streams)
            {
                foreach (byte[] frame in Split(s.Bytes()))
                {
                    if (seen.Add(Convert.ToHexString(frame))) frames.Add(frame);
                }
            }
            // No session ends on its own in these sessions (the client closes the connection): end comes from the
            // engine's own encoder, with and without an error.
            foreach (Error error in new[] { null, new Error { Condition = ErrorCode.DecodeError, Description = "corpus" } })
            {
                var b = new ByteBuffer(512);
                int start = Frame.Begin(b, Frame.TypeAmqp, 0);
                new End { Error = error }.Encode(b);
                Frame.End(b, start);
                frames.Add(b.Buffer.AsSpan(0, b.WritePos).ToArray());
            }
            return frames;
        }

        /// <summary>Opens the real transport and keeps a copy of every byte in each direction (after TLS).</summary>
        private sealed class Recorder : ITransportFactory
        {
            private readonly ITransportFactory inner;
            private readonly List<Stream> streams;

            public Recorder(ITransportFactory inner, List<Stream> streams)
            {
                this.inner = inner;
                this.streams = streams;
            }

            public ITransport Connect(string host, int port, bool useTls, int timeoutMilliseconds)
            {
                ITransport t = inner.Connect(host, port, useTls, timeoutMilliseconds);
                var received = new Stream();
                var sent = new Stream();
                lock (streams)
                {
                    streams.Add(received);
                    streams.Add(sent);
                }
                return new Recording(t, received, sent);
            }

            public sealed class Stream
            {
                private readonly MemoryStream bytes = new();

                public void Add(byte[] buffer, int offset, int count)
                {
                    lock (bytes) bytes.Write(buffer, offset, count);
                }

                public byte[] Bytes()
                {
                    lock (bytes) return bytes.ToArray();
                }
            }

            private sealed class Recording : ITransport
            {
                private readonly ITransport inner;
                private readonly Stream received;
                private readonly Stream sent;

                public Recording(ITransport inner, Stream received, Stream sent)
                {
                    this.inner = inner;
                    this.received = received;
                    this.sent = sent;
                }

                public void Send(byte[] buffer, int offset, int count)
                {
                    sent.Add(buffer, offset, count);
                    inner.Send(buffer, offset, count);
                }

                public int Receive(byte[] buffer, int offset, int count)
                {
                    int n = inner.Receive(buffer, offset, count);
                    if (n > 0) received.Add(buffer, offset, n);
                    return n;
                }

                public void Close() => inner.Close();
            }
        }
    }
}
