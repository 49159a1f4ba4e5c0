// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.

namespace IotHubAmqp.Device.Types
{
    /// <summary>
    /// Every descriptor this SDK reads or writes, numeric (domain 0x00000000) with its symbolic name,
    /// in one table (AMQP 1.0 2.7, 2.8, 3.2, 3.4, 3.5, 5.3).
    /// </summary>
    internal static class Descriptor
    {
        public const ulong Open = 0x10, Begin = 0x11, Attach = 0x12, Flow = 0x13, Transfer = 0x14,
            Disposition = 0x15, Detach = 0x16, End = 0x17, Close = 0x18;
        public const ulong Error = 0x1d;
        public const ulong Received = 0x23, Accepted = 0x24, Rejected = 0x25, Released = 0x26, Modified = 0x27;
        public const ulong Source = 0x28, Target = 0x29;
        public const ulong DeleteOnClose = 0x2b, DeleteOnNoLinks = 0x2c, DeleteOnNoMessages = 0x2d, DeleteOnNoLinksOrMessages = 0x2e;
        public const ulong SaslMechanisms = 0x40, SaslInit = 0x41, SaslChallenge = 0x42, SaslResponse = 0x43, SaslOutcome = 0x44;
        public const ulong Header = 0x70, DeliveryAnnotations = 0x71, MessageAnnotations = 0x72, Properties = 0x73,
            ApplicationProperties = 0x74, Data = 0x75, AmqpSequence = 0x76, AmqpValue = 0x77, Footer = 0x78;

        // Pairs of code and name, searched linearly: symbolic descriptors are rare on the wire.
        private static readonly object[] Names =
        {
            Open, "amqp:open:list", Begin, "amqp:begin:list", Attach, "amqp:attach:list", Flow, "amqp:flow:list",
            Transfer, "amqp:transfer:list", Disposition, "amqp:disposition:list", Detach, "amqp:detach:list",
            End, "amqp:end:list", Close, "amqp:close:list", Error, "amqp:error:list",
            Received, "amqp:received:list", Accepted, "amqp:accepted:list", Rejected, "amqp:rejected:list",
            Released, "amqp:released:list", Modified, "amqp:modified:list",
            Source, "amqp:source:list", Target, "amqp:target:list",
            DeleteOnClose, "amqp:delete-on-close:list", DeleteOnNoLinks, "amqp:delete-on-no-links:list",
            DeleteOnNoMessages, "amqp:delete-on-no-messages:list", DeleteOnNoLinksOrMessages, "amqp:delete-on-no-links-or-messages:list",
            SaslMechanisms, "amqp:sasl-mechanisms:list", SaslInit, "amqp:sasl-init:list", SaslChallenge, "amqp:sasl-challenge:list",
            SaslResponse, "amqp:sasl-response:list", SaslOutcome, "amqp:sasl-outcome:list",
            Header, "amqp:header:list", DeliveryAnnotations, "amqp:delivery-annotations:map",
            MessageAnnotations, "amqp:message-annotations:map", Properties, "amqp:properties:list",
            ApplicationProperties, "amqp:application-properties:map", Data, "amqp:data:binary",
            AmqpSequence, "amqp:amqp-sequence:list", AmqpValue, "amqp:amqp-value:*", Footer, "amqp:footer:map",
        };

        /// <summary>The numeric code for a symbolic descriptor, or 0 when unknown.</summary>
        public static ulong CodeOf(string name)
        {
            for (int i = 1; i < Names.Length; i += 2)
            {
                if ((string)Names[i] == name) return (ulong)Names[i - 1];
            }
            return 0;
        }

        /// <summary>The symbolic name of a code, or null when unknown (for messages and logs).</summary>
        public static string NameOf(ulong code)
        {
            for (int i = 0; i < Names.Length; i += 2)
            {
                if ((ulong)Names[i] == code) return (string)Names[i + 1];
            }
            return null;
        }
    }
}
