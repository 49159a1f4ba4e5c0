// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
using IotHubAmqp.Device.Types;
using nanoFramework.TestFramework;

namespace IotHubAmqp.Device.Tests
{
    /// <summary>The test-only SHA-256 and HMAC against FIPS 180-4 (NIST example) and RFC 4231 vectors.</summary>
    [TestClass]
    public class Sha256Tests
    {
        internal static byte[] Ascii(string s)
        {
            byte[] b = new byte[Utf8.GetByteCount(s)];
            Utf8.Encode(s, b, 0);
            return b;
        }

        private static byte[] Repeat(byte value, int count)
        {
            byte[] b = new byte[count];
            for (int i = 0; i < count; i++) b[i] = value;
            return b;
        }

        private static void AssertHex(string expected, byte[] actual) => Assert.AreEqual(expected, Expect.Hex(actual, 0, actual.Length));

        [TestMethod]
        public void Hash_Abc_MatchesFips180Example()
        {
            AssertHex("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", Sha256.Hash(Ascii("abc")));
        }

        [TestMethod]
        public void Hash_Empty_MatchesKnownDigest()
        {
            AssertHex("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", Sha256.Hash(new byte[0]));
        }

        [TestMethod]
        public void Hash_448BitMessage_MatchesFips180TwoBlockExample()
        {
            AssertHex("248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1",
                Sha256.Hash(Ascii("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")));
        }

        [TestMethod]
        public void Hash_896BitMessage_MatchesKnownDigest()
        {
            AssertHex("cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1",
                Sha256.Hash(Ascii("abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu")));
        }

        [TestMethod]
        [DataRow(55, "9f4390f8d30c2dd92ec9f095b65e2b9ae9b0a925a5258e241c9f1e910f734318")]
        [DataRow(56, "b35439a4ac6f0948b6d6f9e3c6af0f5f590ce20f1bde7090ef7970686ec6738a")]
        [DataRow(63, "7d3e74a05d7db15bce4ad9ec0658ea98e3f06eeecf16b4c6fff2da457ddc2f34")]
        [DataRow(64, "ffe054fe7ae0cb6dc65c3af9b61d5209f439851db43d0ba5997337df154668eb")]
        [DataRow(65, "635361c48bb9eab14198e76ea8ab7f1a41685d6ad62aa9146d301d4f17eb0ae0")]
        public void Hash_LengthsAroundPaddingBoundary_MatchKnownDigests(int length, string expected)
        {
            // Vectors from python3 hashlib.sha256(b"a" * length).
            AssertHex(expected, Sha256.Hash(Repeat((byte)'a', length)));
        }

        [TestMethod]
        public void Hmac_Rfc4231Case1_Matches()
        {
            AssertHex("b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7",
                Sha256.Hmac(Repeat(0x0b, 20), Ascii("Hi There")));
        }

        [TestMethod]
        public void Hmac_Rfc4231Case2ShortKey_Matches()
        {
            AssertHex("5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
                Sha256.Hmac(Ascii("Jefe"), Ascii("what do ya want for nothing?")));
        }

        [TestMethod]
        public void Hmac_Rfc4231Case3_Matches()
        {
            AssertHex("773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe",
                Sha256.Hmac(Repeat(0xaa, 20), Repeat(0xdd, 50)));
        }

        [TestMethod]
        public void Hmac_Rfc4231Case6KeyLongerThanBlock_Matches()
        {
            AssertHex("60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54",
                Sha256.Hmac(Repeat(0xaa, 131), Ascii("Test Using Larger Than Block-Size Key - Hash Key First")));
        }
    }
}
