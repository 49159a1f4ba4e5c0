// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
using IotHubAmqp.Device.Engine;
using nanoFramework.TestFramework;

namespace IotHubAmqp.Device.Tests.Engine
{
    [TestClass]
    public class EngineEventsTests
    {
        private sealed class Source : EngineObject
        {
        }

        [TestMethod]
        public void Raise_MoreObjectsThanCapacity_GrowsAndKeepsTheOrder()
        {
            var ring = new EventRing(2);
            var a = new Source[5];
            for (int i = 0; i < a.Length; i++) a[i] = new Source();
            ring.Raise(a[0], 1);
            ring.Raise(a[1], 2);
            Assert.AreSame(a[0], ring.Next(out int k0)); // head moves: the ring wraps before it grows
            Assert.AreEqual(1, k0);
            for (int i = 2; i < a.Length; i++) ring.Raise(a[i], 1 << i);
            Assert.IsTrue(ring.Capacity >= 4, "grew to hold four pending objects");
            for (int i = 1; i < a.Length; i++)
            {
                Assert.AreSame(a[i], ring.Next(out int kinds));
                Assert.AreEqual(1 << i, kinds);
            }
            Assert.IsNull(ring.Next(out _));
        }

        [TestMethod]
        public void Raise_SameObjectTwice_OneEntryWithBothKinds()
        {
            var ring = new EventRing(1);
            var s = new Source();
            ring.Raise(s, 1);
            ring.Raise(s, 4);
            Assert.AreEqual(1, ring.Count);
            Assert.AreEqual(1, ring.Capacity, "no growth for an object already queued");
            Assert.AreSame(s, ring.Next(out int kinds));
            Assert.AreEqual(5, kinds);
        }
    }
}
