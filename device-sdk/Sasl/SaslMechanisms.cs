// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
using IotHubAmqp.Device.Buffers;
using IotHubAmqp.Device.Framing;
using IotHubAmqp.Device.Types;

namespace IotHubAmqp.Device.Sasl
{
    /// <summary>The sasl-mechanisms frame (AMQP 1.0 5.3.3.1): the mechanisms the server supports.</summary>
    internal sealed class SaslMechanisms : DescribedList
    {
        /// <summary>sasl-server-mechanisms (index 0, mandatory): mechanism names such as <c>PLAIN</c>, <c>ANONYMOUS</c>.</summary>
        public string[] SaslServerMechanisms;

        public override void Fields(ref FieldCursor c)
        {
            c.List(Descriptor.SaslMechanisms);
            c.Symbols(ref SaslServerMechanisms, "sasl-server-mechanisms");
        }

        /// <summary>Whether the server offers <paramref name="mechanism"/>.</summary>
        public bool Offers(string mechanism)
        {
            if (SaslServerMechanisms == null) return false;
            for (int i = 0; i < SaslServerMechanisms.Length; i++)
            {
                if (SaslServerMechanisms[i] == mechanism) return true;
            }
            return false;
        }
    }
}
