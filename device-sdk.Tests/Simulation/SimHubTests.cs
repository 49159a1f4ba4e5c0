// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
using System.Collections;
using IotHubAmqp.Device.Buffers;
using IotHubAmqp.Device.Framing;
using IotHubAmqp.Device.Messaging;
using IotHubAmqp.Device.Types;
using nanoFramework.TestFramework;

namespace IotHubAmqp.Device.Tests.Simulation
{
    [TestClass]
    public class SimHubTests
    {
        private const string Events = "/devices/device-1/messages/events";
        private const string Devicebound = "/devices/device-1/messages/devicebound";

        private static SimHub NewHub()
        {
            var hub = new SimHub();
            hub.Accept(0);
            return hub;
        }

        // Opening, CBS, then a telemetry sender on handle 2 (hub handle 2).
        private static SimScriptedDevice Connected(SimHub hub, int split)
        {
            var d = new SimScriptedDevice();
            d.OpenWithCbs(65536, 0);
            d.Flush(hub, 5, split);
            d.PutTokenRequest();
            d.Attach(2, "telemetry", Role.Sender, Events);
            d.Flush(hub, 10, split);
            return d;
        }

        [TestMethod]
        public void PutTokenThenTelemetry_IsAcceptedAndStored()
        {
            SimHub hub = NewHub();
            SimScriptedDevice d = Connected(hub, 4096);
            d.Transfer(2, 1, true, SimScriptedDevice.Telemetry("m1", new byte[] { 1, 2, 3 }), false, false);
            d.Flush(hub, 20, 4096);
            Assert.AreEqual(0, hub.Violations, hub.ViolationText());
            Assert.AreEqual(1, hub.PutTokensSeen);
            Assert.AreEqual(1, hub.PutTokenRepliesSent);
            Assert.AreEqual(1, hub.TelemetryCount("m1"));
            Assert.AreEqual(1, hub.AcceptedSent("m1"));
            Assert.AreEqual(3, hub.TelemetryBody("m1").Length);
            var disp = (Disposition)d.Last(Descriptor.Disposition);
            Assert.AreEqual(1u, disp.First);
            Assert.IsTrue(disp.State is Accepted);
            Assert.AreEqual(2, d.Deliveries(1).Count == 1 ? 2 : 0, "one put-token reply on the CBS receiver");
            Message reply = MessageCodec.Decode(new ByteBuffer((byte[])d.Deliveries(1)[0], 0, ((byte[])d.Deliveries(1)[0]).Length));
            Assert.AreEqual("put-1", reply.Properties.CorrelationId.ToString());
            Assert.AreEqual(200, (int)reply.ApplicationProperties["status-code"]);
        }

        [TestMethod]
        public void SaslPlain_WithValidToken_AuthorizesWithoutCbs()
        {
            SimHub hub = NewHub();
            var d = new SimScriptedDevice();
            d.Header(ProtocolHeader.Sasl);
            d.SaslPlain("device-1@sas.sim-hub", "SharedAccessSignature sr=x");
            d.Header(ProtocolHeader.Amqp);
            d.Open(65536, 0);
            d.Begin();
            d.Attach(0, "telemetry", Role.Sender, Events);
            d.Flush(hub, 5, 7);
            Assert.AreEqual(0, hub.AttachesRefused);
            Assert.AreEqual(0, hub.Violations, hub.ViolationText());
            Assert.IsNotNull(d.Last(Descriptor.Flow), "credit granted");
        }

        [TestMethod]
        public void AttachBeforePutToken_IsRefusedUnauthorized()
        {
            SimHub hub = NewHub();
            var d = new SimScriptedDevice();
            d.Header(ProtocolHeader.Amqp);
            d.Open(65536, 0);
            d.Begin();
            d.Attach(0, "telemetry", Role.Sender, Events);
            d.Flush(hub, 5, 4096);
            var detach = (Detach)d.Last(Descriptor.Detach);
            Assert.IsNotNull(detach);
            Assert.AreEqual(ErrorCode.UnauthorizedAccess, detach.Error.Condition);
            Assert.AreEqual(1, hub.AttachesRefused);
        }

        [TestMethod]
        public void TransferBeyondCredit_IsAViolation()
        {
            SimHub hub = NewHub();
            hub.TelemetryCredit = 1;
            SimScriptedDevice d = Connected(hub, 4096);
            hub.WithholdCredit = true; // no top-up
            d.Transfer(2, 1, true, SimScriptedDevice.Telemetry("a", new byte[1]), false, false);
            d.Transfer(2, 2, true, SimScriptedDevice.Telemetry("b", new byte[1]), false, false);
            d.Flush(hub, 20, 4096);
            Assert.AreEqual(1, hub.Violations, hub.ViolationText());
            Assert.Contains("beyond link credit", hub.ViolationText());
        }

        [TestMethod]
        public void DuplicateDeliveryId_IsAViolation()
        {
            SimHub hub = NewHub();
            SimScriptedDevice d = Connected(hub, 4096);
            d.Transfer(2, 1, true, SimScriptedDevice.Telemetry("a", new byte[1]), false, false);
            d.Transfer(2, 1, true, SimScriptedDevice.Telemetry("b", new byte[1]), false, false);
            d.Flush(hub, 20, 4096);
            Assert.Contains("duplicate delivery-id", hub.ViolationText());
        }

        [TestMethod]
        public void MultiFrameTelemetry_IsReassembled()
        {
            SimHub hub = NewHub();
            SimScriptedDevice d = Connected(hub, 4096);
            byte[] body = SimScriptedDevice.Pattern(3000);
            byte[] msg = SimScriptedDevice.Telemetry("big", body);
            int third = msg.Length / 3;
            d.Transfer(2, 1, true, Slice(msg, 0, third), true, false);
            d.Transfer(2, 1, false, Slice(msg, third, third), true, false);
            d.Transfer(2, 1, false, Slice(msg, 2 * third, msg.Length - 2 * third), false, false);
            d.Flush(hub, 20, 4096);
            Assert.AreEqual(0, hub.Violations, hub.ViolationText());
            Expect.Bytes(body, hub.TelemetryBody("big"));
        }

        [TestMethod]
        public void FrameAboveHubMaxFrameSize_IsAViolationAndCloses()
        {
            SimHub hub = new SimHub();
            hub.MaxFrameSize = 1024;
            hub.Accept(0);
            SimScriptedDevice d = Connected(hub, 4096);
            d.Transfer(2, 1, true, SimScriptedDevice.Telemetry("big", new byte[2000]), false, false);
            d.Flush(hub, 20, 4096);
            Assert.Contains("exceeds the hub's max-frame-size", hub.ViolationText());
            Assert.AreEqual(ErrorCode.FramingError, ((Close)d.Last(Descriptor.Close)).Error.Condition);
        }

        [TestMethod]
        public void C2d_LargerThanDeviceFrame_IsSplitAndSettled()
        {
            SimHub hub = NewHub();
            var d = new SimScriptedDevice();
            d.OpenWithCbs(1024, 0);
            d.Flush(hub, 5, 4096);
            d.PutTokenRequest();
            d.Attach(2, "c2d", Role.Receiver, Devicebound);
            d.Flow(2, 0, 5);
            d.Flush(hub, 10, 4096);
            SimC2d c = hub.EnqueueC2d(5000);
            d.ReadHub(hub);
            ArrayList got = d.Deliveries(2);
            Assert.AreEqual(1, got.Count);
            int transfers = 0;
            for (int i = 0; i < d.Frames.Count; i++)
            {
                var f = (SimFrame)d.Frames[i];
                if (f.Code == Descriptor.Transfer && ((Transfer)f.Body).Handle == 2) transfers++;
            }
            Assert.IsTrue(transfers >= 5, "5000 bytes in 1024-byte frames, got " + transfers);
            Message m = MessageCodec.Decode(new ByteBuffer((byte[])got[0], 0, ((byte[])got[0]).Length));
            Expect.Bytes(c.Body, m.GetBytes());
            d.Settle(c.DeliveryId, Accepted.Instance);
            d.Flush(hub, 30, 4096);
            Assert.AreEqual(SimC2d.Completed, c.State);
            Assert.AreEqual("accepted", c.Outcome);
            d.Settle(c.DeliveryId, Accepted.Instance);
            d.Flush(hub, 40, 4096);
            Assert.Contains("twice", hub.ViolationText());
        }

        [TestMethod]
        public void AbortedC2d_IsRedeliveredWhole()
        {
            SimHub hub = NewHub();
            hub.AbortNextC2d = 1;
            var d = new SimScriptedDevice();
            d.OpenWithCbs(65536, 0);
            d.Flush(hub, 5, 4096);
            d.PutTokenRequest();
            d.Attach(2, "c2d", Role.Receiver, Devicebound);
            d.Flow(2, 0, 5);
            d.Flush(hub, 10, 4096);
            SimC2d c = hub.EnqueueC2d(300);
            d.ReadHub(hub);
            bool sawAbort = false;
            for (int i = 0; i < d.Frames.Count; i++)
            {
                var f = (SimFrame)d.Frames[i];
                if (f.Code == Descriptor.Transfer && ((Transfer)f.Body).Aborted) sawAbort = true;
            }
            Assert.IsTrue(sawAbort);
            Assert.AreEqual(1, d.Deliveries(2).Count, "the aborted delivery, then the whole one");
            Assert.AreEqual(2, c.Deliveries);
            Assert.AreEqual(1, hub.C2dAborted);
            Assert.AreEqual(SimC2d.InFlight, c.State);
        }

        [TestMethod]
        public void UnsettledC2d_IsRedeliveredAfterReconnect()
        {
            SimHub hub = NewHub();
            var d = new SimScriptedDevice();
            d.OpenWithCbs(65536, 0);
            d.Flush(hub, 5, 4096);
            d.PutTokenRequest();
            d.Attach(2, "c2d", Role.Receiver, Devicebound);
            d.Flow(2, 0, 5);
            d.Flush(hub, 10, 4096);
            SimC2d c = hub.EnqueueC2d(10);
            hub.Disconnect();
            Assert.AreEqual(SimC2d.Queued, c.State);
            hub.Accept(100);
            var d2 = new SimScriptedDevice();
            d2.OpenWithCbs(65536, 0);
            d2.Flush(hub, 105, 4096);
            d2.PutTokenRequest();
            d2.Attach(2, "c2d", Role.Receiver, Devicebound);
            d2.Flow(2, 0, 5);
            d2.Flush(hub, 110, 4096);
            Assert.AreEqual(1, d2.Deliveries(2).Count);
            Assert.AreEqual(2, c.Deliveries);
            Assert.AreEqual(2, hub.ConnectionsAccepted);
        }

        [TestMethod]
        public void Redirect_DetachesTelemetryWithHostAndPort()
        {
            SimHub hub = NewHub();
            hub.RedirectAt(50, SimLinkKind.Telemetry, "other.azure-devices.net", 5671);
            SimScriptedDevice d = Connected(hub, 4096);
            hub.Tick(50);
            d.ReadHub(hub);
            var detach = (Detach)d.Last(Descriptor.Detach);
            Assert.AreEqual(ErrorCode.LinkRedirect, detach.Error.Condition);
            Assert.AreEqual("other.azure-devices.net", detach.Error.Info[new Symbol("network-host")]);
            Assert.AreEqual(5671, (int)detach.Error.Info[new Symbol("port")]);
        }

        [TestMethod]
        public void SilentDevice_IsClosedAfterIdleTimeout()
        {
            var hub = new SimHub();
            hub.IdleTimeoutMs = 100;
            hub.Accept(0);
            SimScriptedDevice d = Connected(hub, 4096);
            hub.Tick(61);
            Assert.Contains("silent", hub.ViolationText());
            hub.Tick(111);
            d.ReadHub(hub);
            var close = (Close)d.Last(Descriptor.Close);
            Assert.IsNotNull(close);
            Assert.AreEqual(ErrorCode.ResourceLimitExceeded, close.Error.Condition);
            d.Perf(new Close());
            d.Flush(hub, 120, 4096);
            Assert.IsTrue(hub.WantsClose);
            d.Empty();
            d.Flush(hub, 121, 4096);
            Assert.Contains("after the device's close", hub.ViolationText());
        }

        [TestMethod]
        public void HeartbeatsWithinHalfIdle_AreNoViolation()
        {
            var hub = new SimHub();
            hub.IdleTimeoutMs = 100;
            hub.Accept(0);
            SimScriptedDevice d = Connected(hub, 4096);
            for (long t = 40; t < 400; t += 40)
            {
                d.Empty();
                d.Flush(hub, t, 4096);
            }
            Assert.AreEqual(0, hub.Violations, hub.ViolationText());
            Assert.AreEqual(9, hub.HeartbeatsSeen);
        }

        [TestMethod]
        public void ExpiredToken_ClosesWithUnauthorized()
        {
            SimHub hub = NewHub();
            SimScriptedDevice d = Connected(hub, 4096);
            hub.ExpireTokenAt(500);
            hub.Tick(500);
            d.ReadHub(hub);
            Assert.AreEqual(ErrorCode.UnauthorizedAccess, ((Close)d.Last(Descriptor.Close)).Error.Condition);
            Assert.AreEqual(1, hub.TokenExpirations);
        }

        [TestMethod]
        [DataRow(1)]
        [DataRow(3)]
        [DataRow(17)]
        public void InputSplitAnywhere_GivesTheSameResult(int split)
        {
            SimHub whole = NewHub();
            SimScriptedDevice a = Connected(whole, 1 << 20);
            a.Transfer(2, 1, true, SimScriptedDevice.Telemetry("m", SimScriptedDevice.Pattern(700)), false, false);
            a.Flush(whole, 20, 1 << 20);
            SimHub pieces = NewHub();
            SimScriptedDevice b = Connected(pieces, split);
            b.Transfer(2, 1, true, SimScriptedDevice.Telemetry("m", SimScriptedDevice.Pattern(700)), false, false);
            b.Flush(pieces, 20, split);
            Assert.AreEqual(0, pieces.Violations, pieces.ViolationText());
            Assert.AreEqual(whole.TraceText(), pieces.TraceText());
            Expect.Bytes(a.AllReceived, b.AllReceived);
            Assert.AreEqual(1, pieces.AcceptedSent("m"));
        }

        [TestMethod]
        public void TransferBeyondIncomingWindow_IsAViolation()
        {
            var hub = new SimHub();
            hub.IncomingWindow = 2;
            hub.WithholdWindow = true;
            hub.Accept(0);
            SimScriptedDevice d = Connected(hub, 4096); // the put-token takes transfer-id 0
            d.Transfer(2, 1, true, SimScriptedDevice.Telemetry("a", new byte[1]), false, false);
            d.Transfer(2, 2, true, SimScriptedDevice.Telemetry("b", new byte[1]), false, false);
            d.Flush(hub, 20, 4096);
            Assert.AreEqual(1, hub.Violations, hub.ViolationText());
            Assert.Contains("incoming window", hub.ViolationText());
        }

        [TestMethod]
        public void RefusedPutToken_Replies401_AndRefusesTheAttach()
        {
            var hub = new SimHub();
            hub.RefusePutToken = true;
            hub.Accept(0);
            SimScriptedDevice d = Connected(hub, 4096);
            Message reply = MessageCodec.Decode(new ByteBuffer((byte[])d.Deliveries(1)[0], 0, ((byte[])d.Deliveries(1)[0]).Length));
            Assert.AreEqual(401, (int)reply.ApplicationProperties["status-code"]);
            Assert.AreEqual(ErrorCode.UnauthorizedAccess, ((Detach)d.Last(Descriptor.Detach)).Error.Condition);
        }

        [TestMethod]
        public void DelayedPutTokenReply_PipelinedAttachIsStillAccepted()
        {
            var hub = new SimHub();
            hub.PutTokenReplyDelayMs = 200;
            hub.Accept(0);
            SimScriptedDevice d = Connected(hub, 4096);
            Assert.AreEqual(0, hub.AttachesRefused);
            Assert.AreEqual(0, hub.PutTokenRepliesSent);
            hub.Tick(210);
            Assert.AreEqual(1, hub.PutTokenRepliesSent);
        }

        [TestMethod]
        public void ThrottledTelemetry_IsRejectedAndNotStored()
        {
            var hub = new SimHub();
            hub.RejectTelemetryCount = 1;
            hub.Accept(0);
            SimScriptedDevice d = Connected(hub, 4096);
            d.Transfer(2, 1, true, SimScriptedDevice.Telemetry("t", new byte[1]), false, false);
            d.Flush(hub, 20, 4096);
            var disp = (Disposition)d.Last(Descriptor.Disposition);
            Assert.AreEqual(ErrorCode.ResourceLimitExceeded, ((Rejected)disp.State).Error.Condition);
            Assert.AreEqual(0, hub.TelemetryCount("t"));
            Assert.AreEqual(0, hub.AcceptedSent("t"));
        }

        [TestMethod]
        public void NetworkPump_CarriesTheOpeningBothWays()
        {
            var hub = new SimHub();
            var net = new SimNetwork(new SimRandom(5));
            net.SetLatency(3, 4);
            net.ToHub.MaxReadBytes = 5;
            hub.Accept(0);
            var d = new SimScriptedDevice();
            d.Header(IotHubAmqp.Device.Framing.ProtocolHeader.Amqp);
            d.Open(65536, 0);
            byte[] bytes = d.TakePending();
            net.DeviceWrite(bytes, 0, bytes.Length, 0);
            for (long t = 0; t < 100; t++) net.Pump(hub, t);
            byte[] got = new byte[4096];
            int n = net.DeviceRead(got, 0, got.Length, 100);
            Assert.IsTrue(n > 8, "header and open reached the device");
            Assert.AreEqual((byte)'A', got[0]);
            net.Cut();
            net.Pump(hub, 101);
            Assert.IsFalse(hub.Connected);
        }


        private static byte[] Slice(byte[] a, int at, int n)
        {
            byte[] r = new byte[n];
            System.Array.Copy(a, at, r, 0, n);
            return r;
        }
    }
}
