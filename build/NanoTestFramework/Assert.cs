// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
using System;
using System.Collections;
using TestFrameworkShared;

namespace nanoFramework.TestFramework
{
    /// <summary>Assertions with the signatures of nanoFramework.TestFramework.</summary>
    public sealed class Assert
    {
        private Assert() { }

        /// <summary>Fails unless the values are equal.</summary>
        public static void AreEqual(object expected, object actual, string message = "")
        {
            if (expected == null ? actual == null : expected.Equals(actual)) return;
            Fail("Assert.AreEqual", "Expected:<" + Show(expected) + ">. Actual:<" + Show(actual) + ">. " + message);
        }

        /// <summary>Fails unless the strings are equal.</summary>
        public static void AreEqual(string expected, string actual, string message = "") => AreEqual((object)expected, actual, message);
        /// <summary>Fails unless the values are equal.</summary>
        public static void AreEqual(bool expected, bool actual, string message = "") => AreEqual((object)expected, actual, message);
        /// <summary>Fails unless the values are equal.</summary>
        public static void AreEqual(byte expected, byte actual, string message = "") => AreEqual((object)expected, actual, message);
        /// <summary>Fails unless the values are equal.</summary>
        public static void AreEqual(sbyte expected, sbyte actual, string message = "") => AreEqual((object)expected, actual, message);
        /// <summary>Fails unless the values are equal.</summary>
        public static void AreEqual(short expected, short actual, string message = "") => AreEqual((object)expected, actual, message);
        /// <summary>Fails unless the values are equal.</summary>
        public static void AreEqual(ushort expected, ushort actual, string message = "") => AreEqual((object)expected, actual, message);
        /// <summary>Fails unless the values are equal.</summary>
        public static void AreEqual(int expected, int actual, string message = "") => AreEqual((object)expected, actual, message);
        /// <summary>Fails unless the values are equal.</summary>
        public static void AreEqual(uint expected, uint actual, string message = "") => AreEqual((object)expected, actual, message);
        /// <summary>Fails unless the values are equal.</summary>
        public static void AreEqual(long expected, long actual, string message = "") => AreEqual((object)expected, actual, message);
        /// <summary>Fails unless the values are equal.</summary>
        public static void AreEqual(ulong expected, ulong actual, string message = "") => AreEqual((object)expected, actual, message);
        /// <summary>Fails unless the values are equal.</summary>
        public static void AreEqual(char expected, char actual, string message = "") => AreEqual((object)expected, actual, message);
        /// <summary>Fails unless the values are equal.</summary>
        public static void AreEqual(float expected, float actual, string message = "") => AreEqual((object)expected, actual, message);
        /// <summary>Fails unless the values are equal.</summary>
        public static void AreEqual(double expected, double actual, string message = "") => AreEqual((object)expected, actual, message);

        /// <summary>Fails when the values are equal.</summary>
        public static void AreNotEqual(object notExpected, object actual, string message = "")
        {
            if (notExpected == null ? actual != null : !notExpected.Equals(actual)) return;
            Fail("Assert.AreNotEqual", "Both are <" + Show(actual) + ">. " + message);
        }

        /// <summary>Fails unless both refer to the same object.</summary>
        public static void AreSame(object expected, object actual, string message = "")
        {
            if (!ReferenceEquals(expected, actual)) Fail("Assert.AreSame", message);
        }

        /// <summary>Fails unless the condition is true.</summary>
        public static void IsTrue(bool condition, string message = "")
        {
            if (!condition) Fail("Assert.IsTrue", message);
        }

        /// <summary>Fails unless the condition is false.</summary>
        public static void IsFalse(bool condition, string message = "")
        {
            if (condition) Fail("Assert.IsFalse", message);
        }

        /// <summary>Fails unless the value is null.</summary>
        public static void IsNull(object value, string message = "")
        {
            if (value != null) Fail("Assert.IsNull", "Actual:<" + Show(value) + ">. " + message);
        }

        /// <summary>Fails when the value is null.</summary>
        public static void IsNotNull(object value, string message = "")
        {
            if (value == null) Fail("Assert.IsNotNull", message);
        }

        /// <summary>Fails unless the value's type is exactly <paramref name="expected"/>.</summary>
        public static void IsInstanceOfType(object value, Type expected, string message = "")
        {
            if (value == null || value.GetType() != expected)
                Fail("Assert.IsInstanceOfType", "Expected type:<" + expected + ">. Actual:<" + (value == null ? "(null)" : value.GetType().ToString()) + ">. " + message);
        }

        /// <summary>Fails unless <paramref name="value"/> contains <paramref name="expected"/>.</summary>
        public static void Contains(string expected, string value, string message = "")
        {
            if (value == null || value.IndexOf(expected) < 0) Fail("Assert.Contains", "'" + Show(value) + "' does not contain '" + expected + "'. " + message);
        }

        /// <summary>Fails unless <paramref name="value"/> starts with <paramref name="expected"/>.</summary>
        public static void StartsWith(string expected, string value, string message = "")
        {
            if (value == null || !value.StartsWith(expected)) Fail("Assert.StartsWith", "'" + Show(value) + "' does not start with '" + expected + "'. " + message);
        }

        /// <summary>Fails unless <paramref name="action"/> throws exactly <paramref name="exception"/>.</summary>
        public static void ThrowsException(Type exception, Action action, string message = "")
        {
            try
            {
                action();
            }
            catch (Exception e)
            {
                if (e.GetType() != exception)
                    Fail("Assert.ThrowsException", "Expected " + exception + ", got " + e.GetType() + ": " + e.Message + ". " + message);
                return;
            }
            Fail("Assert.ThrowsException", "No exception thrown; expected " + exception + ". " + message);
        }

        /// <summary>Stops the test and reports it skipped.</summary>
        public static void SkipTest(string message = null) { throw new SkipTestException(message); }

        internal static void Fail(string assertion, string message)
        {
            throw new AssertFailedException(assertion + " failed. " + message);
        }

        internal static string Show(object value) => value == null ? "(null)" : value.ToString();
    }

    /// <summary>Assertions on collections.</summary>
    public sealed class CollectionAssert
    {
        private CollectionAssert() { }

        /// <summary>Fails unless both collections hold equal elements in the same order.</summary>
        public static void AreEqual(ICollection expected, ICollection actual, string message = "")
        {
            if (expected == null || actual == null)
            {
                if (expected != actual) Assert.Fail("CollectionAssert.AreEqual", "one collection is null. " + message);
                return;
            }
            if (expected.Count != actual.Count)
                Assert.Fail("CollectionAssert.AreEqual", "Count expected " + expected.Count + ", actual " + actual.Count + ". " + message);
            IEnumerator e = expected.GetEnumerator(), a = actual.GetEnumerator();
            int i = 0;
            while (e.MoveNext() && a.MoveNext())
            {
                if (e.Current == null ? a.Current != null : !e.Current.Equals(a.Current))
                    Assert.Fail("CollectionAssert.AreEqual", "Element " + i + " expected <" + Assert.Show(e.Current) + ">, actual <" + Assert.Show(a.Current) + ">. " + message);
                i++;
            }
        }
    }
}
