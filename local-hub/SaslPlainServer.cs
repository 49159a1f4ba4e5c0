using System.Security.Principal;
using System.Text;
using Microsoft.Azure.Amqp.Sasl;

namespace IotHubAmqp.LocalHub;

/// <summary>
/// Server side of SASL PLAIN (RFC 4616: <c>[authzid] NUL authcid NUL passwd</c>). Unlike the library's handler,
/// a refused credential ends with sasl-outcome code <c>auth</c> (AMQP 1.0 5.3.3.6: bad credentials), not
/// <c>sys</c> (a temporary system error a client would retry): the client can tell its token is wrong.
/// The hub logs the cause with the user name; the password (the token) is never logged.
/// </summary>
internal sealed class SaslPlainServer : SaslHandler
{
    private readonly ISaslPlainAuthenticator _authenticator;

    public SaslPlainServer(ISaslPlainAuthenticator authenticator)
    {
        _authenticator = authenticator;
        Mechanism = SaslPlainHandler.Name;
    }

    public override SaslHandler Clone() => new SaslPlainServer(_authenticator);

    public override void OnChallenge(SaslChallenge challenge) => throw new NotSupportedException("PLAIN has no challenge.");

    public override void OnResponse(SaslResponse response) => throw new NotSupportedException("PLAIN has no response.");

    protected override void OnStart(SaslInit init, bool isClient)
    {
        if (isClient) throw new NotSupportedException("Server-side handler.");
        var data = init.InitialResponse;
        var parts = data.Count > 0 && data.Count <= 8192 ? Encoding.UTF8.GetString(data).Split('\0') : Array.Empty<string>();
        if (parts.Length != 3 || parts[1].Length == 0)
        {
            Negotiator.CompleteNegotiation(SaslCode.Auth, new UnauthorizedAccessException("SASL PLAIN needs authzid NUL user NUL token."));
            return;
        }
        _authenticator.AuthenticateAsync(parts[1], parts[2]).ContinueWith(t =>
        {
            if (t.IsCompletedSuccessfully)
            {
                Principal = t.Result;
                Negotiator.CompleteNegotiation(SaslCode.Ok, null);
            }
            else
            {
                Negotiator.CompleteNegotiation(SaslCode.Auth, t.Exception?.InnerException ?? new UnauthorizedAccessException("refused"));
            }
        }, TaskScheduler.Default);
    }
}
