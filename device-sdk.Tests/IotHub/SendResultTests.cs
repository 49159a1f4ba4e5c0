// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
using IotHubAmqp.Device.IotHub;
using nanoFramework.TestFramework;

namespace IotHubAmqp.Device.Tests.IotHub
{
    [TestClass]
    public class SendResultTests
    {
        [TestMethod]
        public void Accepted_IsAcceptedAndCarriesMessageId()
        {
            var r = new SendResult(SendOutcome.Accepted, null, null, "m-1");
            Assert.IsTrue(r.IsAccepted);
            Assert.AreEqual(SendOutcome.Accepted, r.Outcome);
            Assert.AreEqual("m-1", r.MessageId);
            Assert.IsNull(r.Condition);
            Assert.IsNull(r.Description);
        }

        [TestMethod]
        [DataRow(1)]
        [DataRow(2)]
        [DataRow(3)]
        [DataRow(4)]
        public void OtherOutcomes_NotAccepted(int outcome)
        {
            Assert.IsFalse(new SendResult((SendOutcome)outcome, "c", "d", "m").IsAccepted);
        }

        [TestMethod]
        public void Throttled_KeepsConditionAndDescription()
        {
            var r = new SendResult(SendOutcome.Throttled, "amqp:resource-limit-exceeded", "quota", "m-2");
            Assert.AreEqual("amqp:resource-limit-exceeded", r.Condition);
            Assert.AreEqual("quota", r.Description);
        }

        [TestMethod]
        public void ToString_WithCondition_ShowsConditionAndDescription()
        {
            string s = new SendResult(SendOutcome.Rejected, "amqp:unauthorized-access", "Token Invalid", "m").ToString();
            Assert.IsTrue(s.IndexOf("amqp:unauthorized-access") >= 0, s);
            Assert.IsTrue(s.IndexOf("Token Invalid") >= 0, s);
        }

        [TestMethod]
        public void ToString_Accepted_DiffersFromRejected()
        {
            Assert.AreNotEqual(new SendResult(SendOutcome.Accepted, null, null, "m").ToString(), new SendResult(SendOutcome.Released, null, null, "m").ToString());
        }
    }
}
