// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
using IotHubAmqp.Device.Buffers;
using IotHubAmqp.Device.Types;
using nanoFramework.TestFramework;

namespace IotHubAmqp.Device.Tests.Types
{
    /// <summary>Small helpers shared by the codec tests: encode a value, wrap hex for decoding.</summary>
    internal static class CodecHelper
    {
        /// <summary>Encodes <paramref name="value"/> with <see cref="Encoder.WriteObject"/> into a fresh buffer.</summary>
        public static ByteBuffer Encode(object value, int capacity = 2048)
        {
            var b = new ByteBuffer(capacity);
            Encoder.WriteObject(b, value);
            return b;
        }

        /// <summary>A buffer holding the bytes of <paramref name="hex"/>, ready to decode.</summary>
        public static ByteBuffer Hex(string hex)
        {
            byte[] a = Expect.FromHex(hex);
            return new ByteBuffer(a, 0, a.Length);
        }

        /// <summary>Decodes one value from <paramref name="hex"/> and asserts every byte was consumed.</summary>
        public static object Decode(string hex)
        {
            ByteBuffer b = Hex(hex);
            object v = Decoder.ReadObject(b);
            Assert.AreEqual(0, b.Length, "bytes left after decoding " + hex);
            return v;
        }

        /// <summary>Encodes with WriteObject, decodes with ReadObject, asserts the buffer is consumed; returns the decoded value.</summary>
        public static object RoundTrip(object value)
        {
            ByteBuffer b = Encode(value, 4096);
            object v = Decoder.ReadObject(b);
            Assert.AreEqual(0, b.Length, "bytes left after decoding " + Expect.Hex(b.Buffer, 0, b.WritePos));
            return v;
        }

        /// <summary>A byte array of <paramref name="n"/> bytes with a recognisable pattern.</summary>
        public static byte[] Pattern(int n)
        {
            byte[] a = new byte[n];
            for (int i = 0; i < n; i++) a[i] = (byte)(i * 7 + 1);
            return a;
        }

        /// <summary>A string of <paramref name="n"/> ASCII characters.</summary>
        public static string Ascii(int n)
        {
            char[] c = new char[n];
            for (int i = 0; i < n; i++) c[i] = (char)('a' + i % 26);
            return new string(c);
        }

        /// <summary>Hex of <paramref name="n"/> repetitions of <paramref name="byteHex"/>.</summary>
        public static string Repeat(string byteHex, int n)
        {
            char[] c = new char[n * byteHex.Length];
            for (int i = 0; i < n; i++)
            {
                for (int k = 0; k < byteHex.Length; k++) c[i * byteHex.Length + k] = byteHex[k];
            }
            return new string(c);
        }
    }
}
