// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
using IotHubAmqp.Device.IotHub;
using nanoFramework.TestFramework;

namespace IotHubAmqp.Device.Tests.IotHub
{
    [TestClass]
    public class IotHubAddressTests
    {
        private const string Host = "myhub.azure-devices.net";

        [TestMethod]
        public void Telemetry_Device_IsMessagesEvents()
        {
            Assert.AreEqual("/devices/dev1/messages/events", IotHubAddress.Telemetry("dev1", null));
        }

        [TestMethod]
        public void Telemetry_Module_IsUnderModules()
        {
            Assert.AreEqual("/devices/dev1/modules/mod1/messages/events", IotHubAddress.Telemetry("dev1", "mod1"));
        }

        [TestMethod]
        public void CloudToDevice_Device_IsMessagesDevicebound()
        {
            Assert.AreEqual("/devices/dev1/messages/devicebound", IotHubAddress.CloudToDevice("dev1", null));
        }

        [TestMethod]
        public void CloudToDevice_Module_IsUnderModules()
        {
            Assert.AreEqual("/devices/dev1/modules/mod1/messages/devicebound", IotHubAddress.CloudToDevice("dev1", "mod1"));
        }

        [TestMethod]
        public void Telemetry_IdsWithReservedCharacters_UrlEncoded()
        {
            Assert.AreEqual("/devices/dev%201%2Fx/modules/m%3A1%40a/messages/events", IotHubAddress.Telemetry("dev 1/x", "m:1@a"));
        }

        [TestMethod]
        public void CloudToDevice_IdWithReservedCharacters_UrlEncoded()
        {
            Assert.AreEqual("/devices/a%2Bb%3Dc/messages/devicebound", IotHubAddress.CloudToDevice("a+b=c", null));
        }

        [TestMethod]
        public void Audience_Device_IsHostDevicesId()
        {
            Assert.AreEqual(Host + "/devices/dev1", IotHubAddress.Audience(Host, "dev1", null));
        }

        [TestMethod]
        public void Audience_Module_IsHostDevicesIdModulesId()
        {
            Assert.AreEqual(Host + "/devices/dev1/modules/mod1", IotHubAddress.Audience(Host, "dev1", "mod1"));
        }

        [TestMethod]
        public void Audience_IdWithReservedCharacters_UrlEncodedHostKept()
        {
            Assert.AreEqual(Host + "/devices/d%20%C3%A9", IotHubAddress.Audience(Host, "d \u00e9", null));
        }

        [TestMethod]
        public void PlainUserName_Device_IsIdAtSasHubName()
        {
            Assert.AreEqual("dev1@sas.myhub", IotHubAddress.PlainUserName("dev1", null, Host));
        }

        [TestMethod]
        public void PlainUserName_Module_IsDeviceModulesModuleAtSasHubName()
        {
            Assert.AreEqual("dev1/modules/mod1@sas.myhub", IotHubAddress.PlainUserName("dev1", "mod1", Host));
        }

        [TestMethod]
        [DataRow("myhub.azure-devices.net", "myhub")]
        [DataRow("a.b", "a")]
        [DataRow("localhost", "localhost")]
        [DataRow("hub-2.example.com", "hub-2")]
        public void PlainUserName_Host_HubNameIsFirstDnsLabel(string host, string expected)
        {
            Assert.AreEqual("d@sas." + expected, IotHubAddress.PlainUserName("d", null, host));
        }

        [TestMethod]
        public void PlainUserName_HostWithoutDots_UsesWholeHost()
        {
            Assert.AreEqual("dev1@sas.localhost", IotHubAddress.PlainUserName("dev1", null, "localhost"));
        }

        [TestMethod]
        public void CbsNodes_AreDollarCbsAndCbs()
        {
            Assert.AreEqual("$cbs", IotHubAddress.Cbs);
            Assert.AreEqual("cbs", IotHubAddress.CbsReplyTo);
        }
    }
}
