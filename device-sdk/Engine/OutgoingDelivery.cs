// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
using IotHubAmqp.Device.Framing;
using IotHubAmqp.Device.Messaging;

namespace IotHubAmqp.Device.Engine
{
    /// <summary>States of an <see cref="OutgoingDelivery"/> slot.</summary>
    internal enum DeliveryStatus
    {
        /// <summary>Not in use.</summary>
        Free,
        /// <summary>Waiting for credit or window; nothing is on the wire yet.</summary>
        Queued,
        /// <summary>Some of its frames are written (a message larger than a frame).</summary>
        Sending,
        /// <summary>Written whole, waiting for the peer's outcome.</summary>
        Unsettled,
        /// <summary>Has its outcome (or error); the owner collects it and frees the slot.</summary>
        Done,
    }

    /// <summary>
    /// One slot of a sender's window: a message from the moment it is handed to the link until its outcome is
    /// collected. Slots are allocated once per link and reused; the message is encoded when it goes out, so it must
    /// not change until the slot is done.
    /// </summary>
    internal sealed class OutgoingDelivery
    {
        public readonly byte[] Tag = new byte[4];
        public DeliveryStatus Status;
        public Message Message;
        public uint Id;

        /// <summary>The peer's terminal outcome; null with <see cref="Error"/> null means sent settled.</summary>
        public Outcome Outcome;

        /// <summary>Why there is no outcome: the link ended first, the message was too large, or it was aborted.</summary>
        public AmqpException Error;

        /// <summary>True when nothing of the message reached the wire (a queued send cancelled or failed).</summary>
        public bool NeverSent;

        /// <summary>The owner stopped waiting; the slot is freed as soon as the outcome (or the link's end) comes.</summary>
        public bool Abandoned;

        /// <summary>Whatever the owner ties to the send (its request); the engine never looks at it.</summary>
        public object Owner;

        /// <summary>The transfer's message-format (2.7.5): 0, or 0x80013700 for an IoT Hub batch; reset to 0 per send.</summary>
        public uint MessageFormat;

        // Progress of the frames: the encoded head (in the link's head buffer) then the body from the caller's array.
        internal byte[] Body;
        internal int HeadSent;
        internal int BodySent;

        /// <summary>Queue order: queued slots go out by this number, lowest first.</summary>
        internal uint Seq;

        /// <summary>Puts the slot in <paramref name="status"/> with every other field at its start value.</summary>
        internal void Reset(DeliveryStatus status, Message message, object owner)
        {
            Status = status;
            Message = message;
            Owner = owner;
            MessageFormat = 0;
            Outcome = null;
            Error = null;
            NeverSent = false;
            Abandoned = false;
            Body = null;
            HeadSent = 0;
            BodySent = 0;
        }

        internal void Clear() => Reset(DeliveryStatus.Free, null, null);
    }
}
