namespace IotHubAmqp.LocalHub;

/// <summary>
/// Runs a pump action on the thread pool, never twice at once, and again if asked while running.
/// Keeps library callbacks (credit, disposition) from calling back into the library under our locks.
/// </summary>
internal sealed class SerialPump
{
    private readonly Action _pump;
    private int _running;
    private int _requested;

    public SerialPump(Action pump) => _pump = pump;

    public void Request()
    {
        Interlocked.Exchange(ref _requested, 1);
        if (Interlocked.CompareExchange(ref _running, 1, 0) == 0) ThreadPool.UnsafeQueueUserWorkItem(_ => Run(), null);
    }

    private void Run()
    {
        while (true)
        {
            Interlocked.Exchange(ref _requested, 0);
            try { _pump(); }
            catch (Exception) { /* a closed link mid-pump is normal; the next request retries */ }
            Interlocked.Exchange(ref _running, 0);
            if (Volatile.Read(ref _requested) == 0 || Interlocked.CompareExchange(ref _running, 1, 0) != 0) return;
        }
    }
}
