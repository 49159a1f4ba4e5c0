// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
using IotHubAmqp.Device.Types;
using nanoFramework.TestFramework;

namespace IotHubAmqp.Device.Tests.Types
{
    [TestClass]
    public class AmqpMapTests
    {
        [TestMethod]
        public void Indexer_NewKeys_KeepInsertionOrder()
        {
            var m = new AmqpMap();
            m["b"] = 1;
            m["a"] = 2;
            m[new Symbol("c")] = 3;
            Assert.AreEqual(3, m.Count);
            Assert.AreEqual("b", m.KeyAt(0));
            Assert.AreEqual("a", m.KeyAt(1));
            Assert.AreEqual(new Symbol("c"), m.KeyAt(2));
            Assert.AreEqual(2, m.ValueAt(1));
        }

        [TestMethod]
        public void Indexer_ExistingKey_ReplacesInPlace()
        {
            var m = new AmqpMap();
            m["a"] = 1;
            m["b"] = 2;
            m["a"] = 9;
            Assert.AreEqual(2, m.Count);
            Assert.AreEqual("a", m.KeyAt(0));
            Assert.AreEqual(9, m["a"]);
        }

        [TestMethod]
        public void Indexer_MissingKey_ReturnsNull()
        {
            var m = new AmqpMap();
            m["a"] = 1;
            Assert.IsNull(m["z"]);
            Assert.IsFalse(m.ContainsKey("z"));
            Assert.AreEqual(-1, m.IndexOf("z"));
        }

        [TestMethod]
        public void Keys_DifferentAmqpTypes_AreDistinct()
        {
            var m = new AmqpMap();
            m["a"] = 1;
            m[new Symbol("a")] = 2;
            m[1u] = 3;
            m[1ul] = 4;
            m[1] = 5;
            Assert.AreEqual(5, m.Count);
            Assert.AreEqual(1, m["a"]);
            Assert.AreEqual(2, m[new Symbol("a")]);
            Assert.AreEqual(4, m[1ul]);
        }

        [TestMethod]
        public void Keys_NullKey_IsAllowed()
        {
            var m = new AmqpMap();
            m[null] = "n";
            Assert.IsTrue(m.ContainsKey(null));
            Assert.AreEqual("n", m[null]);
        }

        [TestMethod]
        public void Keys_BinaryKey_MatchesByContent()
        {
            // AMQP compares binary values by their bytes; a decoded key is a new array.
            var m = new AmqpMap();
            m[new byte[] { 1, 2 }] = "x";
            Assert.IsTrue(m.ContainsKey(new byte[] { 1, 2 }));
            Assert.AreEqual("x", m[new byte[] { 1, 2 }]);
            Assert.IsFalse(m.ContainsKey(new byte[] { 1, 2, 3 }));
        }

        [TestMethod]
        public void Remove_PresentAndAbsent_ReturnsWhetherRemoved()
        {
            var m = new AmqpMap();
            m["a"] = 1;
            m["b"] = 2;
            Assert.IsTrue(m.Remove("a"));
            Assert.IsFalse(m.Remove("a"));
            Assert.AreEqual(1, m.Count);
            Assert.AreEqual("b", m.KeyAt(0));
            Assert.AreEqual(2, m.ValueAt(0));
        }

        [TestMethod]
        public void Equals_SameEntriesOtherOrder_AreEqual()
        {
            var a = new AmqpMap();
            a["x"] = new byte[] { 1 };
            a["y"] = new object[] { 1u };
            var b = new AmqpMap();
            b["y"] = new object[] { 1u };
            b["x"] = new byte[] { 1 };
            Assert.IsTrue(a.Equals(b));
            Assert.IsTrue(b.Equals(a));
            Assert.AreEqual(a.GetHashCode(), b.GetHashCode());
        }

        [TestMethod]
        public void Equals_DifferentValueCountOrType_NotEqual()
        {
            var a = new AmqpMap();
            a["x"] = 1;
            var b = new AmqpMap();
            b["x"] = 1u;
            Assert.IsFalse(a.Equals(b));
            b["x"] = 1;
            b["y"] = 1;
            Assert.IsFalse(a.Equals(b));
            Assert.IsFalse(a.Equals(null));
            Assert.IsFalse(a.Equals("x"));
        }

        [TestMethod]
        public void RoundTrip_MixedEntries_EqualMap()
        {
            var m = new AmqpMap();
            m[new Symbol("x-opt-enqueued-time")] = new System.DateTime(2024, 5, 6, 7, 8, 9, 10);
            m["iothub-connection-device-id"] = "dev1";
            m[5L] = new AmqpMap();
            m[new byte[] { 9 }] = null;
            var r = (AmqpMap)CodecHelper.RoundTrip(m);
            Assert.AreEqual(m, r);
            Assert.AreEqual("dev1", r["iothub-connection-device-id"]);
            Assert.IsTrue(r.ContainsKey(new byte[] { 9 }));
        }
    }
}
