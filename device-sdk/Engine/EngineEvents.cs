// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.

namespace IotHubAmqp.Device.Engine
{
    /// <summary>
    /// What happened to an engine object since its owner last looked. Kinds are bits, so several events on one
    /// object are one entry in the connection's event ring: the ring is bounded by the number of objects, never by
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

    /// <summary>Base of the objects that raise events: each sits in the ring at most once.</summary>
    internal abstract class EngineObject
    {
        internal int PendingEvents;
    }

    /// <summary>
    /// A ring of engine objects with pending events. Each object sits in it at most once, so it only grows (rarely:
    /// when more objects than ever before have events at the same time), never on a steady hot path.
    /// </summary>
    internal sealed class EventRing
    {
        private EngineObject[] ring;
        private int head;
        private int count;

        public EventRing(int capacity)
        {
            ring = new EngineObject[capacity];
        }

        public int Count => count;

        public int Capacity => ring.Length;

        private void Grow()
        {
            var grown = new EngineObject[ring.Length * 2];
            for (int i = 0; i < count; i++) grown[i] = ring[(head + i) % ring.Length];
            ring = grown;
            head = 0;
        }

        public void Raise(EngineObject source, int kind)
        {
            bool queued = source.PendingEvents != 0;
            source.PendingEvents |= kind;
            if (queued) return;
            if (count == ring.Length) Grow();
            ring[(head + count) % ring.Length] = source;
            count++;
        }

        /// <summary>Takes the next object with events and its event bits (cleared); null when none.</summary>
        public EngineObject Next(out int kinds)
        {
            while (count > 0)
            {
                EngineObject o = ring[head];
                ring[head] = null;
                head = (head + 1) % ring.Length;
                count--;
                kinds = o.PendingEvents;
                o.PendingEvents = 0;
                if (kinds != 0) return o;
            }
            kinds = 0;
            return null;
        }
    }
}
