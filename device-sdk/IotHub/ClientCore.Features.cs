// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
using System;
using IotHubAmqp.Device.Engine;

namespace IotHubAmqp.Device.IotHub
{
    // Features from other assemblies (ClientFeature), and what they may use of the state machine.
    internal sealed partial class ClientCore
    {
        /// <summary>Features one client may carry (methods, twin, and room for one more).</summary>
        public const int MaxFeatures = 4;

        // An array, not an ArrayList: no cast and no call per element in the loops below.
        private readonly ClientFeature[] features = new ClientFeature[MaxFeatures];
        private int featureCount;

        /// <summary>True while the links are up and the token in place.</summary>
        internal bool IsConnected => Phase == ClientPhase.Connected;

        /// <summary>A unique link name for this connection's Identity.</summary>
        internal string NextLinkName(string prefix) =>
            string.Concat(prefix, "-", deviceId, "-" + (linkSerial++).ToString()); // four parts: no array

        /// <summary>Queues a notice for the dispatcher (a feature's handler call or completion).</summary>
        internal void Post(FeatureNotice notice) => notices.Add(notice);

        /// <summary>A link a feature needs failed: reconnect, as for the core's own links.</summary>
        internal void FeatureFault(AmqpException reason, long now) => OnFault(reason, now);

        /// <summary>Completes a feature's request with an error for its caller.</summary>
        internal void FailRequest(ClientRequest r, Exception e) => Fail(r, e);

        /// <summary>Fails the waiting sends on <paramref name="owner"/>'s link (the hub detached it); the connection stays.</summary>
        internal void FailSends(ClientFeature owner, Exception e)
        {
            for (int i = sends.Count - 1; i >= 0; i--)
            {
                var r = (ClientRequest)sends[i];
                if (r.Feature != owner) continue;
                sends.RemoveAt(i);
                Fail(r, e);
            }
        }

        private void OnFeatureRequest(ClientRequest r, long now)
        {
            ClientFeature f = r.Feature;
            if (r.Kind == RequestKind.AddFeature)
            {
                for (int i = 0; i < featureCount; i++)
                {
                    if (features[i] == f)
                    {
                        r.Complete();
                        return;
                    }
                }
                if (featureCount >= MaxFeatures)
                {
                    Refuse(r, "at most " + MaxFeatures + " features per client");
                    return;
                }
                features[featureCount++] = f;
                f.Core = this;
                if (Phase == ClientPhase.Connected && session != null) f.Attach(session, now);
                r.Complete();
                return;
            }
            if (Phase >= ClientPhase.Closing)
            {
                Refuse(r, "the client is closed");
                return;
            }
            f.Submit(r, now);
        }

        private bool RouteToFeature(Link link, int kinds, long now)
        {
            for (int i = 0; i < featureCount; i++)
                if (features[i].OnLinkEvent(link, kinds, now)) return true;
            return false;
        }
    }
}
