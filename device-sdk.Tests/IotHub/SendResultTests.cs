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

        [TestMethod]
        public void NameOf_EveryOutcome_ItsName()
        {
            Assert.AreEqual("Accepted", SendResult.NameOf(SendOutcome.Accepted));
            Assert.AreEqual("Rejected", SendResult.NameOf(SendOutcome.Rejected));
            Assert.AreEqual("Throttled", SendResult.NameOf(SendOutcome.Throttled));
            Assert.AreEqual("Released", SendResult.NameOf(SendOutcome.Released));
            Assert.AreEqual("TimedOut", SendResult.NameOf(SendOutcome.TimedOut));
        }

        [TestMethod]
        public void NameOf_UnknownOutcome_Number()
        {
            Assert.AreEqual("Outcome 5", SendResult.NameOf((SendOutcome)5));
            Assert.AreEqual("Outcome -1", SendResult.NameOf((SendOutcome)(-1)));
        }

        [TestMethod]
        public void ToString_WithCondition_NameConditionAndDescription()
        {
            Assert.AreEqual("Rejected (c: d)", new SendResult(SendOutcome.Rejected, "c", "d", "m").ToString());
            Assert.AreEqual("Released", new SendResult(SendOutcome.Released, null, null, "m").ToString());
        }
    }
}
