// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
using IotHubAmqp.Device.Messaging;
using nanoFramework.TestFramework;

namespace IotHubAmqp.Device.Tests.Messaging
{
    [TestClass]
    public class MessageTests
    {
        [TestMethod]
        public void Constructor_Bytes_IsOneDataSection()
        {
            var data = new byte[] { 1 };
            var m = new Message(data);
            Assert.AreEqual(BodyType.Data, m.BodyType);
            Assert.AreSame(data, m.GetBytes());
        }

        [TestMethod]
        public void GetBytes_ValueBody_IsNull()
        {
            Assert.IsNull(new Message { BodyType = BodyType.AmqpValue, Body = "x" }.GetBytes());
            Assert.IsNull(new Message().GetBytes());
        }
    }
}
