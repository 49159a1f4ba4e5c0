// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
using IotHubAmqp.Device.Engine;
using IotHubAmqp.Device.Framing;
using IotHubAmqp.Device.IotHub;

namespace IotHubAmqp.Device.Feedback
{
    /// <summary>
    /// The feedback sender link on the client's state machine: attached on the first send of each connection; the
    /// core's send machinery does deadlines, outcomes and results. Driver thread only.
    /// </summary>
    internal sealed class FeedbackSender : ClientFeature
    {
        /// <summary>The device sender link to feedback that the seed's device table lists.</summary>
        public const string Address = "/messages/serviceBound/feedback";

        private SenderLink link;

        internal override SenderLink SenderFor(Session session)
        {
            SenderLink l = link;
            if (l == null || l.IsEnded)
                link = l = session.AttachSender(Core.NextLinkName("feedback"), Address, SenderSettleMode.Unsettled, Core.LinkProperties());
            return l;
        }

        // Attached on demand, not with the connection.
        internal override void Attach(Session session, long now)
        {
        }

        internal override void LinksLost()
        {
            // Outcomes that came in with the last read count; the rest go again on the next connection's link.
            Core.OnOutcomes(link);
            link = null;
        }

        internal override bool OnLinkEvent(Link l, int kinds, long now)
        {
            // Outcomes, attach and our own detach: the core handles them as for any sender.
            if (l != link || (kinds & EngineEvent.Ended) == 0 || l.ClosedByUs) return false;
            // Feedback is optional: a detach by the hub fails its waiting sends with the reason, the connection stays.
            link = null;
            Core.OnOutcomes((SenderLink)l);
            Core.FailSends(this, l.Error ?? new AmqpException(ErrorCode.DetachForced, "the feedback link was detached"));
            return true;
        }

        // Its sends come as RequestKind.FeatureSend, never as feature requests.
        internal override void Submit(ClientRequest r, long now)
        {
        }
    }
}
