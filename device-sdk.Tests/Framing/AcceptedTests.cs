// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
using IotHubAmqp.Device.Framing;
using nanoFramework.TestFramework;

namespace IotHubAmqp.Device.Tests.Framing
{
    [TestClass]
    public class AcceptedTests
    {
        [TestMethod]
        public void Encode_WritesDescriptorAndList0()
        {
            var b = Wire.NewBuffer();
            Accepted.Instance.Encode(b);
            Expect.Bytes(Expect.FromHex("00 53 24 45"), b);
        }

        [TestMethod]
        public void Decode_List8Form_ReturnsSharedInstance()
        {
            var b = Wire.Of("00 53 24 c0 01 00");
            Assert.AreSame(Accepted.Instance, Wire.Read(b, 0));
            Wire.Consumed(b);
        }

        [TestMethod]
        public void Decode_ListSizeBeyondItsFields_IsDecodeErrorNamingTheList()
        {
            // The list says 2 bytes (the count and one more) but holds no field: the extra byte is not skipped silently.
            var e = Expect.AmqpError(ErrorCode.DecodeError, () => Wire.Read(Wire.Of("00 53 24 c0 02 00 40"), 0));
            Assert.AreEqual("accepted list size does not match its fields", e.Description);
        }
    }
}
