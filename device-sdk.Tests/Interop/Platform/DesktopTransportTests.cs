// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Authentication;
using IotHubAmqp.Device.InteropTests.TestSupport;
using IotHubAmqp.Device.Platform;
using IotHubAmqp.Device.Platform.Desktop;

namespace IotHubAmqp.Device.InteropTests.Platform
{
    public class DesktopTransportTests
    {
        private const int TimeoutMs = 5000;

        [Theory]
        [InlineData("localhost")]
        [InlineData("127.0.0.1")]
        public void Connect_TrustedCaAndMatchingName_RoundTripsBytes(string host)
        {
            using var server = TlsEchoServer.StartTls(TestCertificates.Server);
            var transport = (DesktopTransport)new DesktopTransportFactory(TestCertificates.Ca).Connect(host, server.Port, true, TimeoutMs);
            try
            {
                Assert.True(transport.Protocol == SslProtocols.Tls12 || transport.Protocol == SslProtocols.Tls13,
                    $"negotiated {transport.Protocol}");
                var sent = new byte[3000];
                new Random(42).NextBytes(sent);
                transport.Send(sent, 0, sent.Length);

                Assert.Equal(sent, ReceiveExactly(transport, sent.Length));
            }
            finally
            {
                transport.Close();
            }
        }

        [Fact]
        public void Connect_FactoryFromPemFile_TrustsThatCa()
        {
            var path = Path.Combine(Path.GetTempPath(), $"iothubamqp-ca-{Guid.NewGuid():N}.pem");
            File.WriteAllText(path, TestCertificates.CaPem);
            try
            {
                var factory = DesktopTransportFactory.FromPemFile(path);
                Assert.Equal(TestCertificates.Ca.Thumbprint, factory.TrustedRoot.Thumbprint);

                using var server = TlsEchoServer.StartTls(TestCertificates.Server);
                var transport = factory.Connect("localhost", server.Port, true, TimeoutMs);
                transport.Send(new byte[] { 1, 2, 3 }, 0, 3);
                Assert.Equal(new byte[] { 1, 2, 3 }, ReceiveExactly(transport, 3));
                transport.Close();
            }
            finally
            {
                File.Delete(path);
            }
        }

        [Fact]
        public void Connect_HubStyleHostName_ValidatesAgainstThatName()
        {
            // The certificate is issued for a hub name; resolving that name is not possible here, so dial the
            // loopback address under a name the certificate does not carry and expect the name check to bite.
            var hub = "my-hub.azure-devices.net";
            using var server = TlsEchoServer.StartTls(TestCertificates.ServerFor(hub));
            var factory = new DesktopTransportFactory(TestCertificates.Ca);

            factory.Connect("127.0.0.1", server.Port, true, TimeoutMs).Close(); // IP SAN present: accepted
            var error = Assert.Throws<AuthenticationException>(() => factory.Connect("localhost", server.Port, true, TimeoutMs));
            Assert.Contains("name mismatch", error.Message);
        }

        [Fact]
        public void Connect_ServerCertificateFromUnrelatedCa_FailsNamingUntrustedRoot()
        {
            using var server = TlsEchoServer.StartTls(TestCertificates.UnrelatedCaServer);
            var factory = new DesktopTransportFactory(TestCertificates.Ca);

            var error = Assert.Throws<AuthenticationException>(() => factory.Connect("localhost", server.Port, true, TimeoutMs));

            Assert.Contains("untrusted root", error.Message);
            Assert.DoesNotContain("name mismatch", error.Message);
        }

        [Fact]
        public void Connect_ClientTrustsOnlyAnotherCa_FailsNamingUntrustedRoot()
        {
            // The system store must play no part: the server's chain is fine, just not anchored where we trust.
            using var server = TlsEchoServer.StartTls(TestCertificates.Server);
            var factory = new DesktopTransportFactory(TestCertificates.OtherCa);

            var error = Assert.Throws<AuthenticationException>(() => factory.Connect("localhost", server.Port, true, TimeoutMs));

            Assert.Contains("untrusted root", error.Message);
        }

        [Fact]
        public void Connect_CertificateForAnotherHost_FailsNamingNameMismatch()
        {
            using var server = TlsEchoServer.StartTls(TestCertificates.OtherHostServer);
            var factory = new DesktopTransportFactory(TestCertificates.Ca);

            var error = Assert.Throws<AuthenticationException>(() => factory.Connect("localhost", server.Port, true, TimeoutMs));

            Assert.Contains("name mismatch", error.Message);
            Assert.Contains("'localhost'", error.Message);
            Assert.DoesNotContain("untrusted root", error.Message);
        }

        [Fact]
        public void Connect_ExpiredCertificate_FailsNamingExpiry()
        {
            using var server = TlsEchoServer.StartTls(TestCertificates.ExpiredServer);
            var factory = new DesktopTransportFactory(TestCertificates.Ca);

            var error = Assert.Throws<AuthenticationException>(() => factory.Connect("localhost", server.Port, true, TimeoutMs));

            Assert.Contains("expired", error.Message);
            Assert.DoesNotContain("untrusted root", error.Message);
        }

        [Fact]
        public void Connect_ServerAllowsOnlyTls11_Fails()
        {
            // The client offers TLS 1.2/1.3 only. Whether this machine's OpenSSL would even speak TLS 1.1 as a
            // server does not matter: the handshake must fail either way, before any certificate is accepted.
#pragma warning disable SYSLIB0039 // TLS 1.1 is obsolete: that is the point of the test.
            using var server = TlsEchoServer.StartTls(TestCertificates.Server, protocols: SslProtocols.Tls11);
#pragma warning restore SYSLIB0039
            var factory = new DesktopTransportFactory(TestCertificates.Ca);

            var error = Assert.Throws<AuthenticationException>(() => factory.Connect("localhost", server.Port, true, TimeoutMs));

            Assert.Contains("protocol", error.Message);
            Assert.Equal(0, server.Handshakes);
        }

        [Fact]
        public void Connect_ServerNeverAnswersHandshake_TimesOut()
        {
            using var server = TlsEchoServer.StartTls(TestCertificates.Server, EchoBehavior.NoHandshake);
            var factory = new DesktopTransportFactory(TestCertificates.Ca);
            var watch = Stopwatch.StartNew();

            var error = Assert.Throws<TimeoutException>(() => factory.Connect("localhost", server.Port, true, 300));

            Assert.Contains("TLS handshake", error.Message);
            Assert.InRange(watch.ElapsedMilliseconds, 250, 3000);
        }

        [Fact]
        public void Connect_NothingListening_FailsFast()
        {
            int port = FreePort();
            var factory = new DesktopTransportFactory(TestCertificates.Ca);
            var watch = Stopwatch.StartNew();

            var error = Assert.Throws<IOException>(() => factory.Connect("127.0.0.1", port, true, TimeoutMs));

            Assert.Contains("TCP connect", error.Message);
            Assert.True(watch.ElapsedMilliseconds < TimeoutMs / 2, $"took {watch.ElapsedMilliseconds} ms");
        }

        [Theory]
        [InlineData(null, 1, 1000)]
        [InlineData("", 1, 1000)]
        [InlineData("localhost", 0, 1000)]
        [InlineData("localhost", 65536, 1000)]
        [InlineData("localhost", 1, 0)]
        public void Connect_InvalidArguments_Throw(string host, int port, int timeoutMs)
        {
            var factory = new DesktopTransportFactory(TestCertificates.Ca);

            Assert.ThrowsAny<ArgumentException>(() => factory.Connect(host, port, true, timeoutMs));
        }

        [Fact]
        public void Constructor_NullCa_Throws()
        {
            Assert.Throws<ArgumentNullException>(() => new DesktopTransportFactory(null));
        }

        [Fact]
        public void Connect_WithoutTls_RoundTripsBytesInTheClear()
        {
            using var server = TlsEchoServer.StartPlain();
            var transport = (DesktopTransport)new DesktopTransportFactory(TestCertificates.Ca).Connect("127.0.0.1", server.Port, false, TimeoutMs);

            Assert.Equal(SslProtocols.None, transport.Protocol);
            transport.Send(new byte[] { 0x41, 0x4D, 0x51, 0x50 }, 0, 4);
            Assert.Equal(new byte[] { 0x41, 0x4D, 0x51, 0x50 }, ReceiveExactly(transport, 4));
            transport.Close();
        }

        [Theory]
        [InlineData(true)]
        [InlineData(false)]
        public void Receive_PeerClosed_ReturnsZero(bool useTls)
        {
            using var server = useTls
                ? TlsEchoServer.StartTls(TestCertificates.Server, EchoBehavior.CloseAfterHandshake)
                : TlsEchoServer.StartPlain(EchoBehavior.CloseAfterHandshake);
            var transport = new DesktopTransportFactory(TestCertificates.Ca).Connect("localhost", server.Port, useTls, TimeoutMs);

            Assert.Equal(0, transport.Receive(new byte[16], 0, 16));
            transport.Close();
        }

        [Fact]
        public void Close_WhileReceiveBlocked_UnblocksReceive()
        {
            using var server = TlsEchoServer.StartTls(TestCertificates.Server, EchoBehavior.Silent);
            var transport = new DesktopTransportFactory(TestCertificates.Ca).Connect("localhost", server.Port, true, TimeoutMs);
            int result = -1;
            var receiver = new Thread(() => result = transport.Receive(new byte[16], 0, 16)) { IsBackground = true };
            receiver.Start();

            Assert.False(receiver.Join(200), "Receive returned although the server sent nothing");
            transport.Close();

            Assert.True(receiver.Join(TimeSpan.FromSeconds(3)), "Close did not unblock Receive");
            Assert.Equal(0, result);
        }

        [Fact]
        public void Close_Twice_IsHarmlessAndLaterCallsBehave()
        {
            using var server = TlsEchoServer.StartTls(TestCertificates.Server);
            var transport = (DesktopTransport)new DesktopTransportFactory(TestCertificates.Ca).Connect("localhost", server.Port, true, TimeoutMs);

            transport.Close();
            transport.Close();

            Assert.True(transport.IsClosed);
            Assert.Equal(0, transport.Receive(new byte[4], 0, 4));
            Assert.Throws<ObjectDisposedException>(() => transport.Send(new byte[4], 0, 4));
        }

        [Theory]
        [InlineData(-1, 1)]
        [InlineData(0, 5)]
        [InlineData(3, 2)]
        public void SendAndReceive_BadRange_Throw(int offset, int count)
        {
            using var server = TlsEchoServer.StartPlain();
            var transport = new DesktopTransportFactory(TestCertificates.Ca).Connect("127.0.0.1", server.Port, false, TimeoutMs);
            try
            {
                Assert.Throws<ArgumentOutOfRangeException>(() => transport.Send(new byte[4], offset, count));
                Assert.Throws<ArgumentOutOfRangeException>(() => transport.Receive(new byte[4], offset, count));
                Assert.Throws<ArgumentNullException>(() => transport.Send(null, 0, 0));
            }
            finally
            {
                transport.Close();
            }
        }

        [Theory]
        [InlineData(true)]
        [InlineData(false)]
        public void Hold_SendsLeaveOnlyAtFlush_InOrderAndWhole(bool useTls)
        {
            using var server = useTls ? TlsEchoServer.StartTls(TestCertificates.Server) : TlsEchoServer.StartPlain();
            var transport = (DesktopTransport)new DesktopTransportFactory(TestCertificates.Ca).Connect("localhost", server.Port, useTls, TimeoutMs);
            try
            {
                // Until a hold has had a second piece there is no buffer: the first piece goes at once, the second waits.
                transport.Hold();
                transport.Send(new byte[] { 1, 2 }, 0, 2);
                Assert.Equal(new byte[] { 1, 2 }, ReceiveExactly(transport, 2));
                transport.Send(new byte[] { 3 }, 0, 1);
                AssertNothingArrives(transport, out Thread pending, out byte[] got);
                transport.Flush();
                Assert.True(pending.Join(TimeoutMs), "Flush did not write what was held");
                Assert.Equal(3, got[0]);

                // From then on every piece is held, the first too. Small pieces are copied; one larger than half the
                // limit goes as it is; the total passes the limit.
                int[] sizes = { 1, 700, 3000, 1, DesktopTransport.MaxHeldBytes / 2 + 1, 9000, 16 };
                var sent = new byte[sizes.Sum()];
                new Random(5).NextBytes(sent);
                transport.Hold();
                transport.Send(sent, 0, sizes[0]);
                AssertNothingArrives(transport, out pending, out got);
                int at = sizes[0];
                for (int i = 1; i < sizes.Length; i++)
                {
                    transport.Send(sent, at, sizes[i]);
                    at += sizes[i];
                }
                transport.Flush();
                Assert.True(pending.Join(TimeoutMs), "Flush did not write what was held");
                var rest = ReceiveExactly(transport, sent.Length - 1);
                Assert.Equal(sent, got.Concat(rest).ToArray());

                // After Flush a Send writes at once again.
                transport.Send(new byte[] { 9 }, 0, 1);
                Assert.Equal(new byte[] { 9 }, ReceiveExactly(transport, 1));
            }
            finally
            {
                transport.Close();
            }
        }

        // Starts a one-byte read on another thread and checks it is still waiting after a while.
        private static void AssertNothingArrives(ITransport transport, out Thread reader, out byte[] got)
        {
            var buffer = new byte[1];
            reader = new Thread(() => Assert.Equal(1, transport.Receive(buffer, 0, 1))) { IsBackground = true };
            reader.Start();
            got = buffer;
            Assert.False(reader.Join(300), "a held byte was written before Flush");
        }

        [Fact]
        public void Flush_AfterClose_Throws_AndWhatWasHeldIsDropped()
        {
            using var server = TlsEchoServer.StartPlain();
            var transport = (DesktopTransport)new DesktopTransportFactory(TestCertificates.Ca).Connect("127.0.0.1", server.Port, false, TimeoutMs);
            transport.Hold();
            transport.Send(new byte[] { 1, 2, 3 }, 0, 3);
            transport.Close();

            Assert.Throws<ObjectDisposedException>(() => transport.Flush());
            Assert.Throws<ObjectDisposedException>(() => transport.Send(new byte[1], 0, 1));
        }

        private static byte[] ReceiveExactly(ITransport transport, int count)
        {
            var buffer = new byte[count];
            int total = 0;
            while (total < count)
            {
                int read = transport.Receive(buffer, total, count - total);
                Assert.True(read > 0, $"stream ended after {total} of {count} bytes");
                total += read;
            }

            return buffer;
        }

        private static int FreePort()
        {
            var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            int port = ((IPEndPoint)listener.LocalEndpoint).Port;
            listener.Stop();
            return port;
        }
    }
}
