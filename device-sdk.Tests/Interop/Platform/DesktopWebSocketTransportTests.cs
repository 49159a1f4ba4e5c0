// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
using System.Security.Authentication;
using IotHubAmqp.Device.InteropTests.TestSupport;
using IotHubAmqp.Device.IotHub;
using IotHubAmqp.Device.Messaging;
using IotHubAmqp.Device.Platform;
using IotHubAmqp.Device.Platform.Desktop;

namespace IotHubAmqp.Device.InteropTests.Platform
{
    /// <summary>The desktop WebSocket transport: the hub's endpoint, wrong upgrade answers, TLS as on 5671, frames cut across messages.</summary>
    public class DesktopWebSocketTransportTests
    {
        // The hub's connection string names its AMQP port in GatewayHostName, which the SDK dials: keep only the host.
        private static string WebSocketGateway(string cs) =>
            System.Text.RegularExpressions.Regex.Replace(cs, "GatewayHostName=[^;]*", "GatewayHostName=127.0.0.1");

        private const int TimeoutMs = 5000;

        [Fact]
        public void Connect_LocalHub_NegotiatesAmqpwsb10AndTheHubAnswersTheAmqpHeader()
        {
            using var f = new HubFixture(o => o.WebSocketPort = 0);
            var transport = (DesktopWebSocketTransport)new DesktopWebSocketTransportFactory(f.Hub.CaCertificate).Connect("127.0.0.1", f.Hub.WebSocketPort, true, TimeoutMs);
            try
            {
                Assert.Equal("AMQPWSB10", transport.SubProtocol);
                // The SASL protocol header (AMQP 1.0 5.3.1): the hub answers with its own header.
                var header = new byte[] { 0x41, 0x4d, 0x51, 0x50, 3, 1, 0, 0 };
                transport.Send(header, 0, header.Length);
                var got = new byte[8];
                for (int n = 0; n < 8;) n += transport.Receive(got, n, 8 - n);
                Assert.Equal(header, got);
                Assert.Equal(1, transport.MessagesSent);
                Assert.Equal(2 + 4, transport.FramingBytesSent);
            }
            finally
            {
                transport.Close();
            }
        }

        [Theory]
        [InlineData(UpgradeAnswer.BadRequest, "answered HTTP 400 instead of 101 Switching Protocols")]
        [InlineData(UpgradeAnswer.NoSubprotocol, "accepted without the AMQPWSB10 subprotocol")]
        [InlineData(UpgradeAnswer.WrongSubprotocol, "chose subprotocol 'mqtt' instead of AMQPWSB10")]
        public void Connect_WrongUpgradeAnswer_FailsNamingIt(UpgradeAnswer answer, string expected)
        {
            using var server = new WebSocketTestServer(TestCertificates.Server, answer);
            var e = Assert.Throws<IOException>(() => new DesktopWebSocketTransportFactory(TestCertificates.Ca).Connect("localhost", server.Port, true, TimeoutMs));
            Assert.Contains(expected, e.Message);
            Assert.Contains("wss://localhost:" + server.Port + "/$iothub/websocket", e.Message);
            Assert.Contains("Sec-WebSocket-Protocol: AMQPWSB10", server.LastRequest);
            Assert.StartsWith("GET /$iothub/websocket HTTP/1.1", server.LastRequest);
        }

        [Fact]
        public void Connect_UntrustedRoot_FailsAsOn5671()
        {
            using var server = new WebSocketTestServer(TestCertificates.UnrelatedCaServer, UpgradeAnswer.RelayRechunked);
            var ws = Assert.Throws<AuthenticationException>(() => new DesktopWebSocketTransportFactory(TestCertificates.Ca).Connect("localhost", server.Port, true, TimeoutMs));
            using var tls = TlsEchoServer.StartTls(TestCertificates.UnrelatedCaServer);
            var tcp = Assert.Throws<AuthenticationException>(() => new DesktopTransportFactory(TestCertificates.Ca).Connect("localhost", tls.Port, true, TimeoutMs));
            Assert.Contains("untrusted root", ws.Message);
            Assert.Equal(tcp.Message.Replace(":" + tls.Port, ":PORT"), ws.Message.Replace(":" + server.Port, ":PORT"));
        }

        [Fact]
        public void Connect_NameMismatch_Fails()
        {
            using var server = new WebSocketTestServer(TestCertificates.OtherHostServer, UpgradeAnswer.RelayRechunked);
            var e = Assert.Throws<AuthenticationException>(() => new DesktopWebSocketTransportFactory(TestCertificates.Ca).Connect("localhost", server.Port, true, TimeoutMs));
            Assert.Contains("certificate name mismatch", e.Message);
        }

        [Fact]
        public void Connect_NothingListening_FailsWithTcpError()
        {
            var probe = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
            probe.Start();
            int port = ((System.Net.IPEndPoint)probe.LocalEndpoint).Port;
            probe.Stop();
            var e = Assert.Throws<IOException>(() => new DesktopWebSocketTransportFactory(TestCertificates.Ca).Connect("127.0.0.1", port, true, TimeoutMs));
            Assert.Contains("TCP connect to 127.0.0.1:" + port + " failed", e.Message);
        }

        [Fact]
        public void DeviceClient_ThroughARelayCuttingFramesAcrossMessages_SendsAndReceives()
        {
            using var f = new HubFixture();
            string cs = WebSocketGateway(f.AddDevice("dev1"));
            using var relay = new WebSocketTestServer(TestCertificates.Server, UpgradeAnswer.RelayRechunked,
                () => f.Transports.Connect("127.0.0.1", f.Hub.Port, true, TimeoutMs));
            var options = new DeviceClientOptions { Port = relay.Port };
            var client = new DeviceClient(cs, new DesktopWebSocketTransportFactory(TestCertificates.Ca), DeviceConnector.Platform, options);
            try
            {
                client.Open();
                for (int i = 0; i < 5; i++)
                {
                    var r = client.SendTelemetry(new Message(new byte[] { (byte)i }) { Properties = new MessageProperties { MessageId = "cut-" + i } });
                    Assert.True(r.IsAccepted, r.ToString());
                }
                f.Hub.SendCloudToDevice("dev1", new LocalHub.CloudToDeviceMessage { MessageId = "down-1", Body = new byte[] { 7, 7 } });
                C2dMessage[] got = client.ReceiveCloudToDevice(1, 10000);
                Assert.Single(got);
                Assert.Equal("down-1", (string)got[0].Message.Properties.MessageId);
                client.Complete(got[0]);
            }
            finally
            {
                client.Close();
            }
            Assert.Equal(new[] { "cut-0", "cut-1", "cut-2", "cut-3", "cut-4" }, f.Hub.GetTelemetry("dev1").Select(t => t.MessageId));
            Assert.True(relay.SplitMessages > 10, "frames cut: " + relay.SplitMessages);
        }
    }
}
