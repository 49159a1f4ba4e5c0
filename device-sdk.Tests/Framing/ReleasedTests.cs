// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
using IotHubAmqp.Device.Framing;
using nanoFramework.TestFramework;

namespace IotHubAmqp.Device.Tests.Framing
{
    [TestClass]
    public class ReleasedTests
    {
        [TestMethod]
        public void Encode_WritesDescriptorAndList0()
        {
            var b = Wire.NewBuffer();
            Released.Instance.Encode(b);
            Expect.Bytes(Expect.FromHex("00 53 26 45"), b);
        }

        [TestMethod]
        public void Decode_WithUnknownField_SkipsItAndReturnsSharedInstance()
        {
            var b = Wire.Of("00 53 26 c0 02 01 41");
            Assert.AreSame(Released.Instance, Wire.Read(b, 0));
            Wire.Consumed(b);
        }
    }
}
