// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
using IotHubAmqp.Device.Buffers;
using IotHubAmqp.Device.Types;
using nanoFramework.TestFramework;

namespace IotHubAmqp.Device.Tests.Types
{
    /// <summary>The descriptor table (AMQP 1.0 2.7, 2.8, 3.2, 3.4, 3.5, 5.3) and described-type decoding.</summary>
    [TestClass]
    public class DescriptorTests
    {
        [TestMethod]
        [DataRow(0x10ul, "amqp:open:list")]
        [DataRow(0x11ul, "amqp:begin:list")]
        [DataRow(0x12ul, "amqp:attach:list")]
        [DataRow(0x13ul, "amqp:flow:list")]
        [DataRow(0x14ul, "amqp:transfer:list")]
        [DataRow(0x15ul, "amqp:disposition:list")]
        [DataRow(0x16ul, "amqp:detach:list")]
        [DataRow(0x17ul, "amqp:end:list")]
        [DataRow(0x18ul, "amqp:close:list")]
        [DataRow(0x1dul, "amqp:error:list")]
        [DataRow(0x23ul, "amqp:received:list")]
        [DataRow(0x24ul, "amqp:accepted:list")]
        [DataRow(0x25ul, "amqp:rejected:list")]
        [DataRow(0x26ul, "amqp:released:list")]
        [DataRow(0x27ul, "amqp:modified:list")]
        [DataRow(0x28ul, "amqp:source:list")]
        [DataRow(0x29ul, "amqp:target:list")]
        [DataRow(0x2bul, "amqp:delete-on-close:list")]
        [DataRow(0x2cul, "amqp:delete-on-no-links:list")]
        [DataRow(0x2dul, "amqp:delete-on-no-messages:list")]
        [DataRow(0x2eul, "amqp:delete-on-no-links-or-messages:list")]
        [DataRow(0x40ul, "amqp:sasl-mechanisms:list")]
        [DataRow(0x41ul, "amqp:sasl-init:list")]
        [DataRow(0x42ul, "amqp:sasl-challenge:list")]
        [DataRow(0x43ul, "amqp:sasl-response:list")]
        [DataRow(0x44ul, "amqp:sasl-outcome:list")]
        [DataRow(0x70ul, "amqp:header:list")]
        [DataRow(0x71ul, "amqp:delivery-annotations:map")]
        [DataRow(0x72ul, "amqp:message-annotations:map")]
        [DataRow(0x73ul, "amqp:properties:list")]
        [DataRow(0x74ul, "amqp:application-properties:map")]
        [DataRow(0x75ul, "amqp:data:binary")]
        [DataRow(0x76ul, "amqp:amqp-sequence:list")]
        [DataRow(0x77ul, "amqp:amqp-value:*")]
        [DataRow(0x78ul, "amqp:footer:map")]
        public void CodeOfAndNameOf_SpecTable_AgreeBothWays(ulong code, string name)
        {
            Assert.AreEqual(code, Descriptor.CodeOf(name));
            Assert.AreEqual(name, Descriptor.NameOf(code));
        }

        [TestMethod]
        public void Constants_MatchSpecCodes()
        {
            Assert.AreEqual(0x10ul, Descriptor.Open);
            Assert.AreEqual(0x14ul, Descriptor.Transfer);
            Assert.AreEqual(0x18ul, Descriptor.Close);
            Assert.AreEqual(0x1dul, Descriptor.Error);
            Assert.AreEqual(0x24ul, Descriptor.Accepted);
            Assert.AreEqual(0x44ul, Descriptor.SaslOutcome);
            Assert.AreEqual(0x75ul, Descriptor.Data);
            Assert.AreEqual(0x78ul, Descriptor.Footer);
        }

        [TestMethod]
        public void CodeOfAndNameOf_Unknown_ZeroAndNull()
        {
            Assert.AreEqual(0ul, Descriptor.CodeOf("amqp:nope:list"));
            Assert.AreEqual(0ul, Descriptor.CodeOf(null));
            // Only a whole name: not part of one, nor one running into the next.
            Assert.AreEqual(0ul, Descriptor.CodeOf(""));
            Assert.AreEqual(0ul, Descriptor.CodeOf("amqp:open:lis"));
            Assert.AreEqual(0ul, Descriptor.CodeOf("mqp:open:list"));
            Assert.AreEqual(0ul, Descriptor.CodeOf("amqp:open:list\u0111amqp:begin:list"));
            Assert.IsNull(Descriptor.NameOf(0x99ul));
            Assert.IsNull(Descriptor.NameOf(0ul));
        }

        [TestMethod]
        [DataRow("00 53 10", 0x10ul)]
        [DataRow("00 53 75", 0x75ul)]
        [DataRow("00 80 00 00 00 00 00 00 00 18", 0x18ul)]
        [DataRow("00 80 00 00 01 37 00 00 00 01", 0x0000013700000001ul)]
        [DataRow("00 a3 0e 61 6d 71 70 3a 6f 70 65 6e 3a 6c 69 73 74", 0x10ul)]
        [DataRow("00 b3 00 00 00 10 61 6d 71 70 3a 64 61 74 61 3a 62 69 6e 61 72 79", 0x75ul)]
        public void ReadDescriptor_NumericOrSymbolic_Code(string hex, ulong code)
        {
            var b = CodecHelper.Hex(hex + " 45");
            Assert.AreEqual(code, Decoder.ReadDescriptor(b));
            Assert.AreEqual(1, b.Length, "the described value must be next");
        }

        [TestMethod]
        [DataRow("00 a3 03 61 3a 62")]
        [DataRow("53 10")]
        [DataRow("00 a1 01 61")]
        [DataRow("00")]
        [DataRow("00 53")]
        [DataRow("00 00 53 10")]
        public void ReadDescriptor_UnknownOrMalformed_IsDecodeError(string hex)
        {
            Expect.AmqpError(ErrorCode.DecodeError, () => Decoder.ReadDescriptor(CodecHelper.Hex(hex)));
        }

        [TestMethod]
        public void ReadObject_DescribedValue_KeptAsItsBytes()
        {
            // A described value outside the framing layer's own fields is carried, not modelled (see EncodedValueTests).
            var d = (EncodedValue)CodecHelper.Decode("00 53 10 c0 04 01 a1 01 63");
            Expect.Bytes(Expect.FromHex("00 53 10 c0 04 01 a1 01 63"), d.Bytes);
        }

        [TestMethod]
        public void WriteDescriptor_ThenList_DecodesAsDescribed()
        {
            var b = new ByteBuffer(32);
            Encoder.WriteDescriptor(b, Descriptor.Close);
            Encoder.WriteList(b, new object[0]);
            Expect.Bytes(Expect.FromHex("00 53 18 45"), b);
            Assert.AreEqual(Descriptor.Close, Decoder.ReadDescriptor(b));
            Assert.AreEqual(0, Decoder.ReadListHeader(b, out int end));
            Assert.AreEqual(b.WritePos, end);
        }
    }
}
