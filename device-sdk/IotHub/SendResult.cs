// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.

namespace IotHubAmqp.Device.IotHub
{
    /// <summary>What the hub answered to a telemetry message.</summary>
    public enum SendOutcome
    {
        /// <summary>The hub accepted and stored the message.</summary>
        Accepted,
        /// <summary>The hub rejected the message (see <see cref="SendResult.Condition"/>); resending will not help.</summary>
        Rejected,
        /// <summary>The hub rejected it with <c>amqp:resource-limit-exceeded</c>: over quota or throttled; retry later.</summary>
        Throttled,
        /// <summary>The hub released it without storing it; it may be sent again.</summary>
        Released,
        /// <summary>No outcome arrived in time (the message may or may not have been stored).</summary>
        TimedOut,
    }

    /// <summary>The outcome of one telemetry send.</summary>
    public sealed class SendResult
    {
        internal SendResult(SendOutcome outcome, string condition, string description, string messageId)
        {
            Outcome = outcome;
            Condition = condition;
            Description = description;
            MessageId = messageId;
        }

        // Results carry nothing per message when there is no message-id: one instance serves every such send.
        internal static readonly SendResult AcceptedWithoutId = new SendResult(SendOutcome.Accepted, null, null, null);

        /// <summary>What the hub answered.</summary>
        public SendOutcome Outcome { get; }

        /// <summary>The AMQP error condition of a rejection or of the failure, or null.</summary>
        public string Condition { get; }

        /// <summary>The error's description, or null.</summary>
        public string Description { get; }

        /// <summary>The message-id sent (generated when the application set none), to recognise a resend.</summary>
        public string MessageId { get; }

        /// <summary>True when the hub accepted the message.</summary>
        public bool IsAccepted => Outcome == SendOutcome.Accepted;

        /// <inheritdoc/>
        public override string ToString()
        {
            string name = NameOf(Outcome);
            // Two short concatenations, not one of six parts (an array in the IL).
            return Condition == null ? name : string.Concat(name, " (", Condition, ": " + Description + ")");
        }

        /// <summary>The outcome's name: nanoFramework's <c>Enum.ToString()</c> prints only the number.</summary>
        public static string NameOf(SendOutcome outcome) => ClientStatusName.Name(OutcomeNames, (int)outcome, "Outcome ");

        // In the order of the values.
        private static readonly string[] OutcomeNames = ClientStatusName.List("Accepted;Rejected;Throttled;Released;TimedOut");
    }
}
