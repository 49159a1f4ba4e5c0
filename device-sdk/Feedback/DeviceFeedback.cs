// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
using System;
using IotHubAmqp.Device.IotHub;
using IotHubAmqp.Device.Messaging;

namespace IotHubAmqp.Device.Feedback
{
    /// <summary>
    /// The device's feedback sender for <see cref="DeviceClient"/>. It is an optional assembly
    /// (<c>IotHubAmqp.Device.Feedback</c>), so an app that sends no feedback does not deploy it; with it referenced,
    /// <c>using IotHubAmqp.Device.Feedback;</c> makes <c>client.SendFeedback(message)</c> available.
    /// </summary>
    public static class DeviceFeedback
    {
        /// <summary>
        /// Sends <paramref name="message"/> as it is on the device's <c>/messages/serviceBound/feedback</c> sender link,
        /// attached on first use (again on the next send after a reconnect), and waits for the hub's outcome within
        /// <see cref="DeviceClientOptions.OperationTimeoutMs"/>. No message-id is added.
        /// </summary>
        /// <param name="client">An open device or module client.</param>
        /// <param name="message">The message to send.</param>
        /// <returns>The hub's outcome (Accepted, Rejected, Throttled, Released or TimedOut).</returns>
        /// <exception cref="InvalidOperationException">The client is not connected (or not open, or closed).</exception>
        /// <exception cref="AmqpException">The hub detached the feedback link while the send waited (its error); the connection stays up.</exception>
        public static SendResult SendFeedback(this DeviceClient client, Message message)
        {
            if (client == null) throw new ArgumentNullException(nameof(client));
            ClientFeature f;
            // One sender per client, even when two threads send their first feedback at once.
            lock (client)
            {
                f = client.SendFeature;
                if (f == null)
                {
                    f = new FeedbackSender();
                    ((IFeatureHost)client).AddFeature(f);
                    client.SendFeature = f; // only once registered: an unregistered feature has no core
                }
            }
            return client.SendVia(f, message);
        }
    }
}
