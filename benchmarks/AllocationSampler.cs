// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
using System.Collections.Concurrent;
using System.Diagnostics.Tracing;

namespace IotHubAmqp.Benchmarks
{
    /// <summary>
    /// Diagnostics: the runtime's GCAllocationTick event (one sample about every 100 KB allocated, any thread)
    /// names the type being allocated; over many sends the samples show which types make up the bytes per send.
    /// </summary>
    internal sealed class AllocationSampler : EventListener
    {
        private const EventKeywords GcKeyword = (EventKeywords)0x1;

        public ConcurrentDictionary<string, int> Samples { get; } = new();

        protected override void OnEventSourceCreated(EventSource source)
        {
            if (source.Name == "Microsoft-Windows-DotNETRuntime") EnableEvents(source, EventLevel.Verbose, GcKeyword);
        }

        protected override void OnEventWritten(EventWrittenEventArgs e)
        {
            if (e.EventName == null || !e.EventName.StartsWith("GCAllocationTick", StringComparison.Ordinal)) return;
            int i = e.PayloadNames?.IndexOf("TypeName") ?? -1;
            string type = i >= 0 ? e.Payload[i] as string : "?";
            Samples.AddOrUpdate(type ?? "?", 1, (_, n) => n + 1);
        }
    }
}
