// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
using IotHubAmqp.Device.Buffers;
using IotHubAmqp.Device.Framing;

namespace IotHubAmqp.Device.Engine
{
    /// <summary>Encodes whichever performative the engine hands over; the frame classes share no base type to stay small.</summary>
    internal static class Performatives
    {
        public static void Encode(ByteBuffer b, object performative)
        {
            switch (performative)
            {
                case Open x: x.Encode(b); break;
                case Begin x: x.Encode(b); break;
                case Attach x: x.Encode(b); break;
                case Flow x: x.Encode(b); break;
                case Transfer x: x.Encode(b); break;
                case Disposition x: x.Encode(b); break;
                case Detach x: x.Encode(b); break;
                case End x: x.Encode(b); break;
                case Close x: x.Encode(b); break;
                default: throw new AmqpException(ErrorCode.InternalError, "not a performative: " + performative);
            }
        }

        /// <summary>The error field (2.8.14) that reports <paramref name="e"/> to the peer.</summary>
        public static Error ErrorOf(AmqpException e)
        {
            var error = new Error();
            error.Condition = e.Condition;
            error.Description = e.Description;
            return error;
        }
    }
}
