using Microsoft.Azure.Amqp;
using Microsoft.Azure.Amqp.Transport;

namespace IotHubAmqp.LocalHub;

/// <summary>
/// Wraps a connection's transport so fault injection can stall it: while stalled, reads and
/// writes are held back (the peer sees a hub that stopped answering), then resume in order.
/// </summary>
internal sealed class StallableTransport : TransportBase
{
    private readonly TransportBase _inner;
    private long _stallUntilTicks; // UTC ticks; 0 = not stalled

    public StallableTransport(TransportBase inner) : base("stallable")
    {
        _inner = inner;
        _inner.Closed += (_, _) => SafeClose(_inner.TerminalException);
    }

    public override string LocalEndPoint => _inner.LocalEndPoint;
    public override string RemoteEndPoint => _inner.RemoteEndPoint;
    public override bool IsSecure => _inner.IsSecure;
    public override bool RequiresCompleteFrames => _inner.RequiresCompleteFrames;
    public TransportBase Inner => _inner;

    public void Stall(TimeSpan duration) =>
        Interlocked.Exchange(ref _stallUntilTicks, DateTime.UtcNow.Add(duration).Ticks);

    public override void SetMonitor(ITransportMonitor usageMeter) => _inner.SetMonitor(usageMeter);

    public override bool WriteAsync(TransportAsyncCallbackArgs args) => Run(args, a => _inner.WriteAsync(a));

    public override bool ReadAsync(TransportAsyncCallbackArgs args) => Run(args, a => GuardedRead(a));

    /// <summary>Checks every frame before the library decodes it; set before the first read.</summary>
    public FrameGuard? Guard { get; set; }

    /// <summary>Called (once) with the reason when a frame is refused.</summary>
    public Action<string>? OnRefused { get; set; }

    private int _refused;

    // The bytes of a refused frame are never handed on: the read stays pending while the connection closes.
    private bool GuardedRead(TransportAsyncCallbackArgs args)
    {
        if (Guard is null) return _inner.ReadAsync(args);
        var original = args.CompletedCallback;
        args.CompletedCallback = a =>
        {
            a.CompletedCallback = original;
            if (Check(a)) original?.Invoke(a);
        };
        if (_inner.ReadAsync(args)) return true;
        args.CompletedCallback = original;
        return !Check(args);
    }

    private bool Check(TransportAsyncCallbackArgs args)
    {
        if (Volatile.Read(ref _refused) != 0) return false;
        if (args.Exception is not null || args.BytesTransfered <= 0 || args.Buffer is null) return true;
        var error = Guard!.Feed(args.Buffer.AsSpan(args.Offset, args.BytesTransfered));
        if (error is null) return true;
        if (Interlocked.Exchange(ref _refused, 1) == 0) ThreadPool.QueueUserWorkItem(_ => OnRefused?.Invoke(error));
        return false;
    }

    // Returns true when the operation completes later through args.CompletedCallback.
    private bool Run(TransportAsyncCallbackArgs args, Func<TransportAsyncCallbackArgs, bool> op)
    {
        var wait = TimeSpan.FromTicks(Interlocked.Read(ref _stallUntilTicks) - DateTime.UtcNow.Ticks);
        if (wait <= TimeSpan.Zero) return op(args);
        _ = Task.Delay(wait).ContinueWith(_ =>
        {
            bool pending;
            try { pending = op(args); }
            catch (Exception ex) { args.Exception = ex; pending = false; }
            if (!pending) args.CompletedCallback?.Invoke(args);
        }, TaskScheduler.Default);
        return true;
    }

    protected override bool CloseInternal()
    {
        _inner.SafeClose();
        return true;
    }

    protected override void AbortInternal() => _inner.Abort();
}
