// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
using IotHubAmqp.Device.Framing;
using IotHubAmqp.Device.Types;
using nanoFramework.TestFramework;

namespace IotHubAmqp.Device.Tests.Framing
{
    [TestClass]
    public class DispositionTests
    {
        [TestMethod]
        public void Encode_SettledAccepted_WritesSpecBytes()
        {
            // true (receiver), first 3, null last, settled true, accepted as described list0.
            var b = Wire.NewBuffer();
            new Disposition { Role = Role.Receiver, First = 3, Settled = true, State = Accepted.Instance }.Encode(b);
            Expect.Bytes(Expect.FromHex("00 53 15 c0 0a 05 41 52 03 40 41 00 53 24 45"), b);
        }

        [TestMethod]
        public void Encode_OnlyMandatoryFields_WritesTwo()
        {
            var b = Wire.NewBuffer();
            new Disposition { Role = Role.Sender, First = 0 }.Encode(b);
            Expect.Bytes(Expect.FromHex("00 53 15 c0 03 02 42 43"), b);
        }

        [TestMethod]
        public void RoundTrip_AllFields_PreservesValues()
        {
            var d0 = new Disposition { Role = Role.Receiver, First = 1, Last = 9, HasLast = true, Settled = true, State = Released.Instance, Batchable = true };
            var b = Wire.NewBuffer();
            d0.Encode(b);
            var d = new Disposition();
            d.Decode(Wire.AfterDescriptor(b, Descriptor.Disposition));
            Wire.Consumed(b);
            Assert.AreEqual(Role.Receiver, d.Role);
            Assert.AreEqual(1u, d.First);
            Assert.IsTrue(d.HasLast);
            Assert.AreEqual(9u, d.Last);
            Assert.IsTrue(d.Settled);
            Assert.AreSame(Released.Instance, d.State);
            Assert.IsTrue(d.Batchable);
        }

        [TestMethod]
        public void Decode_Accepted_ReturnsSharedInstance()
        {
            var d = new Disposition();
            d.Decode(Wire.Body("00 53 15 c0 0a 05 41 52 03 40 41 00 53 24 45", Descriptor.Disposition));
            Assert.AreSame(Accepted.Instance, d.State);
            Assert.IsFalse(d.HasLast);
        }

        [TestMethod]
        public void Decode_ReusedInstance_ResetsPreviousFields()
        {
            var d = new Disposition();
            d.Decode(Wire.Body("00 53 15 c0 0b 05 41 52 03 52 04 41 00 53 24 45", Descriptor.Disposition));
            Assert.IsTrue(d.HasLast);
            d.Decode(Wire.Body("00 53 15 c0 03 02 42 43", Descriptor.Disposition));
            Assert.IsFalse(d.HasLast);
            Assert.IsFalse(d.Settled);
            Assert.IsNull(d.State);
            Assert.AreEqual(Role.Sender, d.Role);
        }

        [TestMethod]
        public void Decode_MissingMandatoryField_IsDecodeErrorNamingIt()
        {
            var e = Expect.AmqpError(ErrorCode.DecodeError, () => new Disposition().Decode(Wire.Body("00 53 15 c0 02 01 41", Descriptor.Disposition)));
            Assert.AreEqual("disposition is missing first", e.Description);
            e = Expect.AmqpError(ErrorCode.DecodeError, () => new Disposition().Decode(Wire.Body("00 53 15 c0 03 02 40 43", Descriptor.Disposition)));
            Assert.AreEqual("disposition is missing role", e.Description);
        }
    }
}
