// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
using IotHubAmqp.Device.Buffers;

namespace IotHubAmqp.Device.Framing
{
    /// <summary>
    /// Frame layout (AMQP 1.0 2.3.1): size (4), data offset in 4-byte words (1), type (1), channel (2),
    /// then the body. This SDK writes doff 2 (no extended header) and skips any extended header it reads.
    /// </summary>
    internal static class Frame
    {
        public const int HeaderSize = 8;
        public const byte TypeAmqp = 0;
        public const byte TypeSasl = 1;

        /// <summary>The smallest max-frame-size a peer may announce (2.7.1 open, MIN-MAX-FRAME-SIZE).</summary>
        public const uint MinMaxFrameSize = 512;

        /// <summary>Reserves a frame header; returns its position for <see cref="End"/>.</summary>
        public static int Begin(ByteBuffer b, byte type, ushort channel)
        {
            int at = b.Reserve(HeaderSize);
            BigEndian.Put32(b.Buffer, at + 4, (uint)(0x200 | type) << 16 | channel); // doff 2, type, channel
            return at;
        }

        /// <summary>Patches the size of the frame started at <paramref name="start"/>.</summary>
        public static void End(ByteBuffer b, int start)
        {
            BigEndian.Put32(b.Buffer, start, (uint)(b.WritePos - start));
        }

        /// <summary>Writes an empty frame: the heartbeat that keeps an idle connection open (2.4.5).</summary>
        public static void WriteEmpty(ByteBuffer b)
        {
            End(b, Begin(b, TypeAmqp, 0));
        }
    }
}
