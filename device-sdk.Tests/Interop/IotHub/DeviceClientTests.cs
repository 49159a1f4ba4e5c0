// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
using System.Collections.Concurrent;
using IotHubAmqp.Device.Feedback;
using IotHubAmqp.Device.InteropTests.TestSupport;
using IotHubAmqp.Device.IotHub;
using IotHubAmqp.Device.Messaging;
using IotHubAmqp.LocalHub;
using HubC2d = IotHubAmqp.LocalHub.CloudToDeviceMessage;

namespace IotHubAmqp.Device.InteropTests.IotHub
{
    /// <summary>The device client end to end against the local hub over TLS (validation on).</summary>
    public class DeviceClientTests
    {
        private static readonly TimeSpan Wait = TimeSpan.FromSeconds(15);

        [Theory]
        [InlineData(AuthenticationMode.Cbs)]
        [InlineData(AuthenticationMode.CbsWithSaslAnonymous)]
        [InlineData(AuthenticationMode.SaslPlain)]
        public async Task SendTelemetry_EachAuthMode_ArrivesIntactWithEveryPropertyKind(AuthenticationMode mode)
        {
            using var f = new HubFixture();
            DeviceClient client = f.Client("dev-" + mode, new DeviceClientOptions { Authentication = mode }, out var events);
            client.Open();
            Assert.Equal(ClientStatus.Connected, client.Status);

            var m = new Message(new byte[] { 0x7b, 0x7d });
            m.Properties = new MessageProperties
            {
                MessageId = "msg-1",
                CorrelationId = "corr-1",
                ContentType = "application/json",
                ContentEncoding = "utf-8",
                Subject = "subj",
                To = "/devices/x/messages/events",
                ReplyTo = "reply",
                UserId = new byte[] { 1 },
                GroupId = "g",
                GroupSequence = 3,
                HasGroupSequence = true,
                ReplyToGroupId = "rg",
                CreationTime = new DateTime(2026, 1, 2, 3, 4, 5, DateTimeKind.Utc),
                AbsoluteExpiryTime = new DateTime(2027, 1, 2, 3, 4, 5, DateTimeKind.Utc),
            };
            m.ApplicationProperties = new AmqpMap();
            m.ApplicationProperties["temperature"] = 21.5;
            m.ApplicationProperties["count"] = 42;
            m.ApplicationProperties["big"] = 1L << 40;
            m.ApplicationProperties["alert"] = true;
            m.ApplicationProperties["name"] = "kitchen";
            m.ApplicationProperties["when"] = new DateTime(2026, 5, 6, 7, 8, 9, DateTimeKind.Utc);
            SendResult result = client.SendTelemetry(m);
            Assert.True(result.IsAccepted, result.ToString());

            var got = (await f.Hub.WaitForTelemetryAsync("dev-" + mode, 1, Wait))[0];
            Assert.Equal("msg-1", got.MessageId);
            Assert.Equal("corr-1", got.CorrelationId);
            Assert.Equal("application/json", got.ContentType);
            Assert.Equal("utf-8", got.ContentEncoding);
            Assert.Equal(new byte[] { 0x7b, 0x7d }, got.Body);
            Assert.Equal(21.5, got.ApplicationProperties["temperature"]);
            Assert.Equal(42, got.ApplicationProperties["count"]);
            Assert.Equal(1L << 40, got.ApplicationProperties["big"]);
            Assert.Equal(true, got.ApplicationProperties["alert"]);
            Assert.Equal("kitchen", got.ApplicationProperties["name"]);
            client.Close();
            Assert.Equal(ClientStatus.Closed, client.Status);
        }

        [Fact]
        public async Task SendTelemetry_WithoutMessageId_GetsOneGenerated()
        {
            using var f = new HubFixture();
            DeviceClient client = f.Client("dev1", null, out _);
            client.Open();
            SendResult result = client.SendTelemetry(new byte[] { 1 });
            Assert.True(result.IsAccepted);
            Assert.False(string.IsNullOrEmpty(result.MessageId));
            var got = (await f.Hub.WaitForTelemetryAsync("dev1", 1, Wait))[0];
            Assert.Equal(result.MessageId, got.MessageId);
            client.Close();
        }

        [Fact]
        public async Task SendTelemetry_Text_IsUtf8WithContentTypeAndEncoding()
        {
            using var f = new HubFixture();
            DeviceClient client = f.Client("dev1", null, out _);
            client.Open();
            Assert.True(client.SendTelemetry("{\"t\":\"21,5 °C\"}", "application/json").IsAccepted);
            var got = (await f.Hub.WaitForTelemetryAsync("dev1", 1, Wait))[0];
            Assert.Equal("{\"t\":\"21,5 °C\"}", System.Text.Encoding.UTF8.GetString(got.Body));
            Assert.Equal("application/json", got.ContentType);
            Assert.Equal("utf-8", got.ContentEncoding);
            client.Close();
        }

        [Theory]
        [InlineData(true)]
        [InlineData(false)]
        public void Gateway_DialledByAnotherAddress_ValidatesOnlyWhenTheHubCertificateNamesIt(bool named)
        {
            // A device on the LAN dials the PC's address; 127.0.0.2 (loopback) stands in for it here.
            using var f = new HubFixture(o =>
            {
                o.BindAddress = "127.0.0.2";
                if (named) o.ExtraCertificateNames.Add("127.0.0.2");
            });
            string cs = f.AddDevice("dev1").Replace("GatewayHostName=127.0.0.1", "GatewayHostName=127.0.0.2");
            var client = new DeviceClient(cs, f.Transports, DeviceConnector.Platform, new DeviceClientOptions { Port = f.Hub.Port });
            if (named)
            {
                client.Open();
                Assert.True(client.SendTelemetry(new byte[] { 1 }).IsAccepted);
                client.Close();
            }
            else
            {
                var e = Assert.ThrowsAny<Exception>(() => client.Open());
                Assert.Contains("name mismatch", e.Message);
            }
        }

        [Fact]
        public void SendTelemetry_HubThrottles_ReportsThrottled()
        {
            using var f = new HubFixture();
            DeviceClient client = f.Client("dev1", null, out _);
            client.Open();
            f.Hub.RejectNextTelemetry(1);
            SendResult result = client.SendTelemetry(new byte[] { 1 });
            Assert.Equal(SendOutcome.Throttled, result.Outcome);
            Assert.Equal("amqp:resource-limit-exceeded", result.Condition);
            Assert.True(client.SendTelemetry(new byte[] { 2 }).IsAccepted);
            client.Close();
        }

        [Fact]
        public void Open_WrongKey_FailsWithUnauthorizedAndNoKeyInMessage()
        {
            using var f = new HubFixture();
            f.AddDevice("dev1");
            string wrongKey = Convert.ToBase64String(new byte[32]);
            string cs = "HostName=" + f.Hub.HostName + ";DeviceId=dev1;SharedAccessKey=" + wrongKey + ";GatewayHostName=127.0.0.1";
            var client = new DeviceClient(cs, f.Transports, DeviceConnector.Platform, new DeviceClientOptions { Port = f.Hub.Port });
            var e = Assert.Throws<AmqpException>(() => client.Open());
            Assert.Equal("amqp:unauthorized-access", e.Condition);
            Assert.DoesNotContain(wrongKey, e.ToString());
        }

        [Theory]
        [InlineData("complete", "Success")]
        [InlineData("reject", "Rejected")]
        public async Task C2d_SettledByDevice_ProducesTheHubsFeedback(string action, string status)
        {
            using var f = new HubFixture();
            DeviceClient client = f.Client("dev1", null, out _);
            client.Open();
            Assert.Equal(C2dEnqueueResult.Enqueued, f.Hub.SendCloudToDevice("dev1", new HubC2d { Body = new byte[] { 5 }, MessageId = "c2d-1", Ack = "full" }));

            C2dMessage[] got = client.ReceiveCloudToDevice(5, 10000);
            Assert.Single(got);
            Assert.Equal(new byte[] { 5 }, got[0].Body);
            Assert.Equal("\u0005", got[0].BodyAsString);
            Assert.Equal("c2d-1", got[0].MessageId);
            Assert.True(got[0].SequenceNumber >= 0);
            Assert.NotNull(got[0].LockToken);
            Assert.NotEqual(DateTime.MinValue, got[0].EnqueuedTime);
            if (action == "complete") client.Complete(got[0]);
            else client.Reject(got[0]);

            var deadline = DateTime.UtcNow + Wait;
            while (f.Hub.GetFeedback().Count == 0 && DateTime.UtcNow < deadline) await Task.Delay(50);
            FeedbackRecord record = Assert.Single(f.Hub.GetFeedback());
            Assert.Equal(status, record.StatusCode);
            Assert.Equal("c2d-1", record.OriginalMessageId);
            var e = Assert.Throws<AmqpException>(() => client.Complete(got[0]));
            Assert.Contains("already settled", e.Description);
            client.Close();
        }

        [Fact]
        public void C2d_Abandoned_IsDeliveredAgainWithHigherDeliveryCount()
        {
            using var f = new HubFixture();
            DeviceClient client = f.Client("dev1", null, out _);
            client.Open();
            f.Hub.SendCloudToDevice("dev1", new HubC2d { Body = new byte[] { 5 }, MessageId = "c2d-1" });
            C2dMessage first = client.ReceiveCloudToDevice(1, 10000)[0];
            client.Abandon(first);
            C2dMessage again = client.ReceiveCloudToDevice(1, 10000)[0];
            Assert.Equal("c2d-1", again.MessageId);
            Assert.True(again.DeliveryCount > first.DeliveryCount, $"{again.DeliveryCount} > {first.DeliveryCount}");
            client.Complete(again);
            client.Close();
        }

        [Fact]
        public void TrySendTelemetry_ReusedMessage_AllocatesNothingOnTheCallersThread()
        {
            using var f = new HubFixture();
            DeviceClient client = f.Client("dev1", null, out _);
            client.Open();
            var body = new byte[64];
            var message = new Message(body);
            for (int i = 0; i < 20; i++) Assert.True(client.TrySendTelemetry(message, out _)); // warm up (JIT, pools)
            const int sends = 200;
            long before = GC.GetAllocatedBytesForCurrentThread();
            int accepted = 0;
            for (int i = 0; i < sends; i++)
            {
                body[0] = (byte)i; // the loop changes the reading in place
                if (client.TrySendTelemetry(message, out SendResult failure)) accepted++;
                else Assert.Fail("not accepted: " + failure);
            }
            long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            Assert.Equal(sends, accepted);
            Assert.Equal(0, allocated);
            Assert.Equal(sends + 20, f.Hub.GetTelemetry("dev1").Count);
            Assert.All(f.Hub.GetTelemetry("dev1"), t => Assert.Null(t.MessageId)); // sent as it was: no id added
            client.Close();
        }

        [Fact]
        public void TrySendTelemetry_HubRejects_ReportsTheFailure()
        {
            using var f = new HubFixture();
            DeviceClient client = f.Client("dev1", null, out _);
            client.Open();
            f.Hub.RejectNextTelemetry(1);
            Assert.False(client.TrySendTelemetry(new Message(new byte[] { 1 }), out SendResult failure));
            Assert.NotNull(failure);
            Assert.False(failure.IsAccepted);
            Assert.True(client.TrySendTelemetry(new Message(new byte[] { 2 }), out failure));
            Assert.Null(failure);
            client.Close();
        }

        [Fact]
        public void C2d_Handler_ReceivesAndCompletes()
        {
            using var f = new HubFixture();
            DeviceClient client = f.Client("dev1", null, out _);
            var received = new BlockingCollection<string>();
            client.CloudToDeviceMessage += (sender, message) =>
            {
                sender.Complete(message);
                received.Add(message.MessageId);
            };
            client.Open();
            f.Hub.SendCloudToDevice("dev1", new HubC2d { Body = new byte[] { 1 }, MessageId = "a" });
            f.Hub.SendCloudToDevice("dev1", new HubC2d { Body = new byte[] { 2 }, MessageId = "b" });
            Assert.True(received.TryTake(out string x, 10000));
            Assert.True(received.TryTake(out string y, 10000));
            Assert.Equal(new[] { "a", "b" }, new[] { x, y });
            client.Close();
        }

        [Fact]
        public void SendFeedback_OpensTheFeedbackLinkOnDemand()
        {
            using var f = new HubFixture();
            DeviceClient client = f.Client("dev1", null, out _);
            client.Open();
            Assert.DoesNotContain(f.Hub.GetEvents(), e => e.Kind == HubEventKind.LinkAttached && e.Address == "/messages/serviceBound/feedback");
            SendResult r = client.SendFeedback(new Message(new byte[] { 1 }));
            Assert.True(r.IsAccepted, r.ToString());
            Assert.Contains(f.Hub.GetEvents(), e => e.Kind == HubEventKind.LinkAttached && e.Address != null && e.Address.Contains("serviceBound/feedback"));
            client.Close();
        }

        [Theory]
        [InlineData("amqp:unauthorized-access")]
        [InlineData("amqp:link:detach-forced")]
        public async Task HubDetachesLinks_ClientReconnectsAndCarriesOn(string condition)
        {
            using var f = new HubFixture();
            DeviceClient client = f.Client("dev1", new DeviceClientOptions { Retry = new RetryPolicy { MinDelayMs = 50, MaxDelayMs = 500 } }, out var events);
            client.Open();
            Assert.True(client.SendTelemetry(new byte[] { 1 }).IsAccepted);
            Assert.True(f.Hub.DetachDeviceLinks("dev1", condition, "test") > 0);
            var deadline = DateTime.UtcNow + Wait;
            while (client.Reconnects == 0 && DateTime.UtcNow < deadline) await Task.Delay(20);
            Assert.Equal(1, client.Reconnects);
            Assert.Contains(events, e => e.Status == ClientStatus.Reconnecting && e.Reason.Contains(condition));
            Assert.True(client.SendTelemetry(new byte[] { 2 }).IsAccepted);
            client.Close();
        }
    }
}
