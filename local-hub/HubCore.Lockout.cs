using Microsoft.Azure.Amqp;
using Microsoft.Azure.Amqp.Framing;

namespace IotHubAmqp.LocalHub;

/// <summary>
/// Connection lockout: unauthenticated connections have their own small budget and a deadline, so a crowd of
/// idle or hostile sockets cannot take the connection slots that devices need.
/// </summary>
internal sealed partial class HubCore
{
    private readonly object _lockoutLock = new();

    /// <summary>Called for a new connection without a SASL credential: evict the oldest unauthenticated ones past the budget.</summary>
    private void MakeRoomForUnauthenticated(ConnectionContext arriving)
    {
        List<ConnectionContext> evict;
        lock (_lockoutLock)
        {
            var waiting = _connections.Values.Where(c => !c.Authenticated && c != arriving).OrderBy(c => c.OpenedAt).ThenBy(c => c.Id).ToList();
            var excess = waiting.Count + 1 - Math.Max(1, Options.MaxUnauthenticatedConnections);
            evict = excess > 0 ? waiting.Take(excess).ToList() : new List<ConnectionContext>();
        }
        foreach (var c in evict)
            CloseUnauthenticated(c, AmqpErrorCode.ResourceLimitExceeded,
                $"Too many unauthenticated connections (limit {Options.MaxUnauthenticatedConnections}): the oldest is closed.");
    }

    /// <summary>Sweep: a connection still without a token after the deadline is closed.</summary>
    private void CloseUnauthenticatedPastDeadline()
    {
        foreach (var c in _connections.Values)
        {
            if (!c.Authenticated && System.Diagnostics.Stopwatch.GetElapsedTime(c.OpenedAt) >= Options.AuthenticationDeadline)
                CloseUnauthenticated(c, AmqpErrorCode.UnauthorizedAccess,
                    $"No valid token within {Options.AuthenticationDeadline.TotalSeconds:0.#} s of opening the connection.");
        }
    }

    private void CloseUnauthenticated(ConnectionContext context, Microsoft.Azure.Amqp.Encoding.AmqpSymbol condition, string description)
    {
        if (!_connections.TryRemove(context.Connection, out _)) return;
        Raise(HubEventKind.AuthenticationFailed, context.Id, null, null, description);
        context.Connection.SafeClose(new AmqpException(new Error { Condition = condition, Description = description }));
        // A peer that never answers the close (or never read past its header) is dropped soon after.
        _ = Task.Delay(1000).ContinueWith(_ => context.Connection.Abort(), TaskScheduler.Default);
    }
}
