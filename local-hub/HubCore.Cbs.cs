using System.Runtime.CompilerServices;
using Microsoft.Azure.Amqp;
using Microsoft.Azure.Amqp.Framing;

namespace IotHubAmqp.LocalHub;

internal sealed partial class HubCore
{
    private static readonly string[] TokenTypes = { "servicebus.windows.net:sastoken", "azure-devices.net:sastoken", "jwt" };

    /// <summary>put-token on $cbs: validate the SAS token and grant its scope to this connection.</summary>
    private void OnCbsRequest(ConnectionContext context, ReceivingAmqpLink link, AmqpMessage request)
    {
        var props = request.ApplicationProperties?.Map;
        var operation = props?["operation"] as string;
        // Newer Azure Python clients send the type as binary.
        var type = props?["type"] switch
        {
            string s => s,
            ArraySegment<byte> b => System.Text.Encoding.UTF8.GetString(b),
            byte[] b => System.Text.Encoding.UTF8.GetString(b),
            _ => null,
        };
        var token = request.ValueBody?.Value as string;
        var messageId = request.Properties?.MessageId;
        var replyTo = request.Properties?.ReplyTo?.ToString();
        int status;
        string description;
        if (operation != "put-token")
        {
            status = 400; description = "Unsupported operation.";
        }
        else if (type is null || !TokenTypes.Contains(type))
        {
            status = 400; description = "Unsupported token type.";
        }
        else if (_tokens.TryValidate(token, viaSaslPlain: false, out var grant, out var error) && grant is not null)
        {
            context.AddGrant(grant);
            status = 200; description = "OK";
            Raise(HubEventKind.Authenticated, context.Id, grant.DeviceId, "$cbs", "put-token");
        }
        else
        {
            status = 401; description = error;
            Raise(HubEventKind.AuthenticationFailed, context.Id, context.DeviceId, "$cbs", error);
        }
        link.AcceptMessage(request, false);

        var reply = AmqpMessage.Create();
        reply.Properties.CorrelationId = messageId;
        reply.ApplicationProperties.Map["status-code"] = status;
        reply.ApplicationProperties.Map["status-description"] = description;
        SendReply(context.ReplyLink("cbs", link.Session, replyTo), reply);
    }

    private readonly ConditionalWeakTable<SendingAmqpLink, StrongBox<int>> _unsettledReplies = new();

    /// <summary>A $cbs or $management reply link: count the replies the client has not settled yet.</summary>
    private void TrackReplies(SendingAmqpLink link)
    {
        var box = _unsettledReplies.GetValue(link, _ => new StrongBox<int>());
        link.RegisterDispositionListener(d =>
        {
            if (d.Settled) Interlocked.Decrement(ref box.Value);
            link.DisposeDelivery(d, true, d.State ?? AmqpConstants.AcceptedOutcome);
        });
    }

    /// <summary>
    /// Sends a reply. A client that never settles them (or gives no credit) would make the hub keep every reply:
    /// past <see cref="LocalHubOptions.MaxUnsettledReplies"/> the link is closed with resource-limit-exceeded.
    /// </summary>
    private void SendReply(SendingAmqpLink? link, AmqpMessage reply)
    {
        if (link is null || link.State != AmqpObjectState.Opened) return;
        if (link.Settings.SettleType != SettleMode.SettleOnSend && _unsettledReplies.TryGetValue(link, out var box)
            && Interlocked.Increment(ref box.Value) > Options.MaxUnsettledReplies)
        {
            reply.Dispose();
            link.SafeClose(new AmqpException(AmqpErrorCode.ResourceLimitExceeded,
                $"More than {Options.MaxUnsettledReplies} replies left unsettled on this link: settle them."));
            return;
        }
        reply.Batchable = false;
        link.SendMessageNoWait(reply, new ArraySegment<byte>(Guid.NewGuid().ToByteArray()), AmqpConstants.NullBinary);
    }
}
