// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
using nanoFramework.TestFramework;

namespace IotHubAmqp.Device.Tests.Simulation
{
    [TestClass]
    public class SimRandomTests
    {
        [TestMethod]
        public void SeedZero_GivesTheSplitMix64ReferenceValue()
        {
            // splitmix64's published first output for seed 0: the same on every runtime.
            Assert.AreEqual(0xE220A8397B1DCDAFUL, new SimRandom(0).NextULong());
        }

        [TestMethod]
        public void SameSeed_SameSequence()
        {
            var a = new SimRandom(42);
            var b = new SimRandom(42);
            for (int i = 0; i < 100; i++) Assert.AreEqual(a.Next(1000), b.Next(1000));
        }

        [TestMethod]
        public void Next_StaysInRange_AndNextBoolHonoursBounds()
        {
            var r = new SimRandom(7);
            for (int i = 0; i < 1000; i++)
            {
                int v = r.Next(10);
                Assert.IsTrue(v >= 0 && v < 10);
            }
            Assert.IsFalse(r.NextBool(0));
            Assert.IsTrue(r.NextBool(100));
        }
    }
}
