// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
using IotHubAmqp.Device.Buffers;
using IotHubAmqp.Device.Framing;

namespace IotHubAmqp.Device.Engine
{
    /// <summary>Encodes whichever performative the engine hands over; the frame classes share no base type to stay small.</summary>
    internal static class Performatives
    {
        /// <summary>Encodes one of the performatives <see cref="Connection.WriteControl"/> writes (and the test peer's).</summary>
        public static void Encode(ByteBuffer b, object p)
        {
            if (p is Flow) ((Flow)p).Encode(b);
            else if (p is Disposition) ((Disposition)p).Encode(b);
            else if (p is Attach) ((Attach)p).Encode(b);
            else if (p is Detach) ((Detach)p).Encode(b);
            else if (p is Begin) ((Begin)p).Encode(b);
            else if (p is End) ((End)p).Encode(b);
            else if (p is Open) ((Open)p).Encode(b);
            else if (p is Transfer) ((Transfer)p).Encode(b); // the test peer's frames
            else ((Close)p).Encode(b); // anything else is a bug of ours: the cast says so
        }

        /// <summary>The error field (2.8.14) that reports <paramref name="e"/> to the peer.</summary>
        public static Error ErrorOf(AmqpException e) => new Error(e.Condition, e.Description);
    }
}
