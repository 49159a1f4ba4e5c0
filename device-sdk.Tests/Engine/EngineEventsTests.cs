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
        public void Raise_ManyObjects_KeepsTheOrder()
        {
            var c = new Connection(new ConnectionSettings());
            var a = new Source[5];
            for (int i = 0; i < a.Length; i++) a[i] = new Source();
            c.Raise(a[0], 1);
            c.Raise(a[1], 2);
            Assert.AreSame(a[0], c.NextEvent(out int k0)); // taken from the front while others wait behind it
            Assert.AreEqual(1, k0);
            for (int i = 2; i < a.Length; i++) c.Raise(a[i], 1 << i);
            for (int i = 1; i < a.Length; i++)
            {
                Assert.AreSame(a[i], c.NextEvent(out int kinds));
                Assert.AreEqual(1 << i, kinds);
            }
            Assert.IsNull(c.NextEvent(out _));
            c.Raise(a[3], 4);
            Assert.AreSame(a[3], c.NextEvent(out int again), "a taken object can be queued again");
            Assert.AreEqual(4, again);
        }

        [TestMethod]
        public void Raise_SameObjectTwice_OneEntryWithBothKinds()
        {
            var c = new Connection(new ConnectionSettings());
            var s = new Source();
            c.Raise(s, 1);
            c.Raise(s, 4);
            Assert.AreSame(s, c.NextEvent(out int kinds));
            Assert.AreEqual(5, kinds);
            Assert.IsNull(c.NextEvent(out _), "one entry for an object already queued");
        }
    }
}
