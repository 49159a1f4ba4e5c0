// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
using System.Threading;
using IotHubAmqp.Device.Framing;

namespace IotHubAmqp.Device.Engine
{
    /// <summary>
    /// One slot of a sender's in-flight window: an unsettled delivery waiting for the peer's outcome.
    /// Slots and their events are allocated once per link and reused, so a send allocates nothing here.
    /// </summary>
    internal sealed class OutgoingDelivery
    {
        public readonly ManualResetEvent Done = new ManualResetEvent(false);
        public uint Id;
        public bool InUse;

        /// <summary>The caller stopped waiting (timeout); the slot is freed when the outcome arrives.</summary>
        public bool Abandoned;

        public Outcome Outcome;

        /// <summary>Set when the link or connection ended before an outcome arrived.</summary>
        public AmqpException Error;

        public void Reset(uint id)
        {
            Id = id;
            InUse = true;
            Abandoned = false;
            Outcome = null;
            Error = null;
            Done.Reset();
        }
    }
}
