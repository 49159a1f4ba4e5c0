// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
using System;
using IotHubAmqp.Device.IotHub;
using IotHubAmqp.Device.Messaging;

namespace IotHubAmqp.Device.Batching
{
    /// <summary>
    /// Batched telemetry for <see cref="DeviceClient"/>: many messages in one transfer with one outcome. It is an
    /// optional assembly (<c>IotHubAmqp.Device.Batching</c>), so a device that sends one message at a time does not
    /// deploy it; with it referenced, <c>using IotHubAmqp.Device.Batching;</c> makes
    /// <c>client.SendTelemetryBatch(messages)</c> available.
    /// </summary>
    public static class TelemetryBatch
    {
        /// <summary>
        /// Sends <paramref name="messages"/> as one batched transfer (message-format 0x80013700) on the telemetry link
        /// and waits for the hub's one outcome for the whole batch. Each message keeps its own properties and
        /// application properties; a message-id is generated for each that has none. The batch's encoded size is
        /// checked first: more than <see cref="DeviceClientOptions.MaxTelemetryBytes"/> throws
        /// <see cref="ArgumentException"/> and nothing is sent. On a reconnect the whole batch is sent again.
        /// </summary>
        /// <param name="client">An open device or module client.</param>
        /// <param name="messages">One or more telemetry messages with a body.</param>
        /// <returns>The batch's outcome (Accepted, Rejected, Throttled, Released or TimedOut); its message-id is null.</returns>
        public static SendResult SendTelemetryBatch(this DeviceClient client, Message[] messages)
        {
            if (client == null) throw new ArgumentNullException(nameof(client));
            if (messages == null) throw new ArgumentNullException(nameof(messages));
            if (messages.Length == 0) throw new ArgumentException("a telemetry batch needs at least one message");
            for (int i = 0; i < messages.Length; i++)
            {
                Message m = messages[i];
                if (m == null) throw new ArgumentException("batch message " + i + " is null");
                client.CheckTelemetry(m);
                DeviceClient.EnsureMessageId(m);
            }
            return client.SendFormatted(MessageBatch.Create(messages, DeviceClientOptions.MaxTelemetryBytes), MessageBatch.Format);
        }
    }
}
