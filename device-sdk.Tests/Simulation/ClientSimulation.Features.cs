// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
using System;
using System.Collections;
using IotHubAmqp.Device.IotHub;
using IotHubAmqp.Device.Twin;

namespace IotHubAmqp.Device.Tests.Simulation
{
    // Methods and twin in the simulation (about half the seeds, some as a module): the service calls methods and
    // patches desired properties at seeded times, the application reads the twin and patches reported properties,
    // and the twin throttles now and then, all under the same faults as telemetry. The checks: every call on a live
    // connection is answered with the handler's status, none of an earlier connection is answered on a new one,
    // desired versions reach the device in order and none is missed (after reconnects too), a reported version the
    // device was given holds its patch, a GET is never older than the twin was when it was asked.
    internal sealed partial class ClientSimulation : IFeatureHost
    {
        private const int FeatureMethod = 0, FeatureDesired = 1, FeatureGet = 2, FeaturePatch = 3, FeatureThrottle = 4, FeatureKinds = 5;

        private DeviceTwinClient twinClient;
        private readonly ArrayList featureEvents = new ArrayList();
        private readonly ArrayList twinOps = new ArrayList();
        private readonly ArrayList twinOpsAsked = new ArrayList(); // the hub's desired $version when each op was asked
        private long lastDesiredRaised = -1;
        private int patchSerial;

        /// <summary>Method calls answered and desired patches raised, for the tests' own checks.</summary>
        public int MethodsAnswered;
        public int DesiredRaised;
        public bool WithFeatures => twinClient != null;

        // Drawn from the seed's own stream before the client is made: whether this seed runs methods and twin, as a module or not.
        private static bool PickFeatures(SimRandom r, out bool asModule)
        {
            bool on = r.NextBool(50);
            asModule = on && r.NextBool(30);
            return on;
        }

        private void ConfigureFeatures(SimRandom r)
        {
            int n = r.Next(2, 14);
            for (int i = 0; i < n; i++)
            {
                var e = new PlannedFault();
                e.At = r.Next(0, (int)ActivityMs);
                e.Kind = r.Next(FeatureKinds);
                featureEvents.Add(e);
            }
        }

        private void StartFeatures()
        {
            twinClient = new DeviceTwinClient(this, true, true);
            twinClient.AddMethodCallback("echo", (name, payload) => new MethodResponse(200, payload));
            twinClient.AddMethodCallback("boom", (name, payload) => throw new InvalidOperationException("the handler failed"));
            twinClient.TwinUpdated += (sender, desired) =>
            {
                if (insideCore) Fail("TwinUpdated ran inside the client");
                long v = desired.Version;
                if (v <= lastDesiredRaised) Fail("TwinUpdated raised desired $version " + v + " after " + lastDesiredRaised + " (backwards or repeated)");
                if (v > hub.DesiredVersion) Fail("TwinUpdated raised desired $version " + v + ", newer than the hub's " + hub.DesiredVersion);
                lastDesiredRaised = v;
                DesiredRaised++;
            };
        }

        private void FeatureStep()
        {
            if (twinClient == null) return;
            for (int i = featureEvents.Count - 1; i >= 0; i--)
            {
                var e = (PlannedFault)featureEvents[i];
                if (e.At > now) continue;
                featureEvents.RemoveAt(i);
                switch (e.Kind)
                {
                    case FeatureMethod:
                        int pick = rnd.Next(4);
                        hub.CallMethod(pick == 0 ? "boom" : pick == 1 ? "nope" : "echo", "{\"n\":" + i + "}", now);
                        break;
                    case FeatureDesired: hub.PatchDesired(rnd.Next(1, 3600), now); break;
                    case FeatureThrottle: hub.ThrottleTwinRequests = rnd.Next(1, 3); break;
                    default: SubmitTwinOp(e.Kind == FeatureGet ? TwinChannel.OpGet : TwinChannel.OpPatch); break;
                }
            }
        }

        private void SubmitTwinOp(int op)
        {
            var r = NewRequest(RequestKind.Feature, options.OperationTimeoutMs);
            r.Feature = twinClient.TwinPart;
            r.Operation = op;
            if (op == TwinChannel.OpPatch) r.Payload = TwinWire.Utf8Bytes("{\"patch\":" + (++patchSerial) + "}"); // a patch is sent as its UTF-8
            twinOps.Add(r);
            twinOpsAsked.Add(hub.DesiredVersion);
            Submit(r);
        }

        // A twin operation ended: its result must agree with what the hub did.
        private void OnTwinOpDone(ClientRequest r)
        {
            int at = twinOps.IndexOf(r);
            if (at < 0) return;
            long asked = (long)twinOpsAsked[at];
            twinOps.RemoveAt(at);
            twinOpsAsked.RemoveAt(at);
            if (r.Error != null)
            {
                if (r.Error is IotHubStatusException st && st.Status != 429) Fail("twin operation refused with status " + st.Status + " the hub never sent");
                return;
            }
            if (r.Operation == TwinChannel.OpPatch)
            {
                long v = (long)r.Reply;
                var sent = (byte[])r.Payload;
                string patch = IotHubAmqp.Device.Types.Utf8.Decode(sent, 0, sent.Length);
                if (hub.ReportedPatchAt(v) != patch)
                    Fail("reported patch " + patch + " was given $version " + v + " but the hub stored '" + hub.ReportedPatchAt(v) + "' there");
                return;
            }
            Twin.Twin twin = Twin.Twin.FromJson(hub.DeviceId, (byte[])r.Reply);
            if (twin.Properties.Desired.Version < asked)
                Fail("GET returned desired $version " + twin.Properties.Desired.Version + ", older than the " + asked + " the twin had when it was asked");
        }

        private void FinalFeatureChecks()
        {
            if (twinClient == null) return;
            if (twinClient.TwinPart.DesiredVersion != hub.DesiredVersion)
                Fail("the hub's desired $version is " + hub.DesiredVersion + " but the device knows " + twinClient.TwinPart.DesiredVersion + ": a desired patch was lost");
            for (int i = 0; i < hub.MethodCalls.Count; i++)
            {
                var c = (SimMethodCall)hub.MethodCalls[i];
                if (c.State == SimMethodCall.Sent) Fail("method call " + c.Id + " (" + c.Name + ") still unanswered at the end");
                else if (c.State == SimMethodCall.TimedOut && c.TimedOutOnLiveConnection)
                    Fail("method call " + c.Id + " (" + c.Name + ") unanswered for " + hub.MethodTimeoutMs + " ms on a live connection");
                else if (c.State == SimMethodCall.Answered)
                {
                    MethodsAnswered++;
                    int expected = c.Name == "echo" ? 200 : c.Name == "boom" ? 500 : 501;
                    if (c.Status != expected) Fail("method " + c.Name + " answered " + c.Status + ", expected " + expected);
                    if (c.Name == "echo" && c.Response != c.Payload) Fail("method echo answered '" + c.Response + "' to '" + c.Payload + "'");
                }
            }
        }

        // ---- IFeatureHost: the application's side of DeviceTwinClient, on the simulation's one thread ----

        void IFeatureHost.AddFeature(ClientFeature feature)
        {
            ClientRequest r = NewRequest(RequestKind.AddFeature, 1000);
            r.Feature = feature;
            Submit(r);
        }

        // From a method notice: the answer goes to the driver; nobody waits on it, so it is not a tracked call.
        void IFeatureHost.CallFeature(ClientRequest r, int timeoutMs, string what)
        {
            insideCore = true;
            try
            {
                core.Submit(r, now);
            }
            catch (Exception e)
            {
                Fail("the client threw " + e.GetType().Name + " on a method answer: " + e.Message);
            }
            insideCore = false;
        }

        long IFeatureHost.NowMs => now;

        DeviceClientOptions IFeatureHost.Options => options;

        string IFeatureHost.DeviceId => hub.DeviceId;
    }
}
