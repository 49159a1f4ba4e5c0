// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
using nanoFramework.TestFramework;

namespace IotHubAmqp.Device.Tests.Simulation
{
    [TestClass]
    public class SimNetworkTests
    {
        [TestMethod]
        public void Bytes_ArriveAfterLatency_InOrder_InSlowReads()
        {
            var net = new SimNetwork(new SimRandom(1));
            net.SetLatency(10, 5);
            net.ToDevice.MaxReadBytes = 2;
            net.ToDevice.RandomReadSizes = true;
            for (int i = 0; i < 5; i++) net.ToDevice.Write(new byte[] { (byte)i, (byte)(i + 100) }, 0, 2, i);
            byte[] got = new byte[16];
            Assert.AreEqual(0, net.DeviceRead(got, 0, 16, 9));
            int n = 0;
            for (long t = 10; t < 40; t++)
            {
                int r = net.DeviceRead(got, n, 16 - n, t);
                Assert.IsTrue(r <= 2);
                if (r > 0) n += r;
            }
            Assert.AreEqual(10, n);
            for (int i = 0; i < 5; i++) Assert.AreEqual((byte)i, got[2 * i]);
        }

        [TestMethod]
        public void CutAtOffset_DeliversTheBytesBefore_ThenBothEndsSeeTheEnd()
        {
            var net = new SimNetwork(new SimRandom(2));
            net.ToHub.CutAtOffset = 3;
            Assert.AreEqual(3, net.DeviceWrite(new byte[] { 1, 2, 3, 4, 5 }, 0, 5, 0));
            Assert.IsTrue(net.IsClosed);
            byte[] got = new byte[8];
            Assert.AreEqual(3, net.ToHub.Read(got, 0, 8, 0));
            Assert.AreEqual(-1, net.ToHub.Read(got, 0, 8, 0));
            Assert.AreEqual(-1, net.DeviceRead(got, 0, 8, 0));
        }

        [TestMethod]
        public void Stall_HoldsBytesUntilItEnds()
        {
            var net = new SimNetwork(new SimRandom(3));
            net.StallUntil(50);
            net.DeviceWrite(new byte[] { 9 }, 0, 1, 0);
            byte[] got = new byte[1];
            Assert.AreEqual(0, net.ToHub.Read(got, 0, 1, 49));
            Assert.AreEqual(1, net.ToHub.Read(got, 0, 1, 50));
        }

        [TestMethod]
        public void SameSeed_GivesTheSameArrivalTimes()
        {
            var a = new SimNetwork(new SimRandom(9));
            var b = new SimNetwork(new SimRandom(9));
            a.SetLatency(5, 20);
            b.SetLatency(5, 20);
            for (int i = 0; i < 20; i++)
            {
                a.DeviceWrite(new byte[] { 1 }, 0, 1, i);
                b.DeviceWrite(new byte[] { 1 }, 0, 1, i);
                Assert.AreEqual(a.NextDueTime(), b.NextDueTime());
            }
        }
    }
}
