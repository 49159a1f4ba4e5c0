// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
using System;
using System.Collections;
using IotHubAmqp.Device.Buffers;
using IotHubAmqp.Device.Messaging;
using IotHubAmqp.Device.Types;

namespace IotHubAmqp.Device.Batching
{
    /// <summary>
    /// IoT Hub's batched telemetry (wire-2 §6): one transfer with message-format 0x80013700 whose body is one data
    /// section per message, each holding that message encoded whole (its own properties and application properties).
    /// Only <see cref="TelemetryBatch.SendTelemetryBatch"/> uses it, and it lives in this optional assembly, so a
    /// device that sends one message at a time deploys none of it.
    /// </summary>
    internal static class MessageBatch
    {
        /// <summary>The transfer's message-format for a batch (the C and C# SDKs' batching format code).</summary>
        public const uint Format = 0x80013700;

        /// <summary>
        /// Encodes <paramref name="messages"/> and returns the outer message (no header or properties, a data body of
        /// one section per message). Throws <see cref="ArgumentException"/> naming the sizes when the outer message would
        /// be larger than <paramref name="maxBytes"/>, before anything is sent.
        /// </summary>
        public static Message Create(Message[] messages, int maxBytes)
        {
            var sections = new ArrayList();
            ByteBuffer b = new ByteBuffer(256);
            int total = 0;
            for (int i = 0; i < messages.Length; i++)
            {
                byte[] inner = EncodeWhole(messages[i], ref b, maxBytes);
                total += SectionSize(inner.Length);
                if (total > maxBytes)
                    throw new ArgumentException("the batch's first " + (i + 1) + " of " + messages.Length + " messages encode to "
                        + total + " bytes; one batch may hold at most " + maxBytes + " bytes");
                sections.Add(inner);
            }
            var outer = new Message();
            outer.BodyType = BodyType.Data;
            outer.Body = sections;
            return outer;
        }

        /// <summary>Encoded size of a data section holding <paramref name="n"/> bytes: 00 53 75, then a0 len8 or b0 len32 (3.2.6, 1.6.19).</summary>
        public static int SectionSize(int n) => 3 + (n <= 0xFF ? 2 : 5) + n;

        // The message's sections into a scratch buffer that doubles until they fit, then copied out exactly.
        private static byte[] EncodeWhole(Message m, ref ByteBuffer b, int maxBytes)
        {
            while (true)
            {
                b.Reset();
                try
                {
                    MessageCodec.Encode(m, b);
                    break;
                }
                catch (AmqpException e) when (e.Condition == ErrorCode.FrameSizeTooSmall)
                {
                    if (b.Capacity > maxBytes)
                        throw new ArgumentException("a batch message encodes to more than " + maxBytes + " bytes, the most one batch may hold");
                    b = new ByteBuffer(b.Capacity * 2);
                }
            }
            var bytes = new byte[b.Length];
            Array.Copy(b.Buffer, b.Offset, bytes, 0, b.Length);
            return bytes;
        }
    }
}
