// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
using System;
using IotHubAmqp.Device.Buffers;
using nanoFramework.TestFramework;
using TestFrameworkShared;

namespace IotHubAmqp.Device.Tests
{
    /// <summary>Assertions this suite needs beyond nanoFramework.TestFramework's.</summary>
    internal static class Expect
    {
        /// <summary>Runs <paramref name="action"/> and asserts it throws an <see cref="AmqpException"/> with <paramref name="condition"/>.</summary>
        public static AmqpException AmqpError(string condition, Action action)
        {
            try
            {
                action();
            }
            catch (AmqpException e)
            {
                Assert.AreEqual(condition, e.Condition, "wrong condition; description: " + e.Description);
                return e;
            }
            throw new AssertFailedException("expected an AmqpException with " + condition + ", none was thrown");
        }

        /// <summary>Asserts the buffer's readable bytes equal <paramref name="expected"/>.</summary>
        public static void Bytes(byte[] expected, ByteBuffer actual)
        {
            Assert.AreEqual(expected.Length, actual.Length, "length; got " + Hex(actual.Buffer, actual.Offset, actual.Length));
            for (int i = 0; i < expected.Length; i++)
            {
                if (expected[i] != actual.Buffer[actual.Offset + i])
                    throw new AssertFailedException("byte " + i + " differs: expected " + Hex(expected, 0, expected.Length) + ", got " + Hex(actual.Buffer, actual.Offset, actual.Length));
            }
        }

        /// <summary>Asserts two byte arrays are equal.</summary>
        public static void Bytes(byte[] expected, byte[] actual)
        {
            Bytes(expected, new ByteBuffer(actual, 0, actual.Length));
        }

        /// <summary>Hex dump for failure messages.</summary>
        public static string Hex(byte[] a, int offset, int count)
        {
            const string digits = "0123456789abcdef";
            char[] c = new char[count * 2];
            for (int i = 0; i < count; i++)
            {
                c[2 * i] = digits[a[offset + i] >> 4];
                c[2 * i + 1] = digits[a[offset + i] & 0xF];
            }
            return new string(c);
        }

        /// <summary>Parses a hex string such as "a1 03 61 62 63" (spaces ignored) into bytes.</summary>
        public static byte[] FromHex(string hex)
        {
            int n = 0;
            byte[] tmp = new byte[hex.Length / 2];
            int hi = -1;
            for (int i = 0; i < hex.Length; i++)
            {
                int v = HexValue(hex[i]);
                if (v < 0) continue;
                if (hi < 0) hi = v;
                else
                {
                    tmp[n++] = (byte)((hi << 4) | v);
                    hi = -1;
                }
            }
            byte[] result = new byte[n];
            Array.Copy(tmp, result, n);
            return result;
        }

        private static int HexValue(char c)
        {
            if (c >= '0' && c <= '9') return c - '0';
            if (c >= 'a' && c <= 'f') return c - 'a' + 10;
            if (c >= 'A' && c <= 'F') return c - 'A' + 10;
            return -1;
        }
    }
}
