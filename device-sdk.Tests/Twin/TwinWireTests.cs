// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
using System;
using IotHubAmqp.Device.Buffers;
using IotHubAmqp.Device.Messaging;
using IotHubAmqp.Device.Twin;
using IotHubAmqp.Device.Types;
using nanoFramework.TestFramework;

namespace IotHubAmqp.Device.Tests.Twin
{
    // Byte-exact vectors, built by hand from AMQP 1.0 part 1 (encodings) and part 3 (sections), for every message
    // the channels send (iothub-amqp-wire-2.md 1.2-1.4, 2.2).
    [TestClass]
    public class TwinWireTests
    {
        // "operation" (A3 09 ...) -> sym8; "GET" etc. -> str8.
        private const string OperationKey = "A309" + "6F7065726174696F6E";
        private const string ResourceKey = "A308" + "7265736F75726365";

        private static byte[] Encode(Message m)
        {
            var b = new ByteBuffer(512);
            MessageCodec.Encode(m, b);
            var bytes = new byte[b.Length];
            Array.Copy(b.Buffer, b.Offset, bytes, 0, b.Length);
            return bytes;
        }

        [TestMethod]
        public void Get_Encoded_AnnotationThenCorrelationThenOneSpace()
        {
            string expected =
                // message-annotations (0x72): map8, 2 entries: operation -> "GET"
                "005372" + "C111" + "02" + OperationKey + "A103474554" +
                // properties (0x73): list8, 6 fields, correlation-id str8 "twin-1"
                "005373" + "C00E" + "06" + "4040404040" + "A106" + "7477696E2D31" +
                // data (0x75): vbin8 " "
                "005375" + "A001" + "20";
            Expect.Bytes(Expect.FromHex(expected), Encode(TwinWire.Get("twin-1")));
        }

        [TestMethod]
        public void PatchReported_Encoded_OperationResourceAndJsonBody()
        {
            string expected =
                "005372" + "C133" + "04" + OperationKey + "A105" + "5041544348" +
                ResourceKey + "A114" + "2F70726F706572746965732F7265706F72746564" +
                "005373" + "C00E" + "06" + "4040404040" + "A106" + "7477696E2D32" +
                "005375" + "A008" + "7B2274223A32317D";
            Expect.Bytes(Expect.FromHex(expected), Encode(TwinWire.PatchReported("twin-2", TwinWire.Utf8Bytes("{\"t\":21}"))));
        }

        [TestMethod]
        public void SubscribeDesired_Encoded_PutOnNotificationsResource()
        {
            string expected =
                "005372" + "C143" + "04" + OperationKey + "A103" + "505554" +
                ResourceKey + "A126" + "2F6E6F74696669636174696F6E732F7477696E2F70726F706572746965732F64657369726564" +
                "005373" + "C00E" + "06" + "4040404040" + "A106" + "7477696E2D33" +
                "005375" + "A001" + "20";
            Expect.Bytes(Expect.FromHex(expected), Encode(TwinWire.SubscribeDesired("twin-3")));
        }

        [TestMethod]
        public void MethodResponse_Encoded_UuidCorrelationIntStatusJson()
        {
            var id = new Guid(0x01020304, 0x0506, 0x0708, 0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x0E, 0x0F, 0x10);
            string expected =
                // properties: correlation-id uuid in RFC 4122 order
                "005373" + "C017" + "06" + "4040404040" + "98" + "0102030405060708090A0B0C0D0E0F10" +
                // application-properties: map8 {"IoThub-status": int 200}
                "005374" + "C115" + "02" + "A10D" + "496F546875622D737461747573" + "71000000C8" +
                "005375" + "A00B" + "7B226F6B223A747275657D";
            Expect.Bytes(Expect.FromHex(expected), Encode(TwinWire.MethodResponse(id, 200, TwinWire.Utf8Bytes("{\"ok\":true}"))));
        }

        [TestMethod]
        public void ChannelProperties_Encoded_SymbolKeysStringValues()
        {
            var b = new ByteBuffer(256);
            Encoder.WriteObject(b, TwinWire.ChannelProperties("twin", "dev1/mod1"));
            var map = (AmqpMap)Decoder.ReadObject(b);
            Assert.AreEqual(3, map.Count);
            Assert.AreEqual("twin:dev1/mod1", map[new Symbol("com.microsoft:channel-correlation-id")]);
            Assert.AreEqual("2020-09-30", map[new Symbol("com.microsoft:api-version")]);
            for (int i = 0; i < map.Count; i++) Assert.IsInstanceOfType(map.KeyAt(i), typeof(Symbol), "attach property keys are symbols");
        }

        [TestMethod]
        public void ChannelProperties_CorrelationId_ExactBytes()
        {
            var b = new ByteBuffer(256);
            var m = new AmqpMap();
            m[new Symbol("com.microsoft:channel-correlation-id")] = TwinWire.ChannelProperties("methods", "dev1")[new Symbol("com.microsoft:channel-correlation-id")];
            Encoder.WriteObject(b, m);
            string expected = "C1" + "35" + "02" + "A324" + "636F6D2E6D6963726F736F66743A6368616E6E656C2D636F7272656C6174696F6E2D6964" +
                "A10C" + "6D6574686F64733A64657631";
            Expect.Bytes(Expect.FromHex(expected), b);
        }

        [TestMethod]
        public void MethodRequest_Decoded_NameCorrelationPayload()
        {
            // A request as the hub sends it: properties with uuid correlation-id, IoThub-methodname, data JSON.
            string wire =
                "005373" + "C017" + "06" + "4040404040" + "98" + "0102030405060708090A0B0C0D0E0F10" +
                "005374" + "C11A" + "02" + "A111" + "496F546875622D6D6574686F646E616D65" + "A104" + "7265626F" +
                "005375" + "A002" + "7B7D";
            byte[] bytes = Expect.FromHex(wire);
            Message m = MessageCodec.Decode(new ByteBuffer(bytes, 0, bytes.Length));
            Assert.AreEqual("rebo", TwinWire.MethodName(m));
            Assert.AreEqual(new Guid(0x01020304, 0x0506, 0x0708, 0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x0E, 0x0F, 0x10), TwinWire.Correlation(m));
            Assert.AreEqual("{}", TwinWire.BodyText(m));
        }

        [TestMethod]
        public void Reply_Decoded_StatusIntVersionLong()
        {
            string wire = "005372" + "C120" + "04" + "A306" + "737461747573" + "71000000CC" + "A307" + "76657273696F6E" + "810000000000000007" +
                "005373" + "C00E" + "06" + "4040404040" + "A106" + "7477696E2D32";
            byte[] bytes = Expect.FromHex(wire);
            Message m = MessageCodec.Decode(new ByteBuffer(bytes, 0, bytes.Length));
            Assert.AreEqual(204, TwinWire.Status(m));
            Assert.AreEqual(7L, TwinWire.Version(m));
            Assert.AreEqual("twin-2", TwinWire.Correlation(m));
            Assert.AreEqual("", TwinWire.BodyText(m));
        }

        [TestMethod]
        public void Status_AbsentOrSuccessRange()
        {
            var m = new Message();
            Assert.AreEqual(-1, TwinWire.Status(m));
            Assert.IsTrue(TwinWire.IsSuccess(-1));
            Assert.IsTrue(TwinWire.IsSuccess(204));
            Assert.IsFalse(TwinWire.IsSuccess(429));
            Assert.IsFalse(TwinWire.IsSuccess(400));
        }

        [TestMethod]
        public void Methods_DeviceAndModule_Devicebound()
        {
            Assert.AreEqual("/devices/dev1/methods/devicebound", TwinWire.Methods("dev1", null));
            Assert.AreEqual("/devices/dev1/modules/mod1/methods/devicebound", TwinWire.Methods("dev1", "mod1"));
        }

        [TestMethod]
        public void Twin_DeviceAndModule_UrlEncodedIds()
        {
            Assert.AreEqual("/devices/dev1/twin", TwinWire.Twin("dev1", null));
            Assert.AreEqual("/devices/dev%201/modules/mod%2F1/twin", TwinWire.Twin("dev 1", "mod/1"));
        }

        [TestMethod]
        public void Who_DeviceOrDeviceSlashModule()
        {
            Assert.AreEqual("dev1", TwinWire.Who("dev1", null));
            Assert.AreEqual("dev1/mod1", TwinWire.Who("dev1", "mod1"));
        }
    }
}
