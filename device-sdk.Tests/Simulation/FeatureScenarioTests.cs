// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
using System;
using IotHubAmqp.Device.IotHub;
using IotHubAmqp.Device.Twin;
using nanoFramework.TestFramework;

namespace IotHubAmqp.Device.Tests.Simulation
{
    /// <summary>
    /// Methods and twin on the whole client against the simulated hub, in scripted scenarios of faults: a method
    /// call in flight when the connection drops, a desired patch made while the device is away, a throttled
    /// subscription, a module identity.
    /// </summary>
    [TestClass]
    public class FeatureScenarioTests
    {
        private static SimClientRig Connected(out DeviceTwinClient twin, out int[] raised)
        {
            var rig = new SimClientRig();
            return Connected(rig, out twin, out raised);
        }

        private static SimClientRig Connected(SimClientRig rig, out DeviceTwinClient twin, out int[] raised)
        {
            var client = new DeviceTwinClient(rig, true, true);
            client.AddMethodCallback("echo", (name, payload) => new MethodResponse(200, payload));
            var counts = new int[2]; // [0] TwinUpdated calls, [1] the last $version raised
            client.TwinUpdated += (sender, desired) =>
            {
                counts[0]++;
                counts[1] = (int)desired.Version;
            };
            ClientRequest open = rig.Open(5000);
            rig.RunUntil(1000);
            Assert.IsTrue(open.IsCompleted && open.Error == null, "open\n" + rig.StatusText() + rig.Hub.TraceText());
            twin = client;
            raised = counts;
            return rig;
        }

        [TestMethod]
        public void MethodInFlightWhenConnectionDrops_CallFailsAndItsAnswerNeverReachesTheNewConnection()
        {
            SimClientRig rig = Connected(out DeviceTwinClient twin, out int[] raised);
            rig.HoldFeatureNotices = true;
            SimMethodCall call = rig.Hub.CallMethod("echo", "{\"a\":1}", rig.Now);
            rig.RunUntil(1100);
            Assert.AreEqual(1, rig.HeldNotices.Count, "the request reached the device's handler queue");
            rig.Cut();
            rig.RunUntil(4000);
            Assert.AreEqual(ClientStatus.Connected, rig.Core.Status, rig.StatusText());
            Assert.AreEqual(SimMethodCall.Failed, call.State, "the service's call fails with its connection");
            // The handler finishes after the reconnect: its answer belongs to the old connection and is dropped.
            rig.RunHeldNotices();
            rig.HoldFeatureNotices = false;
            rig.RunUntil(5000);
            Assert.AreEqual(0, rig.Hub.Violations, rig.Hub.ViolationText());
            Assert.AreEqual(0, twin.MethodPart.InFlight, "the dropped answer frees its in-flight place");
            SimMethodCall next = rig.Hub.CallMethod("echo", "{\"b\":2}", rig.Now);
            rig.RunUntil(6000);
            Assert.AreEqual(SimMethodCall.Answered, next.State, rig.Hub.TraceText());
            Assert.AreEqual(200, next.Status);
            Assert.AreEqual("{\"b\":2}", next.Response);
        }

        [TestMethod]
        public void DesiredPatchWhileDisconnected_RaisedOnceAfterTheReconnect()
        {
            SimClientRig rig = Connected(out DeviceTwinClient twin, out int[] raised);
            Assert.AreEqual(1L, twin.TwinPart.DesiredVersion, "the first read learns the version, without an event");
            rig.Cut();
            rig.RunUntil(1001);
            Assert.IsFalse(rig.Hub.Connected, "the device is away");
            rig.Hub.PatchDesired(42, rig.Now);
            rig.RunUntil(5000);
            Assert.AreEqual(ClientStatus.Connected, rig.Core.Status, rig.StatusText());
            Assert.AreEqual(1, raised[0], "one TwinUpdated for the change made while away");
            Assert.AreEqual(2, raised[1]);
            // A notification the hub sends after that is news again.
            rig.Hub.PatchDesired(43, rig.Now);
            rig.RunUntil(6000);
            Assert.AreEqual(2, raised[0]);
            Assert.AreEqual(3, raised[1]);
        }

        [TestMethod]
        public void SubscriptionThrottled_AskedAgainSoNoDesiredChangeIsMissed()
        {
            var rig = new SimClientRig();
            rig.Hub.ThrottleTwinRequests = 2; // the PUT subscription and the GET of the first connection get 429
            Connected(rig, out DeviceTwinClient twin, out int[] raised);
            rig.RunUntil(2000 + TwinChannel.RetryFirstMs);
            rig.Hub.PatchDesired(7, rig.Now);
            rig.RunUntil(4000 + TwinChannel.RetryFirstMs);
            Assert.AreEqual(1, raised[0], "the patch reached the device without a reconnect\n" + rig.Hub.TraceText());
            Assert.AreEqual(2L, twin.TwinPart.DesiredVersion);
            Assert.AreEqual(ClientStatus.Connected, rig.Core.Status);
            Assert.AreEqual(-1L, rig.FirstStatusAt("Reconnecting", 0), rig.StatusText());
        }

        [TestMethod]
        public void TwinGetThrottled_CallerGetsTheHubsStatus()
        {
            SimClientRig rig = Connected(out DeviceTwinClient twin, out int[] raised);
            rig.Hub.ThrottleTwinRequests = 1;
            ClientRequest get = rig.Call(twin.TwinPart, TwinChannel.OpGet, null, 3000);
            rig.RunUntil(2000);
            Assert.IsTrue(get.IsCompleted);
            var e = get.Error as IotHubStatusException;
            Assert.IsNotNull(e, "a status error, not " + (get.Error == null ? "success" : get.Error.GetType().Name));
            Assert.AreEqual(429, e.Status);
            Assert.IsTrue(e.IsTransient);
            ClientRequest again = rig.Call(twin.TwinPart, TwinChannel.OpGet, null, 3000);
            rig.RunUntil(3000);
            Assert.IsNull(again.Error);
            string doc = IotHubAmqp.Device.Types.Utf8.Decode((byte[])again.Reply, 0, ((byte[])again.Reply).Length); // a GET's reply is UTF-8
            Assert.IsTrue(doc.IndexOf("\"$version\":1") > 0, doc);
        }

        [TestMethod]
        public void TimedOutPatchWaitingForCredit_IsNotSentAfterItsCallerWasTold()
        {
            // PLAIN: the reconnect needs no $cbs credit, only the twin sender waits for it.
            var rig = new SimClientRig();
            rig.Options.Authentication = AuthenticationMode.SaslPlain;
            Connected(rig, out DeviceTwinClient twin, out int[] raised);
            rig.Hub.WithholdCredit = true;
            rig.Cut();
            rig.RunUntil(3000);
            Assert.AreEqual(ClientStatus.Connected, rig.Core.Status, rig.StatusText());
            ClientRequest patch = rig.Call(twin.TwinPart, TwinChannel.OpPatch, TwinWire.Utf8Bytes("{\"late\":true}"), 1000);
            rig.RunUntil(4500);
            Assert.IsTrue(patch.IsCompleted && patch.Error != null, "the patch timed out");
            rig.Hub.FeedCredit(rig.Now);
            rig.RunUntil(6000);
            for (int i = 0; i < rig.Hub.ReportedPatches.Count; i++)
                Assert.AreNotEqual("{\"late\":true}", (string)rig.Hub.ReportedPatches[i], "a patch reported failed was applied later");
        }

        [TestMethod]
        public void Module_UsesModuleAddressesAndPlainUser()
        {
            var rig = new SimClientRig();
            rig.Hub.ModuleId = "mod-1";
            rig.Options.Authentication = AuthenticationMode.SaslPlain;
            // The hub knows only module addresses: a device-level address would be refused as not found.
            Connected(rig, out DeviceTwinClient twin, out int[] raised);
            SimMethodCall call = rig.Hub.CallMethod("echo", "{}", rig.Now);
            ClientRequest patch = rig.Call(twin.TwinPart, TwinChannel.OpPatch, TwinWire.Utf8Bytes("{\"m\":1}"), 3000);
            rig.RunUntil(2000);
            Assert.AreEqual(0, rig.Hub.AttachesRefused, rig.Hub.TraceText());
            Assert.AreEqual(SimMethodCall.Answered, call.State, rig.Hub.TraceText());
            Assert.IsNull(patch.Error);
            Assert.AreEqual(2L, (long)patch.Reply);
            Assert.AreEqual("{\"m\":1}", rig.Hub.ReportedPatchAt(2));
        }
    }
}
