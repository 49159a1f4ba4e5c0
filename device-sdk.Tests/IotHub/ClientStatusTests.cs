// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
using IotHubAmqp.Device.IotHub;
using nanoFramework.TestFramework;

namespace IotHubAmqp.Device.Tests.IotHub
{
    [TestClass]
    public class ClientStatusTests
    {
        [TestMethod]
        public void Of_EveryStatus_ItsName()
        {
            Assert.AreEqual("Disconnected", ClientStatusName.Of(ClientStatus.Disconnected));
            Assert.AreEqual("Connected", ClientStatusName.Of(ClientStatus.Connected));
            Assert.AreEqual("Reconnecting", ClientStatusName.Of(ClientStatus.Reconnecting));
            Assert.AreEqual("TokenRenewed", ClientStatusName.Of(ClientStatus.TokenRenewed));
            Assert.AreEqual("TokenRenewalFailed", ClientStatusName.Of(ClientStatus.TokenRenewalFailed));
            Assert.AreEqual("Closed", ClientStatusName.Of(ClientStatus.Closed));
        }

        [TestMethod]
        public void Of_UnknownStatus_Number()
        {
            Assert.AreEqual("Status 6", ClientStatusName.Of((ClientStatus)6));
            Assert.AreEqual("Status -2", ClientStatusName.Of((ClientStatus)(-2)));
        }
    }
}
