// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
using IotHubAmqp.Device.Buffers;
using IotHubAmqp.Device.IotHub;
using IotHubAmqp.Device.Messaging;
using IotHubAmqp.Device.Types;
using nanoFramework.TestFramework;

namespace IotHubAmqp.Device.Tests.IotHub
{
    [TestClass]
    public class CbsPutTokenTests
    {
        private const string Token = "SharedAccessSignature sr=myhub.azure-devices.net%2Fdevices%2Fdev1&sig=abc%3D&se=1700000000";
        private const string Audience = "myhub.azure-devices.net/devices/dev1";

        private static Message Request() => CbsPutToken.Request(Token, Audience, CbsPutToken.ServiceBusTokenType, "cbs-7");

        private static Message Reply(object correlationId, object statusCode)
        {
            var m = new Message();
            m.Properties = new MessageProperties { CorrelationId = correlationId };
            m.ApplicationProperties = new AmqpMap();
            if (statusCode != null) m.ApplicationProperties["status-code"] = statusCode;
            m.ApplicationProperties["status-description"] = "OK";
            return m;
        }

        [TestMethod]
        public void Request_ApplicationProperties_OperationTypeName()
        {
            Message m = Request();
            Assert.AreEqual(3, m.ApplicationProperties.Count);
            Assert.AreEqual("put-token", m.ApplicationProperties["operation"]);
            Assert.AreEqual("servicebus.windows.net:sastoken", m.ApplicationProperties["type"]);
            Assert.AreEqual(Audience, m.ApplicationProperties["name"]);
        }

        [TestMethod]
        public void Request_AzureDevicesType_Carried()
        {
            Message m = CbsPutToken.Request(Token, Audience, CbsPutToken.AzureDevicesTokenType, "1");
            Assert.AreEqual("azure-devices.net:sastoken", m.ApplicationProperties["type"]);
        }

        [TestMethod]
        public void Request_Properties_MessageIdReplyToTo()
        {
            Message m = Request();
            Assert.AreEqual("cbs-7", m.Properties.MessageId);
            Assert.AreEqual("cbs", m.Properties.ReplyTo);
            Assert.AreEqual("$cbs", m.Properties.To);
        }

        [TestMethod]
        public void Request_Body_IsAmqpValueToken()
        {
            Message m = Request();
            Assert.AreEqual(BodyType.AmqpValue, m.BodyType);
            Assert.AreEqual(Token, m.Body);
            Assert.IsNull(m.Header);
            Assert.IsNull(m.MessageAnnotations);
        }

        [TestMethod]
        public void Request_Encoded_IndependentDecodeShowsSameSections()
        {
            var b = new ByteBuffer(1024);
            MessageCodec.Encode(Request(), b);

            // AMQP 1.0 3.2: properties (0x73), application-properties (0x74), amqp-value (0x77), in that order.
            Assert.AreEqual(0x73UL, Decoder.ReadDescriptor(b), "first section");
            var fields = Decoder.ReadObject(b) as object[];
            Assert.IsNotNull(fields, "properties is not a list");
            Assert.IsTrue(fields.Length >= 5, "properties has " + fields.Length + " fields");
            Assert.AreEqual("cbs-7", fields[0], "message-id");
            Assert.IsNull(fields[1], "user-id");
            Assert.AreEqual("$cbs", fields[2], "to");
            Assert.IsNull(fields[3], "subject");
            Assert.AreEqual("cbs", fields[4], "reply-to");
            for (int i = 5; i < fields.Length; i++) Assert.IsNull(fields[i], "properties field " + i);

            Assert.AreEqual(0x74UL, Decoder.ReadDescriptor(b), "second section");
            var map = Decoder.ReadObject(b) as AmqpMap;
            Assert.IsNotNull(map, "application-properties is not a map");
            Assert.AreEqual(3, map.Count);
            Assert.AreEqual("put-token", map["operation"]);
            Assert.AreEqual("servicebus.windows.net:sastoken", map["type"]);
            Assert.AreEqual(Audience, map["name"]);
            for (int i = 0; i < map.Count; i++) Assert.IsInstanceOfType(map.KeyAt(i), typeof(string), "application property keys are strings");

            Assert.AreEqual(0x77UL, Decoder.ReadDescriptor(b), "third section");
            object body = Decoder.ReadObject(b);
            Assert.IsInstanceOfType(body, typeof(string), "the token is an AMQP string");
            Assert.AreEqual(Token, body);
            Assert.AreEqual(0, b.Length, "bytes after the body");
        }

        [TestMethod]
        public void Answers_MatchingStringCorrelationId_True()
        {
            Assert.IsTrue(CbsPutToken.Answers(Reply("cbs-7", 200), "cbs-7"));
        }

        [TestMethod]
        public void Answers_OtherCorrelationId_False()
        {
            Assert.IsFalse(CbsPutToken.Answers(Reply("cbs-8", 200), "cbs-7"));
        }

        [TestMethod]
        public void Answers_NumericCorrelationId_ComparedAsText()
        {
            Assert.IsTrue(CbsPutToken.Answers(Reply(7UL, 200), "7"));
        }

        [TestMethod]
        public void Answers_NoCorrelationIdOrNoProperties_False()
        {
            Assert.IsFalse(CbsPutToken.Answers(Reply(null, 200), "cbs-7"));
            Assert.IsFalse(CbsPutToken.Answers(new Message(), "cbs-7"));
        }

        [TestMethod]
        public void StatusCode_Int_Read()
        {
            Assert.AreEqual(202, CbsPutToken.StatusCode(Reply("1", 202)));
        }

        [TestMethod]
        public void StatusCode_Long_Read()
        {
            Assert.AreEqual(401, CbsPutToken.StatusCode(Reply("1", 401L)));
        }

        [TestMethod]
        public void StatusCode_UInt_Read()
        {
            Assert.AreEqual(200, CbsPutToken.StatusCode(Reply("1", 200u)));
        }

        [TestMethod]
        public void StatusCode_Absent_MinusOne()
        {
            Assert.AreEqual(-1, CbsPutToken.StatusCode(Reply("1", null)));
            Assert.AreEqual(-1, CbsPutToken.StatusCode(new Message()));
        }

        [TestMethod]
        public void StatusCode_String_MinusOne()
        {
            Assert.AreEqual(-1, CbsPutToken.StatusCode(Reply("1", "200")));
        }

        [TestMethod]
        public void StatusCode_DecodedFromWire_Read()
        {
            var b = new ByteBuffer(256);
            MessageCodec.Encode(Reply("cbs-7", 404), b);
            Message decoded = MessageCodec.Decode(b);
            Assert.AreEqual(404, CbsPutToken.StatusCode(decoded));
            Assert.AreEqual("OK", CbsPutToken.StatusDescription(decoded));
            Assert.IsTrue(CbsPutToken.Answers(decoded, "cbs-7"));
        }

        [TestMethod]
        public void StatusDescription_Absent_Null()
        {
            Assert.IsNull(CbsPutToken.StatusDescription(new Message()));
        }

        [TestMethod]
        [DataRow(200, true)]
        [DataRow(202, true)]
        [DataRow(201, false)]
        [DataRow(204, false)]
        [DataRow(400, false)]
        [DataRow(401, false)]
        [DataRow(403, false)]
        [DataRow(404, false)]
        [DataRow(-1, false)]
        [DataRow(0, false)]
        public void IsSuccess_Status_OnlyFor200And202(int status, bool expected)
        {
            Assert.AreEqual(expected, CbsPutToken.IsSuccess(status));
        }
    }
}
