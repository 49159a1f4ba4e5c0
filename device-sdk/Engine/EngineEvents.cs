// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.

namespace IotHubAmqp.Device.Engine
{
    /// <summary>
    /// What happened to an engine object since its owner last looked. Kinds are bits, so several events on one
    /// object are one entry in the connection's event queue: the queue is bounded by the number of objects, never by
    /// the number of frames that arrived (a flood of dispositions is one <see cref="Outcomes"/>).
    /// </summary>
    internal static class EngineEvent
    {
        /// <summary>Connection: the peer's open arrived. Session: the peer's begin arrived (mapped).</summary>
        public const int Opened = 1;

        /// <summary>Connection or session ended, link detached; the object's <c>Error</c> says why (null: asked for).</summary>
        public const int Ended = 2;

        /// <summary>Link: the peer's attach arrived.</summary>
        public const int Attached = 4;

        /// <summary>Sender: one or more deliveries have their outcome (see <see cref="SenderLink.NextCompleted"/>).</summary>
        public const int Outcomes = 8;

        /// <summary>Receiver: one or more messages are queued (see <see cref="ReceiverLink.Take"/>).</summary>
        public const int Messages = 16;

        /// <summary>Connection: the SASL exchange succeeded and the AMQP header and open are out (sessions may begin).</summary>
        public const int Authenticated = 32;
    }

    /// <summary>Base of the objects that raise events: each sits in the connection's event queue at most once.</summary>
    internal abstract class EngineObject
    {
        internal int PendingEvents;

        /// <summary>The next object in the event queue (the queue is linked through its members, so it never allocates).</summary>
        internal EngineObject NextPending;
    }
}
