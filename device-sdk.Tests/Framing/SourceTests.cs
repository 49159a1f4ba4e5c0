// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
using IotHubAmqp.Device.Buffers;
using IotHubAmqp.Device.Framing;
using nanoFramework.TestFramework;

namespace IotHubAmqp.Device.Tests.Framing
{
    [TestClass]
    public class SourceTests
    {
        [TestMethod]
        public void Encode_AddressDurableExpiry_WritesSpecBytes()
        {
            var b = Wire.NewBuffer();
            new Source { Address = "q", Durable = 2, ExpiryPolicy = "never" }.Encode(b);
            Expect.Bytes(Expect.FromHex("00 53 28 c0 0d 03 a1 01 71 52 02 a3 05 6e 65 76 65 72"), b);
        }

        [TestMethod]
        public void Encode_AllDefaults_WritesEmptyList()
        {
            var b = Wire.NewBuffer();
            new Source().Encode(b);
            Expect.Bytes(Expect.FromHex("00 53 28 45"), b);
        }

        [TestMethod]
        public void RoundTrip_AllFields_PreservesValues()
        {
            var nodeProps = new AmqpMap();
            nodeProps[new Symbol("lifetime-policy")] = "x";
            var filter = new AmqpMap();
            filter[new Symbol("selector")] = new DescribedValue(new Symbol("apache.org:selector-filter:string"), "a = 1");
            var rejected = new Rejected { Error = new Error("amqp:internal-error", null) };
            var source = new Source
            {
                Address = "a", Durable = 1, ExpiryPolicy = "link-detach", Timeout = 30, Dynamic = true,
                DynamicNodeProperties = nodeProps, DistributionMode = "move", Filter = filter, DefaultOutcome = rejected,
                Outcomes = new[] { "amqp:accepted:list", "amqp:rejected:list" }, Capabilities = new[] { "queue" },
            };
            var b = Wire.NewBuffer();
            source.Encode(b);
            var d = new Source();
            d.Decode(b);
            Wire.Consumed(b);
            Assert.AreEqual("a", d.Address);
            Assert.AreEqual(1u, d.Durable);
            Assert.AreEqual("link-detach", d.ExpiryPolicy);
            Assert.AreEqual(30u, d.Timeout);
            Assert.IsTrue(d.Dynamic);
            Assert.IsTrue(nodeProps.Equals(d.DynamicNodeProperties));
            Assert.AreEqual("move", d.DistributionMode);
            Assert.IsTrue(filter.Equals(d.Filter));
            Assert.IsInstanceOfType(d.DefaultOutcome, typeof(Rejected));
            Assert.AreEqual("amqp:internal-error", ((Rejected)d.DefaultOutcome).Error.Condition);
            CollectionAssert.AreEqual(new[] { "amqp:accepted:list", "amqp:rejected:list" }, d.Outcomes);
            CollectionAssert.AreEqual(new[] { "queue" }, d.Capabilities);
        }

        [TestMethod]
        public void Decode_ReusedInstance_ResetsPreviousFields()
        {
            var d = new Source();
            d.Decode(Wire.Of("00 53 28 c0 0d 03 a1 01 71 52 02 a3 05 6e 65 76 65 72"));
            d.Decode(Wire.Of("00 53 28 45"));
            Assert.IsNull(d.Address);
            Assert.AreEqual(0u, d.Durable);
            Assert.IsNull(d.ExpiryPolicy);
        }

        [TestMethod]
        public void Decode_SymbolAddress_IsAccepted()
        {
            var d = new Source();
            d.Decode(Wire.Of("00 53 28 c0 04 01 a3 01 71"));
            Assert.AreEqual("q", d.Address);
        }

        [TestMethod]
        public void Read_Null_ReturnsNull()
        {
            ByteBuffer b = Wire.Of("40");
            Assert.IsNull(Source.Read(b));
            Wire.Consumed(b);
        }
    }
}
