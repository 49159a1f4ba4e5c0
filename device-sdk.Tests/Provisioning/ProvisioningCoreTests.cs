// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
using System;
using IotHubAmqp.Device.Buffers;
using IotHubAmqp.Device.Framing;
using IotHubAmqp.Device.Messaging;
using IotHubAmqp.Device.Provisioning;
using IotHubAmqp.Device.Sasl;
using IotHubAmqp.Device.Types;
using nanoFramework.TestFramework;
using TestFrameworkShared;

namespace IotHubAmqp.Device.Tests.Provisioning
{
    // The registration state machine against a scripted DPS, in virtual time: the pipelined opening, polling after
    // retry-after, a throttled register tried again, and the errors for refused credentials and the deadline.
    [TestClass]
    public class ProvisioningCoreTests
    {
        private const string Scope = "0ne00ABCDEF";
        private const string Address = Scope + "/registrations/r1";
        private const uint DpsSends = 7;     // the scripted DPS's handle for its sender (the device's receiver)
        private const uint DpsReceives = 8;  // and for its receiver (the device's sender)

        private sealed class Rig
        {
            public readonly ScriptedAmqpPeer Peer = new ScriptedAmqpPeer();
            public readonly ProvisioningCore Core;
            public long Now;
            public uint NextAnswerId;

            public Rig(int timeoutMs, bool x509 = false)
            {
                var o = new ProvisioningOptions();
                o.TimeoutMs = timeoutMs;
                SaslProfile sasl = x509 ? null : SaslProfile.Plain(Address, "SharedAccessSignature sr=x&sig=y&se=1&skn=registration");
                Core = new ProvisioningCore(Scope, "r1", null, sasl, o, "test/1");
                Core.Start(Now);
                Assert.IsTrue(Core.WantsTransport);
                Core.TransportConnecting();
                Core.TransportConnected(Now);
            }

            public void Pump()
            {
                for (int round = 0; round < 1000; round++)
                {
                    bool moved = false;
                    while (Core.Engine.HasOutput)
                    {
                        Core.Engine.GetOutput(out byte[] b, out int off, out int n);
                        Peer.Accept(b, off, n);
                        Core.Engine.OutputWritten(Now);
                        moved = true;
                    }
                    while (Peer.HasOutbound)
                    {
                        byte[] chunk = Peer.TakeOutbound();
                        if (!Core.Engine.IsEnded) Core.Engine.Received(chunk, 0, chunk.Length, Now);
                        Core.ProcessEvents(Now);
                        moved = true;
                    }
                    if (!moved) return;
                }
                throw new AssertFailedException("the core and the peer did not go quiet");
            }

            public void Advance(long ms)
            {
                Now += ms;
                Core.Tick(Now);
                Pump();
            }

            // Next frame of a kind, skipping the flows the engine sends on its own.
            public PeerFrame Next(ulong code)
            {
                while (true)
                {
                    PeerFrame f = Peer.ReadPerformative();
                    if (f.Code == Descriptor.Flow && code != Descriptor.Flow) continue;
                    Assert.AreEqual(Descriptor.NameOf(code), Descriptor.NameOf(f.Code));
                    return f;
                }
            }

            // SASL PLAIN accepted, open, begin, both attaches answered and credit given: returns the register request.
            public PeerFrame OpenToRegister()
            {
                Pump();
                Peer.ExpectHeader(ProtocolHeader.Sasl);
                var init = (SaslInit)Peer.ReadFrame().Performative;
                Assert.AreEqual("PLAIN", init.Mechanism);
                Peer.SendHeader(ProtocolHeader.Sasl);
                Peer.SendSasl(new SaslMechanisms { SaslServerMechanisms = new[] { "PLAIN" } });
                Peer.SendSasl(new SaslOutcome { Code = SaslOutcome.Ok });
                Peer.SendHeaderAndOpen(65536, 0);
                Pump();
                Peer.ExpectHeader(ProtocolHeader.Amqp);
                Peer.ExpectOpen();
                Peer.AnswerBegin(0);
                var receiver = (Attach)Next(Descriptor.Attach).Performative;
                var sender = (Attach)Next(Descriptor.Attach).Performative;
                Assert.AreEqual(Role.Receiver, receiver.Role, "the receiver attaches first");
                Assert.AreEqual(Address, receiver.Source.Address);
                Assert.AreEqual(Address, sender.Target.Address);
                Assert.AreEqual("2019-03-31", receiver.Properties[new Symbol("com.microsoft:api-version")]);
                Peer.AnswerAttach(receiver, DpsSends);
                Peer.AnswerAttach(sender, DpsReceives);
                Peer.SendLinkFlow(DpsReceives, 0, 10);
                Pump();
                return Next(Descriptor.Transfer);
            }

            public void Answer(string json, string correlationId, string retryAfter)
            {
                var m = new Message(Bytes(json));
                m.Properties = new MessageProperties();
                m.Properties.CorrelationId = correlationId;
                if (retryAfter != null)
                {
                    m.ApplicationProperties = new AmqpMap();
                    m.ApplicationProperties["retry-after"] = retryAfter;
                }
                var b = new ByteBuffer(1024);
                MessageCodec.Encode(m, b);
                byte[] payload = new byte[b.Length];
                Array.Copy(b.Buffer, b.Offset, payload, 0, b.Length);
                Peer.SendTransfer(DpsSends, NextAnswerId++, payload, settled: true);
            }
        }

        private static byte[] Bytes(string s)
        {
            byte[] b = new byte[Utf8.GetByteCount(s)];
            Utf8.Encode(s, b, 0);
            return b;
        }

        [TestMethod]
        public void Register_AssigningThenPollAfterRetryAfter_Assigned()
        {
            var rig = new Rig(60000);
            rig.OpenToRegister();
            Assert.AreEqual(1, rig.Core.RoundTrips);
            rig.Peer.SendDisposition(0, 0, Accepted.Instance);
            rig.Answer("{\"operationId\":\"op-1\",\"status\":\"assigning\"}", "r1:1", "2");
            rig.Pump();
            rig.Peer.ExpectNothing("the poll waits for retry-after");
            rig.Advance(1999);
            rig.Peer.ExpectNothing("still waiting");
            rig.Advance(1);
            PeerFrame poll = rig.Next(Descriptor.Transfer);
            Message m = MessageCodec.Decode(new ByteBuffer(poll.Payload, 0, poll.Payload.Length));
            Assert.AreEqual("iotdps-get-operationstatus", m.ApplicationProperties["iotdps-operation-type"]);
            Assert.AreEqual("op-1", m.ApplicationProperties["iotdps-operation-id"]);
            Assert.AreEqual("r1:2", m.Properties.CorrelationId);
            rig.Peer.SendDisposition(1, 1, Accepted.Instance);
            rig.Answer("{\"operationId\":\"op-1\",\"status\":\"assigned\",\"registrationState\":{\"assignedHub\":\"h.azure-devices.net\",\"deviceId\":\"r1\"}}", "r1:2", null);
            rig.Pump();
            Assert.IsTrue(rig.Core.Finished);
            Assert.IsNull(rig.Core.Error);
            Assert.AreEqual("h.azure-devices.net", rig.Core.Result.AssignedHub);
            Assert.AreEqual("r1", rig.Core.Result.DeviceId);
            Assert.AreEqual(2, rig.Core.Result.RoundTrips);
            rig.Next(Descriptor.Close);
        }

        [TestMethod]
        public void Register_AnswerToAnotherCorrelationId_IsIgnored()
        {
            var rig = new Rig(60000);
            rig.OpenToRegister();
            rig.Answer("{\"status\":\"assigned\",\"registrationState\":{\"assignedHub\":\"old\",\"deviceId\":\"old\"}}", "r1:0", null);
            rig.Pump();
            Assert.IsFalse(rig.Core.Finished);
        }

        [TestMethod]
        public void Register_Throttled_RetriedAfterHint_ThenThrottledPastDeadlineFails()
        {
            var rig = new Rig(10000);
            rig.OpenToRegister();
            var rejected = new Rejected();
            rejected.Error = new Error("com.microsoft:device-container-throttled", "{\"errorCode\":429001,\"message\":\"throttled\"}");
            rejected.Error.Info = new AmqpMap();
            rejected.Error.Info[new Symbol("retry-after")] = "3";
            rig.Peer.SendDisposition(0, 0, rejected);
            rig.Pump();
            rig.Peer.ExpectNothing("the retry waits for retry-after");
            rig.Advance(3000);
            PeerFrame again = rig.Next(Descriptor.Transfer);
            Message m = MessageCodec.Decode(new ByteBuffer(again.Payload, 0, again.Payload.Length));
            Assert.AreEqual("iotdps-register", m.ApplicationProperties["iotdps-operation-type"]);
            rejected.Error.Info[new Symbol("retry-after")] = "30";
            rig.Peer.SendDisposition(1, 1, rejected);
            rig.Pump();
            Assert.IsTrue(rig.Core.Finished);
            Assert.AreEqual(ProvisioningError.Throttled, rig.Core.Error.Reason);
            Assert.AreEqual(30, rig.Core.Error.RetryAfterSeconds);
        }

        [TestMethod]
        public void SaslRefused_IsUnauthorizedNamingScopeAndRegistration()
        {
            var rig = new Rig(60000);
            rig.Pump();
            rig.Peer.SendHeader(ProtocolHeader.Sasl);
            rig.Peer.SendSasl(new SaslMechanisms { SaslServerMechanisms = new[] { "PLAIN" } });
            rig.Peer.SendSasl(new SaslOutcome { Code = SaslOutcome.Auth });
            rig.Pump();
            Assert.IsTrue(rig.Core.Finished);
            Assert.AreEqual(ProvisioningError.Unauthorized, rig.Core.Error.Reason);
            Assert.IsTrue(rig.Core.Error.Message.IndexOf("'" + Scope + "'") >= 0);
            Assert.IsTrue(rig.Core.Error.Message.IndexOf("'r1'") >= 0);
        }

        [TestMethod]
        public void SilentDps_TimesOutAtTheDeadline()
        {
            var rig = new Rig(5000);
            rig.Pump();
            Assert.AreEqual(5000L, rig.Core.NextDeadline);
            rig.Advance(4999);
            Assert.IsFalse(rig.Core.Finished);
            rig.Advance(1);
            Assert.IsTrue(rig.Core.Finished);
            Assert.AreEqual(ProvisioningError.Timeout, rig.Core.Error.Reason);
            Assert.IsTrue(rig.Core.Error.Message.IndexOf("5000 ms") >= 0);
        }

        [TestMethod]
        public void X509_NoSaslLayer_OpenAndAttachesLeaveAtOnce()
        {
            // X.509: the transport carries the credential; the AMQP header, open, begin and both attaches are the first flight.
            var rig = new Rig(60000, true);
            rig.Pump();
            rig.Peer.ExpectHeader(ProtocolHeader.Amqp);
            rig.Peer.ExpectOpen();
            rig.Peer.ExpectBegin();
            Assert.AreEqual(Role.Receiver, ((Attach)rig.Next(Descriptor.Attach).Performative).Role);
            Assert.AreEqual(Role.Sender, ((Attach)rig.Next(Descriptor.Attach).Performative).Role);
            Assert.AreEqual(1, rig.Core.RoundTrips, "the register request is queued behind the attaches");
        }

        [TestMethod]
        public void Disabled_FailsWithEnrollmentDisabled()
        {
            var rig = new Rig(60000);
            rig.OpenToRegister();
            rig.Answer("{\"operationId\":\"o\",\"status\":\"disabled\"}", "r1:1", null);
            rig.Pump();
            Assert.AreEqual(ProvisioningError.EnrollmentDisabled, rig.Core.Error.Reason);
        }
    }
}
