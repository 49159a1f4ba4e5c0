// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
using IotHubAmqp.Device.IotHub;
using IotHubAmqp.Device.Sasl;
using IotHubAmqp.Device.Types;
using nanoFramework.TestFramework;

namespace IotHubAmqp.Device.Tests.Simulation
{
    /// <summary>
    /// The IoT Hub client's state machine in scripted scenarios against the simulated hub: token renewal, CBS
    /// settlement, SASL outcomes and the status it reports (defects 13 and 15 of issue 10).
    /// </summary>
    [TestClass]
    public class ClientCoreScenarioTests
    {
        [TestMethod]
        public void RenewalRefused_ClientLeavesConnectedBeforeItsTokenExpires()
        {
            // The hub would keep the connection (its tokens last an hour); only the client knows its token ends at 20 s.
            var rig = new SimClientRig();
            rig.Options.TokenLifetimeSeconds = 20;
            rig.Hub.TokenLifetimeMs = 3600000;
            ClientRequest open = rig.Open(5000);
            rig.RunUntil(1000);
            Assert.IsTrue(open.IsCompleted && open.Error == null, rig.StatusText());
            rig.Hub.RefusePutToken = true;
            rig.RunUntil(25000);
            long failed = rig.FirstStatusAt("TokenRenewalFailed", 0);
            long left = rig.FirstStatusAt("Reconnecting", 0);
            Assert.IsTrue(failed > 0, "the refused renewal is reported\n" + rig.StatusText());
            // A client that took the refused token's expiry as its own would stay Connected to 40 s.
            Assert.IsTrue(left > 0 && left <= 20000, "the client reconnects by the old token's expiry\n" + rig.StatusText());
            Assert.AreEqual(0, rig.Core.TokenRenewals, "a refused token is never counted as renewed");
        }

        [TestMethod]
        public void RenewalAnswered_TokenCountsFromTheReply()
        {
            var rig = new SimClientRig();
            rig.Options.TokenLifetimeSeconds = 20;
            rig.Hub.TokenLifetimeMs = 3600000;
            rig.Hub.PutTokenReplyDelayMs = 300;
            ClientRequest open = rig.Open(5000);
            rig.RunUntil(60000);
            Assert.IsTrue(open.IsCompleted && open.Error == null, rig.StatusText());
            Assert.IsTrue(rig.Core.TokenRenewals >= 3, "20 s tokens are renewed on the same connection\n" + rig.StatusText());
            Assert.AreEqual(-1L, rig.FirstStatusAt("Reconnecting", 0), rig.StatusText());
        }

        [TestMethod]
        public void CbsRepliesSentUnsettled_DeviceSettlesEachOne()
        {
            var rig = new SimClientRig();
            rig.Options.TokenLifetimeSeconds = 20;
            rig.Hub.CbsRepliesUnsettled = true;
            rig.Hub.TokenLifetimeMs = 3600000;
            ClientRequest open = rig.Open(5000);
            rig.RunUntil(45000);
            Assert.IsTrue(open.IsCompleted && open.Error == null, rig.StatusText());
            Assert.IsTrue(rig.Hub.PutTokenRepliesSent >= 3, "connect and two renewals");
            Assert.AreEqual(0, rig.Hub.UnsettledCbsReplies, "every put-token reply is settled by the device");
        }

        [TestMethod]
        public void OpenMeetsSaslSysTemp_RetriesWithinItsDeadlineAndConnects()
        {
            var rig = new SimClientRig();
            rig.Options.Authentication = AuthenticationMode.SaslPlain;
            rig.Hub.SaslFailures = 2;
            rig.Hub.SaslFailureCode = SaslOutcome.SysTemp;
            ClientRequest open = rig.Open(5000);
            rig.RunUntil(5000);
            Assert.IsTrue(open.IsCompleted, "Open ended within its deadline");
            Assert.IsNull(open.Error, open.Error == null ? null : open.Error.Message);
            Assert.AreEqual(3, rig.Hub.ConnectionsAccepted, "two refused attempts, then the one that worked");
            Assert.AreEqual(ClientStatus.Connected, rig.Core.Status);
        }

        [TestMethod]
        [DataRow(SaslOutcome.Auth, ErrorCode.UnauthorizedAccess)]
        [DataRow(SaslOutcome.SysPerm, ErrorCode.NotAllowed)]
        public void OpenMeetsPermanentSaslFailure_FailsAtOnceWithItsCondition(int code, string condition)
        {
            var rig = new SimClientRig();
            rig.Options.Authentication = AuthenticationMode.SaslPlain;
            rig.Hub.SaslFailures = 100;
            rig.Hub.SaslFailureCode = (byte)code;
            ClientRequest open = rig.Open(5000);
            rig.RunUntil(1000);
            Assert.IsTrue(open.IsCompleted, "no retry for a failure a retry cannot cure");
            Assert.IsTrue(open.Error is AmqpException, "an AMQP error");
            Assert.AreEqual(condition, ((AmqpException)open.Error).Condition);
            Assert.AreEqual(1, rig.Hub.ConnectionsAccepted);
        }

        [TestMethod]
        public void OpenMeetsSysTempThroughout_FailsByItsDeadlineWithTheLastReason()
        {
            var rig = new SimClientRig();
            rig.Options.Authentication = AuthenticationMode.SaslPlain;
            rig.Hub.SaslFailures = 1000;
            ClientRequest open = rig.Open(3000);
            rig.RunUntil(3000);
            Assert.IsTrue(open.IsCompleted, "Open ends by its deadline");
            var e = (AmqpException)open.Error;
            Assert.AreEqual(ErrorCode.ConnectionForced, e.Condition);
            Assert.IsTrue(e.Message.IndexOf("temporary system error") >= 0, e.Message);
            Assert.IsTrue(rig.Hub.ConnectionsAccepted > 1, "it did retry meanwhile");
        }

        [TestMethod]
        public void ReconnectMeetsSaslSysTemp_StatusNeverReadsConnectedUntilItIs()
        {
            var rig = new SimClientRig();
            rig.Options.Authentication = AuthenticationMode.SaslPlain;
            ClientRequest open = rig.Open(5000);
            rig.RunUntil(1000);
            Assert.IsTrue(open.IsCompleted && open.Error == null, rig.StatusText());
            rig.Hub.SaslFailures = 3;
            rig.Hub.CloseAt(2000, ErrorCode.ConnectionForced, "hub restarting");
            rig.RunUntil(20000);
            Assert.IsTrue(rig.FirstStatusAt("Reconnecting", 2000) >= 2000, rig.StatusText());
            Assert.IsTrue(rig.FirstStatusAt("Connected", 2001) > 2000, "reconnected after the sys-temp refusals\n" + rig.StatusText());
            Assert.AreEqual(-1L, rig.StatusAheadOfPhaseAt, "Status read Connected while the client was not\n" + rig.StatusText());
            Assert.AreEqual(ClientStatus.Connected, rig.Core.Status);
        }
    }
}
