// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
using IotHubAmqp.Device.Framing;
using IotHubAmqp.Device.Types;
using nanoFramework.TestFramework;

namespace IotHubAmqp.Device.Tests.Framing
{
    [TestClass]
    public class BeginTests
    {
        [TestMethod]
        public void Encode_WithoutRemoteChannel_WritesSpecBytes()
        {
            // list8 size 10 count 4: null remote-channel, uint0, uint 2048, smalluint 255.
            var b = Wire.NewBuffer();
            new Begin { NextOutgoingId = 0, IncomingWindow = 2048, OutgoingWindow = 255 }.Encode(b);
            Expect.Bytes(Expect.FromHex("00 53 11 c0 0a 04 40 43 70 00 00 08 00 52 ff"), b);
        }

        [TestMethod]
        public void Encode_WithRemoteChannel_WritesUShort()
        {
            var b = Wire.NewBuffer();
            new Begin { RemoteChannel = 7, HasRemoteChannel = true, NextOutgoingId = 0, IncomingWindow = 2048, OutgoingWindow = 255 }.Encode(b);
            Expect.Bytes(Expect.FromHex("00 53 11 c0 0c 04 60 00 07 43 70 00 00 08 00 52 ff"), b);
        }

        [TestMethod]
        public void Encode_HandleMaxSet_WritesFifthField()
        {
            var b = Wire.NewBuffer();
            new Begin { NextOutgoingId = 1, IncomingWindow = 1, OutgoingWindow = 1, HandleMax = 3 }.Encode(b);
            Expect.Bytes(Expect.FromHex("00 53 11 c0 0a 05 40 52 01 52 01 52 01 52 03"), b);
        }

        [TestMethod]
        public void RoundTrip_AllFields_PreservesValues()
        {
            var props = new AmqpMap();
            props[new Symbol("k")] = 5u;
            var begin = new Begin
            {
                RemoteChannel = 3, HasRemoteChannel = true, NextOutgoingId = 100000, IncomingWindow = 10, OutgoingWindow = 20,
                HandleMax = 7, Properties = props,
            };
            var b = Wire.NewBuffer();
            begin.Encode(b);
            var d = new Begin();
            d.Decode(Wire.AfterDescriptor(b, Descriptor.Begin));
            Wire.Consumed(b);
            Assert.IsTrue(d.HasRemoteChannel);
            Assert.AreEqual((ushort)3, d.RemoteChannel);
            Assert.AreEqual(100000u, d.NextOutgoingId);
            Assert.AreEqual(10u, d.IncomingWindow);
            Assert.AreEqual(20u, d.OutgoingWindow);
            Assert.AreEqual(7u, d.HandleMax);
            Assert.IsTrue(props.Equals(d.Properties));
        }

        [TestMethod]
        public void Decode_ReusedInstance_ResetsPreviousFields()
        {
            var d = new Begin();
            d.Decode(Wire.Body("00 53 11 c0 0e 06 60 00 07 43 52 01 52 01 52 03 a3 01 61", Descriptor.Begin));
            Assert.IsTrue(d.HasRemoteChannel);
            Assert.AreEqual(3u, d.HandleMax);
            d.Decode(Wire.Body("00 53 11 c0 07 04 40 43 52 02 52 04", Descriptor.Begin));
            Assert.IsFalse(d.HasRemoteChannel);
            Assert.AreEqual(uint.MaxValue, d.HandleMax);
            Assert.AreEqual(2u, d.IncomingWindow);
            Assert.AreEqual(4u, d.OutgoingWindow);
        }

        [TestMethod]
        public void Decode_MissingMandatoryField_IsDecodeErrorNamingIt()
        {
            var e = Expect.AmqpError(ErrorCode.DecodeError, () => new Begin().Decode(Wire.Body("00 53 11 c0 02 01 40", Descriptor.Begin)));
            Assert.AreEqual("begin is missing next-outgoing-id", e.Description);
            e = Expect.AmqpError(ErrorCode.DecodeError, () => new Begin().Decode(Wire.Body("00 53 11 c0 05 04 40 43 43 40", Descriptor.Begin)));
            Assert.AreEqual("begin is missing outgoing-window", e.Description);
            e = Expect.AmqpError(ErrorCode.DecodeError, () => new Begin().Decode(Wire.Body("00 53 11 c0 05 04 40 43 40 43", Descriptor.Begin)));
            Assert.AreEqual("begin is missing incoming-window", e.Description);
        }
    }
}
