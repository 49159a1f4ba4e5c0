// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
using System;
using IotHubAmqp.Device.Messaging;

namespace IotHubAmqp.Device.IotHub
{
    public sealed partial class DeviceClient
    {
        /// <summary>
        /// Sends <paramref name="messages"/> as one batched transfer (message-format 0x80013700) on the telemetry link
        /// and waits for the hub's one outcome for the whole batch. Each message keeps its own properties and
        /// application properties; a message-id is generated for each that has none. The batch's encoded size is
        /// checked first: more than <see cref="DeviceClientOptions.MaxTelemetryBytes"/> throws
        /// <see cref="ArgumentException"/> and nothing is sent. On a reconnect the whole batch is sent again.
        /// </summary>
        /// <param name="messages">One or more telemetry messages with a body.</param>
        /// <returns>The batch's outcome (Accepted, Rejected, Throttled, Released or TimedOut); its message-id is null.</returns>
        public SendResult SendTelemetryBatch(Message[] messages)
        {
            if (messages == null) throw new ArgumentNullException(nameof(messages));
            if (messages.Length == 0) throw new ArgumentException("a telemetry batch needs at least one message");
            for (int i = 0; i < messages.Length; i++)
            {
                Message m = messages[i];
                if (m == null) throw new ArgumentException("batch message " + i + " is null");
                CheckTelemetry(m);
                if (m.Properties == null) m.Properties = new MessageProperties();
                if (m.Properties.MessageId == null) m.Properties.MessageId = Guid.NewGuid().ToString();
            }
            Message outer = MessageBatch.Create(messages, DeviceClientOptions.MaxTelemetryBytes);
            ClientRequest r = pool.Take();
            r.Reset(RequestKind.Send, platform.TickMilliseconds + options.OperationTimeoutMs);
            r.Message = outer;
            r.MessageFormat = MessageBatch.Format;
            return WaitSend(r);
        }
    }
}
