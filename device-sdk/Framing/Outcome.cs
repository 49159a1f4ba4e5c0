// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
using IotHubAmqp.Device.Buffers;
using IotHubAmqp.Device.Types;

namespace IotHubAmqp.Device.Framing
{
    /// <summary>
    /// A delivery state (AMQP 1.0 3.4): the terminal outcomes accepted, rejected, released and modified, and
    /// the non-terminal received state. Carried by transfer, disposition and source default-outcome.
    /// </summary>
    internal abstract class Outcome : DescribedList
    {
        /// <summary>The numeric descriptor of this state (<see cref="Descriptor"/>).</summary>
        public abstract ulong DescriptorCode { get; }
    }
}
