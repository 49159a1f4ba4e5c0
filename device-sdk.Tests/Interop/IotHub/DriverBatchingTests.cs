// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
using IotHubAmqp.Device.InteropTests.TestSupport;
using IotHubAmqp.Device.IotHub;
using IotHubAmqp.Device.Messaging;
using HubC2d = IotHubAmqp.LocalHub.CloudToDeviceMessage;

namespace IotHubAmqp.Device.InteropTests.IotHub
{
    /// <summary>
    /// The driver's batching end to end over TLS: a window of sends leaves in shared writes (the desktop transport
    /// holds them), and the reader's own ring carries messages many times its size.
    /// </summary>
    public class DriverBatchingTests
    {
        [Fact]
        public void BeginSendTelemetry_Window_EveryMessageArrivesIntactAndInOrder()
        {
            using var f = new HubFixture();
            DeviceClient client = f.Client("dev1", null, out _);
            client.Open();
            const int count = 300;
            const int window = 16;
            int accepted = 0, failed = 0;
            using var done = new SemaphoreSlim(0);
            SendCompletedHandler callback = (sender, m, result) =>
            {
                if (result.IsAccepted) Interlocked.Increment(ref accepted);
                else Interlocked.Increment(ref failed);
                done.Release();
            };
            int outstanding = 0;
            for (int i = 0; i < count; i++)
            {
                if (outstanding == window)
                {
                    Assert.True(done.Wait(15000), "no outcome within 15 s");
                    outstanding--;
                }
                var body = new byte[700 + i];
                body[0] = (byte)i;
                body[body.Length - 1] = (byte)(i >> 8);
                client.BeginSendTelemetry(new Message(body) { Properties = new MessageProperties { MessageId = "m" + i } }, callback);
                outstanding++;
            }
            while (outstanding-- > 0) Assert.True(done.Wait(15000), "no outcome within 15 s");
            client.Close();

            Assert.Equal(0, failed);
            Assert.Equal(count, accepted);
            var got = f.Hub.GetTelemetry("dev1");
            Assert.Equal(count, got.Count);
            for (int i = 0; i < count; i++)
            {
                Assert.Equal("m" + i, got[i].MessageId);
                Assert.Equal(700 + i, got[i].Body.Length);
                Assert.Equal((byte)i, got[i].Body[0]);
                Assert.Equal((byte)(i >> 8), got[i].Body[got[i].Body.Length - 1]);
            }
        }

        [Fact]
        public void C2d_MessagesLargerThanTheReadersRing_ArriveIntact()
        {
            using var f = new HubFixture();
            DeviceClient client = f.Client("dev1", new DeviceClientOptions { C2dPrefetch = 4 }, out _);
            client.Open();
            int[] sizes = { TransportReader.RingBytes - 1, TransportReader.RingBytes + 1, 5000, 20000, 60000 };
            var bodies = new byte[sizes.Length][];
            var random = new Random(7);
            for (int i = 0; i < sizes.Length; i++)
            {
                bodies[i] = new byte[sizes[i]];
                random.NextBytes(bodies[i]);
                f.Hub.SendCloudToDevice("dev1", new HubC2d { Body = bodies[i], MessageId = "big-" + i });
            }

            var received = new List<C2dMessage>();
            var deadline = DateTime.UtcNow.AddSeconds(20);
            while (received.Count < sizes.Length && DateTime.UtcNow < deadline)
            {
                foreach (C2dMessage m in client.ReceiveCloudToDevice(sizes.Length, 2000))
                {
                    received.Add(m);
                    client.Complete(m);
                }
            }
            client.Close();

            Assert.Equal(sizes.Length, received.Count);
            for (int i = 0; i < sizes.Length; i++)
            {
                Assert.Equal("big-" + i, received[i].MessageId);
                Assert.Equal(bodies[i], received[i].Body);
            }
        }
    }
}
