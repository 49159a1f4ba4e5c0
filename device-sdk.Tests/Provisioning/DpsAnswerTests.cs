// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
using System;
using IotHubAmqp.Device.Messaging;
using IotHubAmqp.Device.Provisioning;
using IotHubAmqp.Device.Types;
using nanoFramework.TestFramework;
using TestFrameworkShared;

namespace IotHubAmqp.Device.Tests.Provisioning
{
    // DPS's answers (iothub-amqp-wire-2.md 7.4): what is read from each, and the error each bad one gets.
    [TestClass]
    public class DpsAnswerTests
    {
        private static Message Answer(string json)
        {
            byte[] b = new byte[Utf8.GetByteCount(json)];
            Utf8.Encode(json, b, 0);
            return new Message(b);
        }

        private static ProvisioningException Fails(string json)
        {
            try
            {
                DpsWire.ReadAnswer(Answer(json), "r1", new DeviceRegistrationResult());
            }
            catch (ProvisioningException e)
            {
                return e;
            }
            throw new AssertFailedException("no ProvisioningException for " + json);
        }

        [TestMethod]
        public void Assigned_ReadsHubDeviceSubstatusAndPayloadText()
        {
            var r = new DeviceRegistrationResult();
            string status = DpsWire.ReadAnswer(Answer("{\"operationId\":\"4.a.b\",\"status\":\"assigned\",\"registrationState\":{\"registrationId\":\"r1\","
                + "\"assignedHub\":\"hub.azure-devices.net\",\"deviceId\":\"dev-r1\",\"status\":\"assigned\",\"substatus\":\"initialAssignment\","
                + "\"payload\":{\"fw\":\"1.2\",\"list\":[1,\"x\\\"y\"]}}}"), "r1", r);
            Assert.AreEqual("assigned", status);
            Assert.AreEqual("hub.azure-devices.net", r.AssignedHub);
            Assert.AreEqual("dev-r1", r.DeviceId);
            Assert.AreEqual("initialAssignment", r.Substatus);
            Assert.AreEqual("4.a.b", r.OperationId);
            Assert.AreEqual("{\"fw\":\"1.2\",\"list\":[1,\"x\\\"y\"]}", r.PayloadJson);
        }

        [TestMethod]
        public void Assigning_KeepsTheOperationIdToPollWith()
        {
            var r = new DeviceRegistrationResult();
            Assert.AreEqual("assigning", DpsWire.ReadAnswer(Answer("{\"operationId\":\"op-7\",\"status\":\"assigning\"}"), "r1", r));
            Assert.AreEqual("op-7", r.OperationId);
        }

        [TestMethod]
        public void Assigning_WithoutOperationId_IsABadResponse()
        {
            ProvisioningException e = Fails("{\"status\":\"assigning\"}");
            Assert.AreEqual(ProvisioningError.BadResponse, e.Reason);
            Assert.IsTrue(e.Message.IndexOf("operationId") >= 0);
        }

        [TestMethod]
        public void Assigned_WithoutAssignedHub_NamesTheField()
        {
            ProvisioningException e = Fails("{\"operationId\":\"o\",\"status\":\"assigned\",\"registrationState\":{\"deviceId\":\"d\"}}");
            Assert.AreEqual(ProvisioningError.BadResponse, e.Reason);
            Assert.IsTrue(e.Message.IndexOf("registrationState.assignedHub") >= 0);
        }

        [TestMethod]
        public void Assigned_WithoutDeviceId_NamesTheField()
        {
            ProvisioningException e = Fails("{\"operationId\":\"o\",\"status\":\"assigned\",\"registrationState\":{\"assignedHub\":\"h\"}}");
            Assert.IsTrue(e.Message.IndexOf("registrationState.deviceId") >= 0);
        }

        [TestMethod]
        public void Assigned_WithoutRegistrationState_NamesIt()
        {
            ProvisioningException e = Fails("{\"operationId\":\"o\",\"status\":\"assigned\"}");
            Assert.IsTrue(e.Message.IndexOf("registrationState") >= 0);
        }

        [TestMethod]
        public void NoStatus_IsABadResponse()
        {
            ProvisioningException e = Fails("{\"operationId\":\"o\"}");
            Assert.AreEqual(ProvisioningError.BadResponse, e.Reason);
            Assert.IsTrue(e.Message.IndexOf("'status'") >= 0);
        }

        [TestMethod]
        public void NotJson_IsABadResponseNamingTheOffset()
        {
            ProvisioningException e = Fails("<html>");
            Assert.AreEqual(ProvisioningError.BadResponse, e.Reason);
            Assert.IsTrue(e.Message.IndexOf("offset 0") >= 0);
        }

        [TestMethod]
        public void NoDataSection_IsABadResponse()
        {
            var m = new Message();
            m.BodyType = BodyType.AmqpValue;
            m.Body = "{\"status\":\"assigned\"}";
            try
            {
                DpsWire.ReadAnswer(m, "r1", new DeviceRegistrationResult());
                throw new AssertFailedException("an amqp-value answer was read");
            }
            catch (ProvisioningException e)
            {
                Assert.AreEqual(ProvisioningError.BadResponse, e.Reason);
            }
        }

        [TestMethod]
        public void Disabled_IsEnrollmentDisabled()
        {
            ProvisioningException e = Fails("{\"operationId\":\"o\",\"status\":\"disabled\",\"registrationState\":{\"registrationId\":\"r1\",\"status\":\"disabled\"}}");
            Assert.AreEqual(ProvisioningError.EnrollmentDisabled, e.Reason);
            Assert.IsTrue(e.Message.IndexOf("disabled") >= 0);
        }

        [TestMethod]
        public void Failed_CarriesErrorCodeAndMessage()
        {
            ProvisioningException e = Fails("{\"operationId\":\"o\",\"status\":\"failed\",\"registrationState\":{\"errorCode\":400208,\"errorMessage\":\"no hub\"}}");
            Assert.AreEqual(ProvisioningError.Failed, e.Reason);
            Assert.AreEqual(400208, e.ErrorCode);
            Assert.IsTrue(e.Message.IndexOf("no hub") >= 0);
        }

        [TestMethod]
        public void UnknownStatus_IsNamed()
        {
            ProvisioningException e = Fails("{\"operationId\":\"o\",\"status\":\"weird\"}");
            Assert.IsTrue(e.Message.IndexOf("'weird'") >= 0);
        }

        [TestMethod]
        public void Json_MemberSkipsNestedValuesAndUnescapes()
        {
            string json = " { \"a\" : [ {\"status\":\"no\"} ], \"s\\u0074atus\": \"a\\\\b\\n\" , \"z\":true}";
            Assert.AreEqual("a\\b\n", DpsJson.StringMember(json, "status"));
            Assert.AreEqual("true", DpsJson.Member(json, "z"));
            Assert.IsNull(DpsJson.Member(json, "missing"));
            Assert.ThrowsException(typeof(ArgumentException), () => DpsJson.Member("{\"a\":}", "a"));
            Assert.ThrowsException(typeof(ArgumentException), () => DpsJson.Member("[1]", "a"));
        }
    }
}
