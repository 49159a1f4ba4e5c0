// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
using IotHubAmqp.Device.Framing;
using nanoFramework.TestFramework;

namespace IotHubAmqp.Device.Tests.Framing
{
    [TestClass]
    public class TargetTests
    {
        [TestMethod]
        public void Encode_DynamicOnly_WritesNullsThenTrue()
        {
            var b = Wire.NewBuffer();
            new Target { Dynamic = true }.Encode(b);
            Expect.Bytes(Expect.FromHex("00 53 29 c0 06 05 40 40 40 40 41"), b);
        }

        [TestMethod]
        public void Encode_AddressOnly_WritesOneField()
        {
            var b = Wire.NewBuffer();
            new Target { Address = "t" }.Encode(b);
            Expect.Bytes(Expect.FromHex("00 53 29 c0 04 01 a1 01 74"), b);
        }

        [TestMethod]
        public void RoundTrip_AllFields_PreservesValues()
        {
            var nodeProps = new AmqpMap();
            nodeProps[new Symbol("p")] = 1L;
            var target = new Target
            {
                Address = "$cbs", Durable = 2, ExpiryPolicy = "connection-close", Timeout = 600, Dynamic = true,
                DynamicNodeProperties = nodeProps, Capabilities = new[] { "c1", "c2" },
            };
            var b = Wire.NewBuffer();
            target.Encode(b);
            var d = new Target();
            d.Decode(b);
            Wire.Consumed(b);
            Assert.AreEqual("$cbs", d.Address);
            Assert.AreEqual(2u, d.Durable);
            Assert.AreEqual("connection-close", d.ExpiryPolicy);
            Assert.AreEqual(600u, d.Timeout);
            Assert.IsTrue(d.Dynamic);
            Assert.IsTrue(nodeProps.Equals(d.DynamicNodeProperties));
            CollectionAssert.AreEqual(new[] { "c1", "c2" }, d.Capabilities);
        }

        [TestMethod]
        public void Decode_ReusedInstance_ResetsPreviousFields()
        {
            var d = new Target();
            d.Decode(Wire.Of("00 53 29 c0 06 05 40 40 40 40 41"));
            Assert.IsTrue(d.Dynamic);
            d.Decode(Wire.Of("00 53 29 c0 04 01 a1 01 74"));
            Assert.IsFalse(d.Dynamic);
            Assert.AreEqual("t", d.Address);
        }

        [TestMethod]
        public void Decode_WrongDescriptor_IsDecodeError()
        {
            Expect.AmqpError(ErrorCode.DecodeError, () => new Target().Decode(Wire.Of("00 53 28 45")));
        }
    }
}
