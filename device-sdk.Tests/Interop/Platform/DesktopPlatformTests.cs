// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
using IotHubAmqp.Device.Platform.Desktop;

namespace IotHubAmqp.Device.InteropTests.Platform
{
    public class DesktopPlatformTests
    {
        // RFC 4231 section 4: HMAC-SHA256 test cases 1 and 2.
        [Theory]
        [InlineData("0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b", "4869205468657265",
            "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7")]
        [InlineData("4a656665", "7768617420646f2079612077616e7420666f72206e6f7468696e673f",
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")]
        public void HmacSha256_Rfc4231Vectors_Match(string keyHex, string dataHex, string expectedHex)
        {
            var platform = new DesktopPlatform();

            var mac = platform.HmacSha256(Convert.FromHexString(keyHex), Convert.FromHexString(dataHex));

            Assert.Equal(expectedHex, Convert.ToHexString(mac).ToLowerInvariant());
        }

        [Fact]
        public void HmacSha256_KeyLongerThanBlock_MatchesRfc4231Case6()
        {
            var key = Enumerable.Repeat((byte)0xaa, 131).ToArray(); // hashed first (RFC 2104 section 3)
            var data = Convert.FromHexString(
                "54657374205573696e67204c6172676572205468616e20426c6f636b2d53697a65204b6579202d2048617368204b6579204669727374");

            var mac = new DesktopPlatform().HmacSha256(key, data);

            Assert.Equal("60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54", Convert.ToHexString(mac).ToLowerInvariant());
        }

        [Fact]
        public void HmacSha256_NullArguments_Throw()
        {
            var platform = new DesktopPlatform();

            Assert.Throws<ArgumentNullException>(() => platform.HmacSha256(null, new byte[1]));
            Assert.Throws<ArgumentNullException>(() => platform.HmacSha256(new byte[1], null));
        }

        [Fact]
        public void TickMilliseconds_NeverGoesBackwardsAndAdvances()
        {
            var platform = new DesktopPlatform();
            long first = platform.TickMilliseconds;
            long previous = first;
            var until = DateTime.UtcNow.AddMilliseconds(60);
            while (DateTime.UtcNow < until)
            {
                long now = platform.TickMilliseconds;
                Assert.True(now >= previous, $"went back from {previous} to {now}");
                previous = now;
            }

            Thread.Sleep(50);

            Assert.InRange(platform.TickMilliseconds - first, 100, 5000);
        }

        [Fact]
        public void UtcNow_IsUtcAndCurrent()
        {
            var now = new DesktopPlatform().UtcNow;

            Assert.Equal(DateTimeKind.Utc, now.Kind);
            Assert.InRange((DateTime.UtcNow - now).TotalSeconds, 0, 5);
        }
    }
}
