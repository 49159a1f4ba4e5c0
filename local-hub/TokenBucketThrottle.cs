using System.Collections.Concurrent;

namespace IotHubAmqp.LocalHub;

/// <summary>
/// A per-identity token bucket (rate per second, burst), as IoT Hub throttles: telemetry bytes (the excess is
/// rejected with <c>amqp:resource-limit-exceeded</c>, so one device sending 256 KB messages flat out cannot fill
/// the hub's stores), twin operations and method calls (the excess gets status 429).
/// </summary>
internal sealed class TokenBucketThrottle
{
    private readonly ConcurrentDictionary<string, Bucket> _buckets = new(StringComparer.Ordinal);
    private readonly long _ratePerSecond;
    private readonly long _burst;
    private readonly TimeProvider _time;

    public TokenBucketThrottle(long ratePerSecond, long burst, TimeProvider time)
    {
        _ratePerSecond = ratePerSecond;
        _burst = Math.Max(1, burst);
        _time = time;
    }

    public long RatePerSecond => _ratePerSecond;

    /// <summary>Takes <paramref name="bytes"/> (or operations) from the identity's bucket; false (nothing taken) when it is short.</summary>
    public bool TryTake(string identity, long bytes)
    {
        var now = _time.GetTimestamp();
        var bucket = _buckets.GetOrAdd(identity, _ => new Bucket { Tokens = _burst, Stamp = now });
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
