// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
using IotHubAmqp.Device.Buffers;
using IotHubAmqp.Device.Framing;
using IotHubAmqp.Device.Types;

namespace IotHubAmqp.Device.Sasl
{
    /// <summary>The sasl-init frame (AMQP 1.0 5.3.3.2): the client picks a mechanism and sends its first response.</summary>
    internal sealed class SaslInit : DescribedList
    {
        /// <summary>mechanism (index 0, mandatory): the selected mechanism symbol, e.g. <c>PLAIN</c>.</summary>
        public string Mechanism;

        /// <summary>initial-response (index 1): the mechanism's initial response, or null.</summary>
        public byte[] InitialResponse;

        /// <summary>hostname (index 2): the name of the target host, or null.</summary>
        public string Hostname;

        public override void Fields(ref FieldCursor c)
        {
            c.List(Descriptor.SaslInit);
            c.Symbol(ref Mechanism, "mechanism");
            c.Binary(ref InitialResponse);
            c.String(ref Hostname, null);
        }
    }
}
