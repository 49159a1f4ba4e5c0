// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
using System;
using IotHubAmqp.Device.IotHub;
using nanoFramework.TestFramework;
using TestFrameworkShared;

namespace IotHubAmqp.Device.Tests.IotHub
{
    [TestClass]
    public class RetryPolicyTests
    {
        // random 0.5 gives a spread of exactly 0: the un-jittered delay.
        private const double Middle = 0.5;
        private const double AlmostOne = 0.999999999;

        [TestMethod]
        public void Defaults_AreDocumentedValuesAndValid()
        {
            var p = new RetryPolicy();
            Assert.AreEqual(500, p.MinDelayMs);
            Assert.AreEqual(30000, p.MaxDelayMs);
            Assert.AreEqual(0.2, p.Jitter);
            Assert.AreEqual(0, p.MaxAttempts);
            p.Validate();
        }

        [TestMethod]
        public void DelayMs_NoJitter_DoublesFromMinToMax()
        {
            var p = new RetryPolicy { MinDelayMs = 100, MaxDelayMs = 1000, Jitter = 0 };
            int[] expected = { 100, 200, 400, 800, 1000, 1000, 1000 };
            for (int attempt = 0; attempt < expected.Length; attempt++)
                Assert.AreEqual(expected[attempt], p.DelayMs(attempt, AlmostOne), "attempt " + attempt);
        }

        [TestMethod]
        public void DelayMs_MiddleRandom_IsUnjitteredDelay()
        {
            var p = new RetryPolicy { MinDelayMs = 500, MaxDelayMs = 30000, Jitter = 0.2 };
            Assert.AreEqual(500, p.DelayMs(0, Middle));
            Assert.AreEqual(1000, p.DelayMs(1, Middle));
            Assert.AreEqual(16000, p.DelayMs(5, Middle));
            Assert.AreEqual(30000, p.DelayMs(6, Middle));
        }

        [TestMethod]
        public void DelayMs_HugeAttempt_CappedWithoutOverflow()
        {
            var p = new RetryPolicy { MinDelayMs = 500, MaxDelayMs = int.MaxValue, Jitter = 0 };
            Assert.AreEqual(int.MaxValue, p.DelayMs(100, Middle));
            Assert.AreEqual(30000, new RetryPolicy { Jitter = 0 }.DelayMs(int.MaxValue, Middle));
        }

        [TestMethod]
        public void DelayMs_RandomZero_LowerJitterBound()
        {
            var p = new RetryPolicy { MinDelayMs = 1000, MaxDelayMs = 8000, Jitter = 0.25 };
            Assert.AreEqual(750, p.DelayMs(0, 0));
            Assert.AreEqual(1500, p.DelayMs(1, 0));
            Assert.AreEqual(6000, p.DelayMs(10, 0));
        }

        [TestMethod]
        public void DelayMs_RandomNearOne_UpperJitterBound()
        {
            var p = new RetryPolicy { MinDelayMs = 1000, MaxDelayMs = 8000, Jitter = 0.25 };
            int first = p.DelayMs(0, AlmostOne);
            Assert.IsTrue(first >= 1249 && first <= 1250, "attempt 0: " + first);
            int capped = p.DelayMs(10, AlmostOne);
            Assert.IsTrue(capped >= 9999 && capped <= 10000, "attempt 10: " + capped);
        }

        [TestMethod]
        public void DelayMs_AnyRandom_StaysWithinJitterBand()
        {
            var p = new RetryPolicy { MinDelayMs = 200, MaxDelayMs = 5000, Jitter = 0.5 };
            for (int attempt = 0; attempt < 8; attempt++)
            {
                int nominal = p.DelayMs(attempt, Middle);
                for (int k = 0; k <= 10; k++)
                {
                    double r = k / 10.0 * AlmostOne;
                    int d = p.DelayMs(attempt, r);
                    Assert.IsTrue(d >= nominal / 2 && d <= nominal + nominal / 2, "attempt " + attempt + " random " + r + ": " + d);
                }
            }
        }

        [TestMethod]
        public void DelayMs_FullJitterRandomZero_NotNegative()
        {
            var p = new RetryPolicy { MinDelayMs = 100, MaxDelayMs = 100, Jitter = 1 };
            Assert.AreEqual(0, p.DelayMs(0, 0));
        }

        [TestMethod]
        public void MayRetry_Unlimited_AlwaysTrue()
        {
            var p = new RetryPolicy { MaxAttempts = 0 };
            Assert.IsTrue(p.MayRetry(0));
            Assert.IsTrue(p.MayRetry(1000));
            Assert.IsTrue(p.MayRetry(int.MaxValue));
        }

        [TestMethod]
        public void MayRetry_LimitN_TrueBelowNFalseFromN()
        {
            var p = new RetryPolicy { MaxAttempts = 3 };
            Assert.IsTrue(p.MayRetry(0));
            Assert.IsTrue(p.MayRetry(2));
            Assert.IsFalse(p.MayRetry(3));
            Assert.IsFalse(p.MayRetry(4));
        }

        // MinDelayMs 0 doubles to 0 forever (no backoff at all: a tight reconnect loop against a down hub);
        // a NaN jitter passes every comparison and turns each delay into NaN.
        [TestMethod]
        [DataRow("MinDelayMs", -1.0, "MinDelayMs")]
        [DataRow("MinDelayMs", 0.0, "MinDelayMs")]
        [DataRow("MaxDelayMs", 499.0, "MaxDelayMs")]
        [DataRow("Jitter", -0.01, "Jitter")]
        [DataRow("Jitter", 1.01, "Jitter")]
        [DataRow("Jitter", double.NaN, "Jitter")]
        [DataRow("MaxAttempts", -1.0, "MaxAttempts")]
        public void Validate_OutOfRange_ThrowsNamingProperty(string property, double value, string expected)
        {
            var p = new RetryPolicy();
            switch (property)
            {
                case "MinDelayMs": p.MinDelayMs = (int)value; break;
                case "MaxDelayMs": p.MaxDelayMs = (int)value; break;
                case "Jitter": p.Jitter = value; break;
                case "MaxAttempts": p.MaxAttempts = (int)value; break;
                default: throw new AssertFailedException("unknown property " + property);
            }
            try
            {
                p.Validate();
            }
            catch (ArgumentException e)
            {
                Assert.IsTrue(e.Message.IndexOf(expected) >= 0, "message does not name " + expected + ": " + e.Message);
                return;
            }
            throw new AssertFailedException("Validate accepted " + property + " = " + value);
        }

        [TestMethod]
        public void Validate_Boundaries_Accepted()
        {
            new RetryPolicy { MinDelayMs = 10, MaxDelayMs = 10, Jitter = 0, MaxAttempts = 0 }.Validate();
            new RetryPolicy { MinDelayMs = 10, MaxDelayMs = 20, Jitter = 1, MaxAttempts = 1 }.Validate();
        }

        [TestMethod]
        [DataRow("amqp:connection:forced", true)]
        [DataRow("iothubamqp:connection-lost", true)]
        [DataRow("amqp:internal-error", true)]
        [DataRow("amqp:resource-limit-exceeded", true)]
        [DataRow("amqp:link:detach-forced", true)]
        [DataRow("com.microsoft:timeout", true)]
        [DataRow("com.microsoft:server-busy", true)]
        [DataRow("amqp:unauthorized-access", false)]
        [DataRow("amqp:not-found", false)]
        [DataRow("amqp:connection:forced;amqp:internal-error", false)]
        [DataRow("", false)]
        public void IsTransient_Condition_OnlyForTheRetryableOnes(string condition, bool expected)
        {
            Assert.AreEqual(expected, RetryPolicy.IsTransient(condition));
        }

        [TestMethod]
        public void IsTransient_NoCondition_False()
        {
            Assert.IsFalse(RetryPolicy.IsTransient(null));
        }
    }
}
