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

        // Every name behind its code as one character (code + 0x100: never a character of a name), in one constant:
        // a table of boxed codes would cost a static constructor several times the size of this string's lookups.
        private const string Names =
            "\u0110amqp:open:list\u0111amqp:begin:list\u0112amqp:attach:list" +
            "\u0113amqp:flow:list\u0114amqp:transfer:list\u0115amqp:disposition:list" +
            "\u0116amqp:detach:list\u0117amqp:end:list\u0118amqp:close:list" +
            "\u011damqp:error:list\u0123amqp:received:list\u0124amqp:accepted:list" +
            "\u0125amqp:rejected:list\u0126amqp:released:list\u0127amqp:modified:list" +
            "\u0128amqp:source:list\u0129amqp:target:list\u012bamqp:delete-on-close:list" +
            "\u012camqp:delete-on-no-links:list\u012damqp:delete-on-no-messages:list" +
            "\u012eamqp:delete-on-no-links-or-messages:list\u0140amqp:sasl-mechanisms:list" +
            "\u0141amqp:sasl-init:list\u0142amqp:sasl-challenge:list" +
            "\u0143amqp:sasl-response:list\u0144amqp:sasl-outcome:list\u0170amqp:header:list" +
            "\u0171amqp:delivery-annotations:map\u0172amqp:message-annotations:map" +
            "\u0173amqp:properties:list\u0174amqp:application-properties:map" +
            "\u0175amqp:data:binary\u0176amqp:amqp-sequence:list\u0177amqp:amqp-value:*" +
            "\u0178amqp:footer:map";

        /// <summary>The numeric code for a symbolic descriptor, or 0 when unknown.</summary>
        public static ulong CodeOf(string name)
        {
            // A name counts only whole: from just after a code character to the next one (or the end).
            int at = name == null ? -1 : Names.IndexOf(name);
            return at > 0 && Names[at - 1] >= 0x100 && NameEnd(at - 1) == at + name.Length ? (ulong)(Names[at - 1] - 0x100) : 0;
        }

        /// <summary>The symbolic name of a code, or null when unknown (for messages and logs).</summary>
        public static string NameOf(ulong code)
        {
            // code - 1 wraps for 0, so one unsigned test leaves 1-0xFF.
            int at = code - 1 >= 0xFF ? -1 : Names.IndexOf((char)(code + 0x100));
            return at < 0 ? null : Names.Substring(at + 1, NameEnd(at) - at - 1);
        }

        // Where the entry whose code character is at index at ends: the next code character, or the end.
        private static int NameEnd(int at)
        {
            int end = at + 1;
            while (end < Names.Length && Names[end] < 0x100) end++;
            return end;
        }
    }
}
