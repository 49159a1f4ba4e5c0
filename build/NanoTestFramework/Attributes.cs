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

    /// <summary>Runs the test once per row with these arguments.</summary>
    [AttributeUsage(AttributeTargets.Method, AllowMultiple = true)]
    public sealed class DataRowAttribute : Attribute
    {
        /// <summary>Creates a row.</summary>
        public DataRowAttribute(params object[] methodParameters) { MethodParameters = methodParameters; }

        /// <summary>The arguments passed to the test.</summary>
        public object[] MethodParameters { get; }
    }

    /// <summary>Thrown when an assertion fails.</summary>
    public class AssertFailedException : Exception
    {
        /// <summary>Creates the exception.</summary>
        public AssertFailedException(string message) : base(message) { }
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
