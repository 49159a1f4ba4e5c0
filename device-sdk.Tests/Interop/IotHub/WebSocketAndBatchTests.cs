// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
using IotHubAmqp.Device.Batching;
using IotHubAmqp.Device.InteropTests.TestSupport;
using IotHubAmqp.Device.IotHub;
using IotHubAmqp.Device.Messaging;
using IotHubAmqp.Device.Platform;
using IotHubAmqp.Device.Platform.Desktop;
using IotHubAmqp.Device.Types;
using IotHubAmqp.LocalHub;

namespace IotHubAmqp.Device.InteropTests.IotHub
{
    /// <summary>The SDK against the local hub over AMQP over WebSockets, and batched telemetry (both transports).</summary>
    public class WebSocketAndBatchTests
    {
        // The hub's connection string names its AMQP port in GatewayHostName, which the SDK dials: keep only the host.
        private static string WebSocketGateway(string cs) =>
            System.Text.RegularExpressions.Regex.Replace(cs, "GatewayHostName=[^;]*", "GatewayHostName=127.0.0.1");

        private static DeviceClient WebSocketClient(HubFixture f, string deviceId, DeviceClientOptions options = null)
        {
            string cs = WebSocketGateway(f.AddDevice(deviceId));
            options ??= new DeviceClientOptions();
            options.Port = f.Hub.WebSocketPort;
            return new DeviceClient(cs, new DesktopWebSocketTransportFactory(f.Hub.CaCertificate), DeviceConnector.Platform, options);
        }

        private static Message[] Batch(int n, string prefix)
        {
            var list = new Message[n];
            for (int i = 0; i < n; i++)
            {
                var app = new AmqpMap();
                app["index"] = i;
                list[i] = new Message(new byte[] { (byte)i, 0xEE })
                {
                    Properties = new MessageProperties { MessageId = prefix + i, ContentType = "application/octet-stream", CorrelationId = "c-" + i },
                    ApplicationProperties = app,
                };
            }
            return list;
        }

        [Fact]
        public void OverWebSockets_TelemetryAndC2d_ReachTheHubThroughItsWebSocketEndpoint()
        {
            using var f = new HubFixture(o => o.WebSocketPort = 0);
            DeviceClient client = WebSocketClient(f, "ws1");
            try
            {
                client.Open();
                var r = client.SendTelemetry(new Message(new byte[] { 1, 2, 3 }) { Properties = new MessageProperties { MessageId = "ws-m1" } });
                Assert.True(r.IsAccepted, r.ToString());
                f.Hub.SendCloudToDevice("ws1", new CloudToDeviceMessage { MessageId = "ws-down", Body = new byte[] { 9 } });
                C2dMessage[] got = client.ReceiveCloudToDevice(1, 10000);
                Assert.Single(got);
                Assert.Equal("ws-down", got[0].MessageId);
                client.Complete(got[0]);
            }
            finally
            {
                client.Close();
            }
            var t = f.Hub.GetTelemetry("ws1").Single();
            Assert.Equal("ws-m1", t.MessageId);
            Assert.Equal(new byte[] { 1, 2, 3 }, t.Body);
            Assert.Contains(f.Hub.GetEvents(), e => e.Kind == HubEventKind.Connected && (e.Reason ?? "").StartsWith("wss://", StringComparison.Ordinal));
        }

        [Fact]
        public void OverWebSockets_HubCutsTheConnection_ClientReconnectsAndKeepsSending()
        {
            using var f = new HubFixture(o => o.WebSocketPort = 0);
            DeviceClient client = WebSocketClient(f, "ws2", new DeviceClientOptions { Retry = new RetryPolicy { MinDelayMs = 20, MaxDelayMs = 200 } });
            try
            {
                client.Open();
                Assert.True(client.SendTelemetry(new Message(new byte[] { 1 })).IsAccepted);
                Assert.Equal(1, f.Hub.AbortDeviceConnections("ws2"));
                var r = client.SendTelemetryBatch(new[] { new Message(new byte[] { 2 }), new Message(new byte[] { 3 }) });
                Assert.True(r.IsAccepted, r.ToString());
                Assert.True(client.Reconnects >= 1, "reconnects: " + client.Reconnects);
            }
            finally
            {
                client.Close();
            }
            Assert.Equal(3, f.Hub.GetTelemetry("ws2").Select(t => t.MessageId).Distinct().Count());
        }

        [Fact]
        public void OverWebSockets_HubStopsWithTheClientConnected_StopsPromptly()
        {
            var f = new HubFixture(o => o.WebSocketPort = 0);
            DeviceClient client = WebSocketClient(f, "ws3", new DeviceClientOptions { Retry = new RetryPolicy { MaxAttempts = 1 } });
            client.Open();
            var sw = System.Diagnostics.Stopwatch.StartNew();
            f.Dispose();
            Assert.True(sw.Elapsed < TimeSpan.FromSeconds(5), "hub stop took " + sw.Elapsed);
            client.Close();
        }

        [Theory]
        [InlineData(false, 1)]
        [InlineData(false, 10)]
        [InlineData(false, 50)]
        [InlineData(true, 10)]
        public void SendTelemetryBatch_EveryInnerMessageStoredWithItsOwnProperties(bool webSockets, int count)
        {
            using var f = new HubFixture(o => o.WebSocketPort = webSockets ? 0 : null);
            DeviceClient client = webSockets ? WebSocketClient(f, "b1") : f.Client("b1", null, out _);
            try
            {
                client.Open();
                SendResult r = client.SendTelemetryBatch(Batch(count, "b-"));
                Assert.True(r.IsAccepted, r.ToString());
            }
            finally
            {
                client.Close();
            }
            var stored = f.Hub.GetTelemetry("b1");
            Assert.Equal(count, stored.Count);
            for (int i = 0; i < count; i++)
            {
                Assert.True(stored[i].FromBatch);
                Assert.Equal("b-" + i, stored[i].MessageId);
                Assert.Equal("c-" + i, stored[i].CorrelationId);
                Assert.Equal("application/octet-stream", stored[i].ContentType);
                Assert.Equal(i, Convert.ToInt32(stored[i].ApplicationProperties["index"]));
                Assert.Equal(new byte[] { (byte)i, 0xEE }, stored[i].Body);
            }
        }

        [Fact]
        public void SendTelemetryBatch_MessagesWithoutIds_GetOneEach()
        {
            using var f = new HubFixture();
            DeviceClient client = f.Client("b2", null, out _);
            try
            {
                client.Open();
                var batch = new[] { new Message(new byte[] { 1 }), new Message(new byte[] { 2 }) };
                Assert.True(client.SendTelemetryBatch(batch).IsAccepted);
                Assert.NotNull(batch[0].Properties.MessageId);
                Assert.NotEqual(batch[0].Properties.MessageId, batch[1].Properties.MessageId);
            }
            finally
            {
                client.Close();
            }
            Assert.Equal(2, f.Hub.GetTelemetry("b2").Count);
        }

        [Fact]
        public void SendTelemetryBatch_LargerThanTheLimit_ThrowsBeforeSending()
        {
            using var f = new HubFixture();
            DeviceClient client = f.Client("b3", null, out _);
            try
            {
                client.Open();
                var batch = new Message[5];
                for (int i = 0; i < batch.Length; i++) batch[i] = new Message(new byte[60 * 1024]);
                var e = Assert.Throws<ArgumentException>(() => client.SendTelemetryBatch(batch));
                Assert.Contains("the batch's first 5 of 5 messages encode to", e.Message);
                Assert.Contains("at most " + DeviceClientOptions.MaxTelemetryBytes, e.Message);
                Assert.Throws<ArgumentException>(() => client.SendTelemetryBatch(new Message[0]));
                Assert.Throws<ArgumentException>(() => client.SendTelemetryBatch(new Message[] { new Message(new byte[1]), null }));
                Assert.True(client.SendTelemetry(new Message(new byte[] { 1 })).IsAccepted);
            }
            finally
            {
                client.Close();
            }
            Assert.Single(f.Hub.GetTelemetry("b3"));
        }

        [Fact]
        public void SendTelemetryBatch_HubRejects_OneOutcomeForTheWholeBatch()
        {
            using var f = new HubFixture();
            DeviceClient client = f.Client("b4", null, out _);
            try
            {
                client.Open();
                f.Hub.RejectNextTelemetry(1);
                SendResult r = client.SendTelemetryBatch(Batch(3, "r-"));
                Assert.False(r.IsAccepted);
                Assert.Empty(f.Hub.GetTelemetry("b4"));
                Assert.True(client.SendTelemetryBatch(Batch(3, "s-")).IsAccepted);
            }
            finally
            {
                client.Close();
            }
            Assert.Equal(new[] { "s-0", "s-1", "s-2" }, f.Hub.GetTelemetry("b4").Select(t => t.MessageId));
        }
    }
}
