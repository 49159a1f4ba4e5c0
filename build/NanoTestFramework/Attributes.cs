// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
using System;

namespace nanoFramework.TestFramework
{
    /// <summary>Marks a class that holds tests.</summary>
    [AttributeUsage(AttributeTargets.Class)]
    public sealed class TestClassAttribute : Attribute { }

    /// <summary>Marks a test method.</summary>
    [AttributeUsage(AttributeTargets.Method)]
    public sealed class TestMethodAttribute : Attribute { }

    /// <summary>Marks a method run once before the tests of its class.</summary>
    [AttributeUsage(AttributeTargets.Method)]
    public sealed class SetupAttribute : Attribute { }

    /// <summary>Marks a method run once after the tests of its class.</summary>
    [AttributeUsage(AttributeTargets.Method)]
    public sealed class CleanupAttribute : Attribute { }

    /// <summary>
    /// Runs the test once per row with these arguments. As with the real package, a row may hold only constants
    /// the nanoFramework tools can read: no null (the metadata processor throws), no char and no array (the
    /// unit-test launcher throws while reading the row and silently skips every later test class).
    /// NanoTestRunner fails any test whose row breaks these rules.
    /// </summary>
    [AttributeUsage(AttributeTargets.Method, AllowMultiple = true)]
    public sealed class DataRowAttribute : Attribute
    {
        /// <summary>Creates a row.</summary>
        public DataRowAttribute(params object[] methodParameters) { MethodParameters = methodParameters; }

        /// <summary>The arguments passed to the test.</summary>
        public object[] MethodParameters { get; }
    }

    /// <summary>Thrown by <see cref="Assert.SkipTest"/>.</summary>
    public class SkipTestException : Exception
    {
        /// <summary>Creates the exception.</summary>
        public SkipTestException(string message) : base(message) { }
    }

    /// <summary>Writes a line to the test output.</summary>
    public static class OutputHelper
    {
        /// <summary>Writes a line.</summary>
        public static void WriteLine(string message) { Console.WriteLine(message); }
    }
}

namespace TestFrameworkShared
{
    /// <summary>Thrown when an assertion fails; in this namespace, as in the real package (source/TestFrameworkShared).</summary>
    public class AssertFailedException : Exception
    {
        /// <summary>Creates the exception.</summary>
        public AssertFailedException(string message) : base(message) { }
    }
}
