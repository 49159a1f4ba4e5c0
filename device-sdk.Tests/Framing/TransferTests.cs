// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
using IotHubAmqp.Device.Buffers;
using IotHubAmqp.Device.Framing;
using IotHubAmqp.Device.Types;
using nanoFramework.TestFramework;

namespace IotHubAmqp.Device.Tests.Framing
{
    [TestClass]
    public class TransferTests
    {
        [TestMethod]
        public void Encode_FirstTransferUnsettled_WritesMessageFormatZero()
        {
            // handle uint0, delivery-id 5, vbin8 [ab], message-format uint0 (required on a first transfer).
            var b = Wire.NewBuffer();
            new Transfer { Handle = 0, DeliveryId = 5, HasDeliveryId = true, DeliveryTag = new byte[] { 0xab }, MessageFormat = 0 }.Encode(b);
            Expect.Bytes(Expect.FromHex("00 53 14 c0 08 04 43 52 05 a0 01 ab 43"), b);
        }

        [TestMethod]
        public void Encode_FirstTransferSettled_WritesSettledTrue()
        {
            var b = Wire.NewBuffer();
            new Transfer { Handle = 0, DeliveryId = 5, HasDeliveryId = true, DeliveryTag = new byte[] { 0xab }, Settled = true }.Encode(b);
            Expect.Bytes(Expect.FromHex("00 53 14 c0 09 05 43 52 05 a0 01 ab 43 41"), b);
        }

        [TestMethod]
        public void Encode_ContinuationWithMore_OmitsDeliveryFields()
        {
            var b = Wire.NewBuffer();
            new Transfer { Handle = 0, More = true }.Encode(b);
            Expect.Bytes(Expect.FromHex("00 53 14 c0 07 06 43 40 40 40 40 41"), b);
        }

        [TestMethod]
        public void Encode_OnlyHandle_WritesOneField()
        {
            var b = Wire.NewBuffer();
            new Transfer { Handle = 2 }.Encode(b);
            Expect.Bytes(Expect.FromHex("00 53 14 c0 03 01 52 02"), b);
        }

        [TestMethod]
        public void Decode_PeerRcvSettleModeAndResume_AreSkipped()
        {
            // handle 1, delivery-id 0, tag 01, format 0, null, null, rcv-settle-mode second, null, resume true, aborted true.
            var d = new Transfer();
            ByteBuffer b = Wire.Body("00 53 14 c0 0f 0a 52 01 43 a0 01 01 43 40 40 50 01 40 41 41", Descriptor.Transfer);
            d.Decode(b);
            Wire.Consumed(b);
            Assert.AreEqual(1u, d.Handle);
            Assert.IsTrue(d.Aborted);
        }

        [TestMethod]
        public void RoundTrip_AllFields_PreservesValues()
        {
            var t = new Transfer
            {
                Handle = 1, DeliveryId = 70000, HasDeliveryId = true, DeliveryTag = new byte[] { 1, 2, 3, 4 }, MessageFormat = 0x80013700,
                Settled = true, More = true,
                State = new Received { SectionNumber = 1, SectionOffset = 2 }, Aborted = true, Batchable = true,
            };
            var b = Wire.NewBuffer();
            t.Encode(b);
            var d = new Transfer();
            d.Decode(Wire.AfterDescriptor(b, Descriptor.Transfer));
            Wire.Consumed(b);
            Assert.AreEqual(1u, d.Handle);
            Assert.IsTrue(d.HasDeliveryId);
            Assert.AreEqual(70000u, d.DeliveryId);
            CollectionAssert.AreEqual(new byte[] { 1, 2, 3, 4 }, d.DeliveryTag);
            Assert.AreEqual(0x80013700u, d.MessageFormat);
            Assert.IsTrue(d.Settled);
            Assert.IsTrue(d.More);
            Assert.AreEqual(1u, ((Received)d.State).SectionNumber);
            Assert.IsTrue(d.Aborted);
            Assert.IsTrue(d.Batchable);
        }

        [TestMethod]
        public void Decode_ReusedInstance_ResetsPreviousFields()
        {
            var d = new Transfer();
            d.Decode(Wire.Body("00 53 14 c0 09 05 43 52 05 a0 01 ab 43 41", Descriptor.Transfer));
            Assert.IsTrue(d.Settled);
            d.Decode(Wire.Body("00 53 14 c0 07 06 43 40 40 40 40 41", Descriptor.Transfer));
            Assert.IsFalse(d.HasDeliveryId);
            Assert.IsNull(d.DeliveryTag);
            Assert.IsFalse(d.Settled);
            Assert.IsTrue(d.More);
        }

        [TestMethod]
        public void Decode_NoHandle_IsDecodeErrorNamingIt()
        {
            var e = Expect.AmqpError(ErrorCode.DecodeError, () => new Transfer().Decode(Wire.Body("00 53 14 45", Descriptor.Transfer)));
            Assert.AreEqual("transfer is missing handle", e.Description);
        }

        [TestMethod]
        public void Decode_PayloadAfterPerformative_IsLeftUnread()
        {
            var b = Wire.Body("00 53 14 c0 03 01 52 02 00 53 75 a0 01 ff", Descriptor.Transfer);
            new Transfer().Decode(b);
            Assert.AreEqual(6, b.Length);
        }
    }
}
