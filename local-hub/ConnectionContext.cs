using Microsoft.Azure.Amqp;

namespace IotHubAmqp.LocalHub;

/// <summary>Per-connection state: grants (tokens), links, CBS reply links and limits.</summary>
internal sealed class ConnectionContext
{
    private readonly object _lock = new();
    private readonly Dictionary<string, Grant> _grants = new();
    private readonly List<(AmqpLink Link, string? Scope, string? DeviceId)> _links = new();
    private readonly List<(string Kind, SendingAmqpLink Link)> _replyLinks = new();

    public ConnectionContext(AmqpConnection connection, StallableTransport transport, long id, long openedAt)
    {
        Connection = connection;
        Transport = transport;
        Id = id;
        OpenedAt = openedAt;
    }

    /// <summary>When the hub accepted the connection (after TLS and SASL): a Stopwatch timestamp, real time even
    /// when the hub runs on a test clock, because the deadline is about real sockets.</summary>
    public long OpenedAt { get; }

    /// <summary>True once any token was accepted on the connection (SASL PLAIN or a put-token).</summary>
    public bool Authenticated { get; private set; }

    public AmqpConnection Connection { get; }
    public StallableTransport Transport { get; }
    public long Id { get; }
    public int SessionCount;
    public string? DeviceId { get; private set; }

    public void AddGrant(Grant grant)
    {
        lock (_lock)
        {
            _grants[grant.Scope] = grant;
            DeviceId ??= grant.DeviceId;
            Authenticated = true;
        }
    }

    public bool HasGrant(string scope, DateTimeOffset now)
    {
        lock (_lock) return _grants.TryGetValue(scope, out var g) && g.ExpiresAt > now;
    }

    /// <summary>The live grant of a scope, or null.</summary>
    public Grant? GrantFor(string scope, DateTimeOffset now)
    {
        lock (_lock) return _grants.TryGetValue(scope, out var g) && g.ExpiresAt > now ? g : null;
    }

    /// <summary>Removes and returns the grants that lapsed.</summary>
    public List<Grant> TakeExpired(DateTimeOffset now)
    {
        lock (_lock)
        {
            var expired = _grants.Values.Where(g => g.ExpiresAt <= now).ToList();
            foreach (var g in expired) _grants.Remove(g.Scope);
            return expired;
        }
    }

    public void AddLink(AmqpLink link, string? scope, string? deviceId)
    {
        lock (_lock) _links.Add((link, scope, deviceId));
        link.SafeAddClosed((_, _) => { lock (_lock) _links.RemoveAll(l => l.Link == link); });
    }

    public List<AmqpLink> LinksFor(string? scope = null, string? deviceId = null)
    {
        lock (_lock)
        {
            return _links.Where(l => (scope is null || l.Scope == scope) && (deviceId is null || l.DeviceId == deviceId))
                .Select(l => l.Link).ToList();
        }
    }

    public bool ServesDevice(string deviceId)
    {
        lock (_lock) return DeviceId == deviceId || _links.Any(l => l.DeviceId == deviceId);
    }

    /// <summary>Remembers a client receiver that gets replies (CBS or $management).</summary>
    public void AddReplyLink(string kind, SendingAmqpLink link)
    {
        lock (_lock) _replyLinks.Add((kind, link));
        link.SafeAddClosed((_, _) => { lock (_lock) _replyLinks.RemoveAll(r => r.Link == link); });
    }

    /// <summary>The reply link: by reply-to (the receiver's target address or link name), else one on the same session.</summary>
    public SendingAmqpLink? ReplyLink(string kind, AmqpSession session, string? replyTo)
    {
        lock (_lock)
        {
            var links = _replyLinks.Where(r => r.Kind == kind).Select(r => r.Link).ToList();
            return links.FirstOrDefault(l => replyTo is not null && (l.Name == replyTo || (l.Settings.Target as Microsoft.Azure.Amqp.Framing.Target)?.Address?.ToString() == replyTo))
                ?? links.FirstOrDefault(l => l.Session == session) ?? links.FirstOrDefault();
        }
    }
}
