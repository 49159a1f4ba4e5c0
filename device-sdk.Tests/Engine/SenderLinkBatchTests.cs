// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
using IotHubAmqp.Device.Batching;
using IotHubAmqp.Device.Engine;
using IotHubAmqp.Device.Framing;
using IotHubAmqp.Device.Messaging;
using IotHubAmqp.Device.Types;
using nanoFramework.TestFramework;

namespace IotHubAmqp.Device.Tests.Engine
{
    /// <summary>The transfer's message-format field for batched telemetry (wire-2 §6).</summary>
    [TestClass]
    public class SenderLinkBatchTests
    {
        // The two-message batch of MessageBatchTests: its outer body, byte for byte.
        private const string Batch =
            "00 53 75 a0 0f 00 53 73 c0 04 01 a1 01 61 00 53 75 a0 01 01 " +
            "00 53 75 a0 11 00 53 74 c1 06 02 a1 01 6b 54 01 00 53 75 a0 01 02";

        private static Message Outer()
        {
            var app = new AmqpMap();
            app["k"] = 1;
            return MessageBatch.Create(new Message[]
            {
                new Message(new byte[] { 1 }) { Properties = new MessageProperties { MessageId = "a" } },
                new Message(new byte[] { 2 }) { ApplicationProperties = app },
            }, 1024);
        }

        private static bool Contains(byte[] haystack, byte[] needle)
        {
            for (int i = 0; i + needle.Length <= haystack.Length; i++)
            {
                int k = 0;
                while (k < needle.Length && haystack[i + k] == needle[k]) k++;
                if (k == needle.Length) return true;
            }
            return false;
        }

        [TestMethod]
        public void Send_BatchFormat_TransferCarries0x80013700AndTheBatchBytes()
        {
            EngineHarness h = EngineHarness.Connected();
            Session s = h.BeginSession();
            SenderLink link = h.AttachSender(s, 10);

            OutgoingDelivery d = link.Send(Outer(), null);
            d.MessageFormat = MessageBatch.Format;
            h.Pump();

            byte[] raw = h.Write(h.WriteCount - 1).Bytes;
            byte[] payload = h.Peer.ReadDelivery(out Transfer t, out int frames);
            Assert.AreEqual(0x80013700u, t.MessageFormat);
            Assert.AreEqual(1, frames);
            Expect.Bytes(Expect.FromHex(Batch), payload);
            // message-format is the transfer's fourth field, a uint: 70 80 01 37 00 (1.6.9).
            Assert.IsTrue(Contains(raw, new byte[] { 0x70, 0x80, 0x01, 0x37, 0x00 }), Expect.Hex(raw, 0, raw.Length));
        }

        [TestMethod]
        public void Send_AfterABatch_ASingleMessageGoesOutWithFormatZero()
        {
            EngineHarness h = EngineHarness.Connected();
            Session s = h.BeginSession();
            SenderLink link = h.AttachSender(s, 10);

            OutgoingDelivery batch = link.Send(Outer(), null);
            batch.MessageFormat = MessageBatch.Format;
            h.Pump();
            h.Peer.ReadDelivery(out Transfer first, out int _);
            h.Peer.SendDisposition(batch.Id, batch.Id, Accepted.Instance);
            h.Pump();
            Assert.AreSame(batch, link.NextCompleted());
            link.Free(batch);

            link.Send(new Message(new byte[] { 9 }), null);
            h.Pump();
            h.Peer.ReadDelivery(out Transfer second, out int _);
            Assert.AreEqual(0x80013700u, first.MessageFormat);
            Assert.AreEqual(0u, second.MessageFormat);
        }
    }
}
