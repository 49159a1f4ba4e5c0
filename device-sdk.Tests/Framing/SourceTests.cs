// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
using IotHubAmqp.Device.Buffers;
using IotHubAmqp.Device.Framing;
using IotHubAmqp.Device.Types;
using nanoFramework.TestFramework;

namespace IotHubAmqp.Device.Tests.Framing
{
    [TestClass]
    public class SourceTests
    {
        [TestMethod]
        public void Encode_Address_WritesOneField()
        {
            var b = Wire.NewBuffer();
            new Source { Address = "q" }.Encode(b);
            Expect.Bytes(Expect.FromHex("00 53 28 c0 04 01 a1 01 71"), b);
        }

        [TestMethod]
        public void Encode_NoAddress_WritesEmptyList()
        {
            var b = Wire.NewBuffer();
            new Source().Encode(b);
            Expect.Bytes(Expect.FromHex("00 53 28 45"), b);
        }

        [TestMethod]
        public void Decode_EveryFieldAPeerMaySend_ReadsAddressAndSkipsTheRest()
        {
            // All eleven fields of 3.5.3 as a broker may fill them: only the address is kept, the list is consumed.
            ByteBuffer b = EveryField(Descriptor.Source, "a", 11);
            var d = new Source();
            d.Decode(Wire.AfterDescriptor(b, Descriptor.Source));
            Wire.Consumed(b);
            Assert.AreEqual("a", d.Address);
        }

        [TestMethod]
        public void Decode_ReusedInstance_ReplacesAddress()
        {
            var d = new Source();
            d.Decode(Wire.Body("00 53 28 c0 0d 03 a1 01 71 52 02 a3 05 6e 65 76 65 72", Descriptor.Source));
            Assert.AreEqual("q", d.Address);
            d.Decode(Wire.Body("00 53 28 45", Descriptor.Source));
            Assert.IsNull(d.Address);
        }

        [TestMethod]
        public void Decode_SymbolAddress_IsAccepted()
        {
            var d = new Source();
            d.Decode(Wire.Body("00 53 28 c0 04 01 a3 01 71", Descriptor.Source));
            Assert.AreEqual("q", d.Address);
        }

        [TestMethod]
        [DataRow("00 53 29 45")]
        [DataRow("00 53 28 c0 03 01 71 00")]
        [DataRow("00 53 28 c0 06 02 a1 01 71 a1 05")]
        [DataRow("00 53 28 c0 06 02 a1 01 71 40 40")]
        public void Decode_WrongDescriptorAddressTypeOrSize_IsDecodeError(string hex)
        {
            // A target's descriptor; an int address; a skipped field running past the list; a list size that
            // does not match its fields.
            Expect.AmqpError(ErrorCode.DecodeError, () => Wire.Read(Wire.Of(hex), Descriptor.Source));
        }

        /// <summary>A described terminus list of <paramref name="count"/> fields: the address, then values of every shape.</summary>
        internal static ByteBuffer EveryField(ulong descriptor, string address, int count)
        {
            var filter = new AmqpMap();
            // A described filter (descriptor apache.org:selector-filter:string, value "a = 1"), as its encoding.
            filter[new Symbol("selector")] = new EncodedValue(Expect.FromHex("00 a3 21 61 70 61 63 68 65 2e 6f 72 67 3a 73 65 6c 65 63 74 6f 72 2d 66 69 6c 74 65 72 3a 73 74 72 69 6e 67 a1 05 61 20 3d 20 31"));
            var b = Wire.NewBuffer();
            Encoder.WriteDescriptor(b, descriptor);
            int start = Encoder.BeginComposite(b, FormatCode.List32);
            Encoder.WriteString(b, address);
            Encoder.WriteUInt(b, 1);                          // durable
            Encoder.WriteSymbol(b, "link-detach");            // expiry-policy
            Encoder.WriteUInt(b, 30);                         // timeout
            Encoder.WriteBoolean(b, true);                    // dynamic
            Encoder.WriteMap(b, filter);                      // dynamic-node-properties
            Encoder.WriteSymbol(b, "move");                   // source: distribution-mode; target: capabilities
            for (int i = 7; i < count; i++)
            {
                if (i == 7) Encoder.WriteMap(b, filter);      // filter
                else if (i == 8) new Rejected { Error = new Error("amqp:internal-error", null) }.Encode(b); // default-outcome
                else FieldCodec.WriteSymbols(b, new[] { "amqp:accepted:list", "amqp:rejected:list" }); // outcomes, capabilities
            }
            Encoder.EndComposite(b, start, count, FormatCode.List8);
            return b;
        }
    }
}
