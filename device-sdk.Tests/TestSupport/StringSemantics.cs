// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.

namespace IotHubAmqp.Device.Tests
{
    /// <summary>
    /// What strings can hold on the runtime running the tests, probed rather than assumed. Desktop .NET strings are
    /// UTF-16 and hold anything; nanoCLR keeps strings as UTF-8, so a lone surrogate becomes U+FFFD and U+0000
    /// ends the string. Tests of such strings branch on these and say in their names which behaviour they pin.
    /// </summary>
    internal static class StringSemantics
    {
        /// <summary>True on desktop .NET; false on nanoCLR (a lone surrogate reads back as U+FFFD).</summary>
        public static readonly bool HoldsLoneSurrogates = new string(new[] { '\ud800' })[0] == '\ud800';

        /// <summary>True on desktop .NET; false on nanoCLR ("a\u0000b".Length is 1 there).</summary>
        public static readonly bool HoldsNul = new string(new[] { 'a', '\u0000', 'b' }).Length == 3;
    }
}
