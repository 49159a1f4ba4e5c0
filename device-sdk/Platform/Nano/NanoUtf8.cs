// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
using System.Text;

namespace IotHubAmqp.Device.Types
{
    /// <summary>
    /// The device half of <see cref="Utf8"/>: nanoCLR stores strings as UTF-8, so its own conversion gives the exact
    /// bytes of every string a device can hold, characters outside the BMP included (nanoFramework.System.Text).
    /// Compiled only by IotHubAmqp.Device.nfproj; written against the package's public API, not built here.
    /// </summary>
    internal static partial class Utf8
    {
        static partial void NativeGetBytes(string s, ref byte[] bytes)
        {
            bytes = Encoding.UTF8.GetBytes(s);
        }

        static partial void NativeGetString(byte[] src, int at, int count, ref string s)
        {
            s = Encoding.UTF8.GetString(src, at, count);
        }
    }
}
