// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
using System;
using IotHubAmqp.Device.Twin;
using nanoFramework.TestFramework;

namespace IotHubAmqp.Device.Tests.Twin
{
    [TestClass]
    public class TwinCollectionTests
    {
        [TestMethod]
        public void Version_ReadFromDollarVersion()
        {
            Assert.AreEqual(4L, new TwinCollection("{\"x\":1,\"$version\":4}").Version);
        }

        [TestMethod]
        public void Version_Absent_MinusOne()
        {
            Assert.AreEqual(-1L, new TwinCollection("{\"x\":1}").Version);
        }

        [TestMethod]
        public void GetByPath_NestedValue()
        {
            var t = new TwinCollection("{\"config\":{\"net\":{\"interval\":30}},\"flat\":1}");
            Assert.AreEqual(30L, t.GetByPath("config.net.interval"));
            Assert.AreEqual(1L, t.GetByPath("flat"));
        }

        [TestMethod]
        public void GetByPath_MissingOrThroughNonObject_Null()
        {
            var t = new TwinCollection("{\"config\":{\"a\":1},\"flat\":1}");
            Assert.IsNull(t.GetByPath("config.b"));
            Assert.IsNull(t.GetByPath("flat.x"));
            Assert.IsNull(t.GetByPath("none.x"));
        }

        [TestMethod]
        public void Set_ReplacesKeepingOrder()
        {
            var t = new TwinCollection();
            t["a"] = 1;
            t["b"] = 2;
            t["a"] = 3;
            Assert.AreEqual("{\"a\":3,\"b\":2}", t.ToJson());
            Assert.IsTrue(t.Remove("a"));
            Assert.IsFalse(t.Remove("a"));
            Assert.AreEqual("{\"b\":2}", t.ToJson());
        }

        [TestMethod]
        public void Constructor_Malformed_ArgumentException()
        {
            Assert.ThrowsException(typeof(ArgumentException), () => new TwinCollection("{\"a\":"));
        }

        [TestMethod]
        public void Twin_FromJson_SplitsDesiredAndReported()
        {
            IotHubAmqp.Device.Twin.Twin t = IotHubAmqp.Device.Twin.Twin.FromJson("dev1", TwinWire.Utf8Bytes("{\"desired\":{\"x\":1,\"$version\":3},\"reported\":{\"y\":\"z\",\"$version\":7}}"));
            Assert.AreEqual("dev1", t.DeviceId);
            Assert.AreEqual(3L, t.Properties.Desired.Version);
            Assert.AreEqual(1L, t.Properties.Desired["x"]);
            Assert.AreEqual(7L, t.Properties.Reported.Version);
            Assert.AreEqual("z", t.Properties.Reported["y"]);
        }

        [TestMethod]
        public void Twin_FromJson_MissingHalves_Empty()
        {
            IotHubAmqp.Device.Twin.Twin t = IotHubAmqp.Device.Twin.Twin.FromJson("dev1", TwinWire.Utf8Bytes("{}"));
            Assert.AreEqual(0, t.Properties.Desired.Count);
            Assert.AreEqual(0, t.Properties.Reported.Count);
        }
    }
}
