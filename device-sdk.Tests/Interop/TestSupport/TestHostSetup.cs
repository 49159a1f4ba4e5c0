// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
using System.Runtime.CompilerServices;

namespace IotHubAmqp.Device.InteropTests.TestSupport
{
    /// <summary>
    /// This test process runs in-process hubs (async, on the thread pool) beside many blocking test threads. On two
    /// cores the pool starts with two workers and adds more slowly, which showed as process-wide pauses of 1-2 s in
    /// the soaks. A device has no thread pool; here the pool is given enough workers from the start.
    /// </summary>
    internal static class TestHostSetup
    {
        [ModuleInitializer]
        internal static void Init()
        {
            ThreadPool.GetMinThreads(out int workers, out int io);
            ThreadPool.SetMinThreads(Math.Max(workers, 64), Math.Max(io, 64));
        }
    }
}
