// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
using System.Security.Cryptography.X509Certificates;
using IotHubAmqp.Device.InteropTests.TestSupport;
using IotHubAmqp.Device.IotHub;
using IotHubAmqp.Device.Messaging;
using IotHubAmqp.Device.Platform.Desktop;
using IotHubAmqp.LocalHub;
using IotHubAmqp.LocalHub.Tests;

namespace IotHubAmqp.Device.InteropTests.IotHub
{
    /// <summary>
    /// The device client with an X.509 identity against the local hub: mutual TLS (validation on both sides),
    /// no SASL, no CBS put-token, no renewal; bad certificates fail Open with a message that says so.
    /// </summary>
    public class X509DeviceClientTests
    {
        private static readonly TimeSpan Wait = TimeSpan.FromSeconds(15);

        private static DeviceClient Client(HubFixture f, string deviceId, X509Certificate2 cert, DeviceClientOptions options = null, X509Certificate2 intermediate = null)
        {
            var dir = DeviceCertificates.TempDirectory();
            var (certPath, keyPath) = intermediate == null ? DeviceCertificates.WritePem(cert, dir) : DeviceCertificates.WritePem(cert, dir, intermediate);
            var transports = DesktopTransportFactory.FromPemFiles(f.Hub.CaCertificatePath, certPath, keyPath);
            options ??= new DeviceClientOptions();
            options.ConnectTimeoutMs = 8000;
            return new DeviceClient(f.Hub.X509ConnectionString(deviceId), transports, DeviceConnector.Platform, options);
        }

        [Theory]
        [InlineData(AuthenticationMode.Cbs)]
        [InlineData(AuthenticationMode.CbsWithSaslAnonymous)]
        public async Task X509_ThumbprintDevice_SendsTelemetryAndGetsC2d_WithoutAnyToken(AuthenticationMode mode)
        {
            using var cert = DeviceCertificates.SelfSigned("x509-dev");
            using var f = new HubFixture(o => o.Registry.AddX509Device("x509-dev", cert.Thumbprint));
            DeviceClient client = Client(f, "x509-dev", cert, new DeviceClientOptions { Authentication = mode, TokenLifetimeSeconds = 1 });
            try
            {
                client.Open();
                Assert.Equal(ClientStatus.Connected, client.Status);
                Assert.True(client.SendTelemetry("{\"x509\":1}", "application/json").IsAccepted);
                Assert.Single(await f.Hub.WaitForTelemetryAsync("x509-dev", 1, Wait));
                f.Hub.SendCloudToDevice("x509-dev", new LocalHub.CloudToDeviceMessage { MessageId = "c1", Body = new byte[] { 1 } });
                C2dMessage[] c2d = client.ReceiveCloudToDevice(1, 10000);
                Assert.Single(c2d);
                client.Complete(c2d[0]);
                // A 1 s token lifetime would renew (or reconnect) within seconds if a token were in play.
                await Task.Delay(2500);
                Assert.Equal(0, client.TokenRenewals);
                Assert.Equal(0, client.Reconnects);
            }
            finally
            {
                client.Close();
            }
            var events = f.Hub.GetEvents();
            Assert.Contains(events, e => e.Kind == HubEventKind.Authenticated && e.DeviceId == "x509-dev" && e.Reason.Contains("X.509 thumbprint"));
            Assert.DoesNotContain(events, e => e.Address == "$cbs" || e.Reason == "SASL PLAIN");
        }

        [Fact]
        public void X509_CaSignedLeafWithChainInThePemFile_Connects()
        {
            // The hub knows the root only: the device's PEM file carries the intermediate, which TLS must send.
            using var root = DeviceCertificates.Ca("Root CA");
            using var intermediate = DeviceCertificates.Ca("Intermediate CA", root);
            using var leaf = DeviceCertificates.SignedBy(intermediate, "ca-dev");
            using var f = new HubFixture(o =>
            {
                o.Registry.AddCertificateAuthority(X509CertificateLoader.LoadCertificate(root.RawData));
                o.Registry.AddX509Device("ca-dev", null);
            });
            DeviceClient client = Client(f, "ca-dev", leaf, intermediate: intermediate);
            try
            {
                client.Open();
                Assert.True(client.SendTelemetry("ca", "text/plain").IsAccepted);
            }
            finally
            {
                client.Close();
            }
        }

        [Fact]
        public async Task X509_CaSignedModule_SendsModuleTelemetry()
        {
            using var root = DeviceCertificates.Ca("Module CA");
            using var leaf = DeviceCertificates.SignedBy(root, "edge-dev/sensor");
            using var f = new HubFixture(o =>
            {
                o.Registry.AddDevice("edge-dev");
                o.Registry.AddCertificateAuthority(X509CertificateLoader.LoadCertificate(root.RawData));
                o.Registry.AddX509Module("edge-dev", "sensor", null);
            });
            var (certPath, keyPath) = DeviceCertificates.WritePem(leaf, DeviceCertificates.TempDirectory());
            var client = new DeviceClient(f.Hub.ModuleConnectionString("edge-dev", "sensor"),
                DesktopTransportFactory.FromPemFiles(f.Hub.CaCertificatePath, certPath, keyPath), DeviceConnector.Platform,
                new DeviceClientOptions { ReceiveCloudToDevice = false, ConnectTimeoutMs = 8000 }); // the hub has no module C2D
            try
            {
                client.Open();
                Assert.True(client.SendTelemetry("{\"m\":1}", "application/json").IsAccepted);
                var got = (await f.Hub.WaitForTelemetryAsync("edge-dev", 1, Wait)).Single();
                Assert.Equal("sensor", got.ModuleId);
            }
            finally
            {
                client.Close();
            }
        }

        [Theory]
        [InlineData("expired", "expired")]
        [InlineData("unknown", "matches no registered device")]
        public void X509_BadCertificate_OpenFailsSayingTheHubRefusedIt_BeforeAnyAmqpByte(string kind, string hubReason)
        {
            using var registered = DeviceCertificates.SelfSigned("bad-dev");
            using var presented = kind == "expired"
                ? DeviceCertificates.SelfSigned("bad-dev", DateTimeOffset.UtcNow.AddDays(-3), DateTimeOffset.UtcNow.AddDays(-1))
                : DeviceCertificates.SelfSigned("bad-dev");
            using var f = new HubFixture(o => o.Registry.AddX509Device("bad-dev", kind == "expired" ? presented.Thumbprint : registered.Thumbprint));
            DeviceClient client = Client(f, "bad-dev", presented);
            var started = DateTime.UtcNow;
            var e = Assert.ThrowsAny<Exception>(() => client.Open());
            client.Close();
            Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(12), "Open ends by its connect timeout");
            Assert.True(e.Message.Contains("refused the device certificate"), e.GetType().Name + ": " + e.Message);
            var events = f.Hub.GetEvents();
            Assert.Contains(events, ev => ev.Kind == HubEventKind.AuthenticationFailed && ev.Reason.Contains(hubReason));
            Assert.DoesNotContain(events, ev => ev.Kind == HubEventKind.Connected);
        }

        [Fact]
        public void X509_ConnectionStringButNoClientCertificate_OpenFailsUnauthorized()
        {
            using var cert = DeviceCertificates.SelfSigned("x509-dev");
            using var f = new HubFixture(o => o.Registry.AddX509Device("x509-dev", cert.Thumbprint));
            var client = new DeviceClient(f.Hub.X509ConnectionString("x509-dev"), f.Transports, DeviceConnector.Platform,
                new DeviceClientOptions { ConnectTimeoutMs = 5000 });
            var e = Assert.Throws<AmqpException>(() => client.Open());
            client.Close();
            Assert.Equal(ErrorCode.UnauthorizedAccess, e.Condition);
            Assert.True(e.Message.Contains("X.509 device presents its certificate"), e.Message);
        }

        [Fact]
        public void MalformedPem_FactoryThrowsNamingTheFile()
        {
            using var cert = DeviceCertificates.SelfSigned("x");
            using var other = DeviceCertificates.SelfSigned("y");
            var dir = DeviceCertificates.TempDirectory();
            var (certPath, keyPath) = DeviceCertificates.WritePem(cert, dir);
            var (_, otherKey) = DeviceCertificates.WritePem(other, Path.Combine(dir, "other"));
            string ca = Path.Combine(dir, "ca.pem");
            File.WriteAllText(ca, cert.ExportCertificatePem());
            string garbage = Path.Combine(dir, "garbage.pem");
            File.WriteAllText(garbage, "-----BEGIN CERTIFICATE-----\nnot base64 at all\n-----END CERTIFICATE-----\n");

            var bad = Assert.Throws<ArgumentException>(() => DesktopTransportFactory.FromPemFiles(ca, garbage, keyPath));
            Assert.True(bad.Message.Contains("garbage.pem") && bad.Message.Contains("not a valid PEM certificate"), bad.Message);

            var noKey = Assert.Throws<ArgumentException>(() => DesktopTransportFactory.FromPemFiles(ca, certPath, garbage));
            Assert.True(noKey.Message.Contains("garbage.pem"), noKey.Message);

            var mismatch = Assert.Throws<ArgumentException>(() => DesktopTransportFactory.FromPemFiles(ca, certPath, otherKey));
            Assert.True(mismatch.Message.Contains("matching"), mismatch.Message);
            Assert.DoesNotContain("PRIVATE KEY", mismatch.Message);

            var empty = Path.Combine(dir, "empty.pem");
            File.WriteAllText(empty, "hello\n");
            string noBlock = Assert.Throws<ArgumentException>(() => DesktopTransportFactory.FromPemFiles(ca, empty, keyPath)).Message;
            Assert.True(noBlock.Contains("empty.pem") && noBlock.Contains("no -----BEGIN CERTIFICATE----- block"), noBlock);

            Assert.NotNull(DesktopTransportFactory.FromPemFiles(ca, certPath, keyPath).ClientCertificate);
        }
    }
}
