// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
using System;
using nanoFramework.TestFramework;

namespace IotHubAmqp.Device.Tests.Types
{
    /// <summary>AMQP value equality and the hash that AmqpMap's index relies on being consistent with it.</summary>
    [TestClass]
    public class ValueEqualityTests
    {
        private static void SameValue(object a, object b)
        {
            Assert.IsTrue(ValueEquality.AreEqual(a, b), "values should be equal");
            Assert.AreEqual(ValueEquality.HashOf(a), ValueEquality.HashOf(b), "equal values must hash alike");
        }

        [TestMethod]
        public void HashOf_EqualScalars_HashAlike()
        {
            SameValue(null, null);
            SameValue(new byte[] { 1, 2, 3 }, new byte[] { 1, 2, 3 });
            // Built at run time so the two strings are distinct objects.
            SameValue("ab", new string(new[] { 'a', 'b' }));
            SameValue(new Symbol("x-opt"), new Symbol(new string(new[] { 'x', '-', 'o', 'p', 't' })));
            SameValue(5u, 5u);
            SameValue(5ul, 5ul);
            SameValue(-5, -5);
            SameValue(-5L, -5L);
            SameValue((sbyte)-1, (sbyte)-1);
            SameValue((short)300, (short)300);
            SameValue(true, true);
            SameValue(new DateTime(2024, 5, 6), new DateTime(2024, 5, 6));
            SameValue(new Guid(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11), new Guid(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11));
            SameValue(new EncodedValue(new byte[] { 0x74, 1, 2, 3, 4 }), new EncodedValue(new byte[] { 0x74, 1, 2, 3, 4 }));
            SameValue(1.5, 1.5);
            SameValue((byte)7, (byte)7);
        }

        [TestMethod]
        public void HashOf_NaNAndSignedZero_HashAsEqualsCompares()
        {
            SameValue(double.NaN, BitConverter.Int64BitsToDouble(0x7ff8000000000001L));
            SameValue(0.0, -0.0);
            SameValue(float.NaN, float.NaN);
            SameValue(0.0f, -0.0f);
        }

        [TestMethod]
        public void HashOf_EqualComposites_HashAlike()
        {
            SameValue(new object[] { 1u, new byte[] { 7 } }, new object[] { 1u, new byte[] { 7 } });
            SameValue(new EncodedValue(new byte[] { 0xe0, 3, 1, 0x50, 9 }), new EncodedValue(new byte[] { 0xe0, 3, 1, 0x50, 9 }));
            var a = new AmqpMap();
            a["x"] = new byte[] { 1 };
            a[2u] = "y";
            var b = new AmqpMap();
            b[2u] = "y";
            b["x"] = new byte[] { 1 };
            SameValue(a, b);
        }

        [TestMethod]
        public void AreEqual_SameNumberOtherType_NotEqual()
        {
            object[] values = { 1u, 1ul, 1, 1L, (byte)1, (sbyte)1, (ushort)1, (short)1 };
            for (int i = 0; i < values.Length; i++)
            {
                for (int j = i + 1; j < values.Length; j++)
                {
                    Assert.IsFalse(ValueEquality.AreEqual(values[i], values[j]), "values " + i + " and " + j);
                }
            }
        }

        [TestMethod]
        public void AreEqual_StringAndSymbolOfSameText_NotEqual()
        {
            Assert.IsFalse(ValueEquality.AreEqual("a", new Symbol("a")));
            Assert.AreNotEqual(ValueEquality.HashOf("a"), ValueEquality.HashOf(new Symbol("a")));
        }

        [TestMethod]
        public void AreEqual_BinariesOfOtherBytesOrLength_NotEqual()
        {
            Assert.IsFalse(ValueEquality.AreEqual(new byte[] { 1, 2 }, new byte[] { 1, 3 }));
            Assert.IsFalse(ValueEquality.AreEqual(new byte[] { 1, 2 }, new byte[] { 1, 2, 0 }));
            Assert.IsFalse(ValueEquality.AreEqual(new byte[0], null));
        }
    }
}
