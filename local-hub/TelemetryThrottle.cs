using System.Collections.Concurrent;

namespace IotHubAmqp.LocalHub;

/// <summary>
/// Per-device telemetry throttle: a token bucket of bytes (rate per second, burst). IoT Hub throttles
/// device-to-cloud traffic and answers the excess with <c>amqp:resource-limit-exceeded</c>; this keeps one
/// device sending 256 KB messages flat out from filling the hub's stores and starving the others.
/// </summary>
internal sealed class TelemetryThrottle
{
    private readonly ConcurrentDictionary<string, Bucket> _buckets = new(StringComparer.Ordinal);
    private readonly long _ratePerSecond;
    private readonly long _burst;
    private readonly TimeProvider _time;

    public TelemetryThrottle(long ratePerSecond, long burst, TimeProvider time)
    {
        _ratePerSecond = ratePerSecond;
        _burst = Math.Max(burst, HubCore.MaxTelemetryBody + 64 * 1024); // the largest message always fits a full bucket
        _time = time;
    }

    public long RatePerSecond => _ratePerSecond;

    /// <summary>Takes <paramref name="bytes"/> from the device's bucket; false (nothing taken) when it is short.</summary>
    public bool TryTake(string deviceId, long bytes)
    {
        var now = _time.GetTimestamp();
        var bucket = _buckets.GetOrAdd(deviceId, _ => new Bucket { Tokens = _burst, Stamp = now });
        lock (bucket)
        {
            var elapsed = _time.GetElapsedTime(bucket.Stamp, now).TotalSeconds;
            bucket.Stamp = now;
            bucket.Tokens = Math.Min(_burst, bucket.Tokens + elapsed * _ratePerSecond);
            if (bucket.Tokens < bytes) return false;
            bucket.Tokens -= bytes;
            return true;
        }
    }

    private sealed class Bucket
    {
        public double Tokens;
        public long Stamp;
    }
}
