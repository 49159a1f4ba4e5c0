// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
using IotHubAmqp.Device.Framing;
using IotHubAmqp.Device.Types;
using nanoFramework.TestFramework;

namespace IotHubAmqp.Device.Tests.Framing
{
    [TestClass]
    public class AttachTests
    {
        [TestMethod]
        public void Encode_ReceiverWithSource_WritesSpecBytes()
        {
            // name "l", smalluint 1, true (receiver), default settle modes as null, source list8 { address "q" }.
            var b = Wire.NewBuffer();
            new Attach { Name = "l", Handle = 1, Role = Role.Receiver, Source = new Source { Address = "q" } }.Encode(b);
            Expect.Bytes(Expect.FromHex("00 53 12 c0 12 06 a1 01 6c 52 01 41 40 40 00 53 28 c0 04 01 a1 01 71"), b);
        }

        [TestMethod]
        public void Encode_SenderUnsettledWithTargetAndInitialDeliveryCount_WritesSpecBytes()
        {
            var b = Wire.NewBuffer();
            new Attach
            {
                Name = "l", Handle = 0, Role = Role.Sender, SndSettleMode = SenderSettleMode.Unsettled,
                Target = new Target { Address = "t" }, InitialDeliveryCount = 0, HasInitialDeliveryCount = true,
            }.Encode(b);
            Expect.Bytes(Expect.FromHex("00 53 12 c0 16 0a a1 01 6c 43 42 50 00 40 40 00 53 29 c0 04 01 a1 01 74 40 40 43"), b);
        }

        [TestMethod]
        public void Encode_OnlyMandatoryFields_WritesThree()
        {
            var b = Wire.NewBuffer();
            new Attach { Name = "l", Handle = 0, Role = Role.Sender }.Encode(b);
            Expect.Bytes(Expect.FromHex("00 53 12 c0 06 03 a1 01 6c 43 42"), b);
        }

        [TestMethod]
        public void RoundTrip_AllFields_PreservesValues()
        {
            var unsettled = new AmqpMap();
            unsettled[new byte[] { 1 }] = null;
            var props = new AmqpMap();
            props[new Symbol("com.microsoft:client-version")] = "1.0";
            var attach = new Attach
            {
                Name = "sender-link", Handle = 300, Role = Role.Receiver, SndSettleMode = SenderSettleMode.Settled,
                RcvSettleMode = ReceiverSettleMode.Second, Source = new Source { Address = "/devices/d/messages/devicebound" },
                Target = new Target { Address = "t" }, Unsettled = unsettled,
                InitialDeliveryCount = 9, HasInitialDeliveryCount = true, MaxMessageSize = 262144,
                Properties = props,
            };
            var b = Wire.NewBuffer();
            attach.Encode(b);
            var d = new Attach();
            d.Decode(Wire.AfterDescriptor(b, Descriptor.Attach));
            Wire.Consumed(b);
            Assert.AreEqual("sender-link", d.Name);
            Assert.AreEqual(300u, d.Handle);
            Assert.AreEqual(Role.Receiver, d.Role);
            Assert.AreEqual(SenderSettleMode.Settled, d.SndSettleMode);
            Assert.AreEqual(ReceiverSettleMode.Second, d.RcvSettleMode);
            Assert.AreEqual("/devices/d/messages/devicebound", d.Source.Address);
            Assert.AreEqual("t", d.Target.Address);
            Assert.AreEqual(1, d.Unsettled.Count);
            Assert.IsTrue(d.HasInitialDeliveryCount);
            Assert.AreEqual(9u, d.InitialDeliveryCount);
            Assert.AreEqual(262144ul, d.MaxMessageSize);
            Assert.IsTrue(props.Equals(d.Properties));
        }

        [TestMethod]
        public void Decode_ReusedInstance_ResetsPreviousFields()
        {
            var d = new Attach();
            d.Decode(Wire.Body("00 53 12 c0 17 0a a1 01 6c 43 42 50 00 40 40 00 53 29 c0 04 01 a1 01 74 40 40 52 09", Descriptor.Attach));
            Assert.IsTrue(d.HasInitialDeliveryCount);
            Assert.AreEqual(9u, d.InitialDeliveryCount);
            Assert.AreEqual(SenderSettleMode.Unsettled, d.SndSettleMode);
            Assert.IsNotNull(d.Target);

            d.Decode(Wire.Body("00 53 12 c0 07 03 a1 01 6d 52 02 41", Descriptor.Attach));
            Assert.AreEqual("m", d.Name);
            Assert.AreEqual(2u, d.Handle);
            Assert.AreEqual(Role.Receiver, d.Role);
            Assert.IsFalse(d.HasInitialDeliveryCount);
            Assert.AreEqual(0u, d.InitialDeliveryCount); // the engine reads it as 0 when absent
            Assert.AreEqual(SenderSettleMode.Mixed, d.SndSettleMode);
            Assert.AreEqual(ReceiverSettleMode.First, d.RcvSettleMode);
            Assert.IsNull(d.Target);
            Assert.IsNull(d.Source);
        }

        [TestMethod]
        public void Decode_NullSourceAndTarget_AreNull()
        {
            var d = new Attach();
            d.Decode(Wire.Body("00 53 12 c0 0a 07 a1 01 6c 43 42 40 40 40 40", Descriptor.Attach));
            Assert.IsNull(d.Source);
            Assert.IsNull(d.Target);
        }

        [TestMethod]
        public void Decode_MissingMandatoryField_IsDecodeErrorNamingIt()
        {
            var e = Expect.AmqpError(ErrorCode.DecodeError, () => new Attach().Decode(Wire.Body("00 53 12 c0 05 02 a1 01 6c 43", Descriptor.Attach)));
            Assert.AreEqual("attach is missing role", e.Description);
            e = Expect.AmqpError(ErrorCode.DecodeError, () => new Attach().Decode(Wire.Body("00 53 12 c0 04 03 40 43 42", Descriptor.Attach)));
            Assert.AreEqual("attach is missing name", e.Description);
            e = Expect.AmqpError(ErrorCode.DecodeError, () => new Attach().Decode(Wire.Body("00 53 12 c0 06 03 a1 01 6c 40 42", Descriptor.Attach)));
            Assert.AreEqual("attach is missing handle", e.Description);
        }

        [TestMethod]
        public void Decode_SourceFieldWithTargetDescriptor_IsDecodeError()
        {
            var e = Expect.AmqpError(ErrorCode.DecodeError, () => new Attach().Decode(Wire.Body("00 53 12 c0 0c 06 a1 01 6c 43 42 40 40 00 53 29 45", Descriptor.Attach)));
            Assert.AreEqual("expected amqp:source:list, found amqp:target:list", e.Description);
        }
    }
}
