// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
using IotHubAmqp.Device.Engine;

namespace IotHubAmqp.Device.IotHub
{
    /// <summary>
    /// A part of the client that lives in another assembly (methods, twin) and rides the core's connection state
    /// machine: it attaches its links once the token is in place on every connection, gets the engine's events for
    /// its links, and takes requests its facade submitted. Everything here runs on the driver thread, as part of
    /// <see cref="ClientCore"/>: no threads, locks or clock of its own. Its user handlers run from notices it posts
    /// (<see cref="ClientCore.Post"/>), which the dispatcher runs through <see cref="FeatureNotice.Run"/>.
    /// </summary>
    internal abstract class ClientFeature
    {
        /// <summary>The state machine this feature belongs to (set when the driver registers it).</summary>
        internal ClientCore Core;

        /// <summary>The connection is up and authenticated: attach the links on <paramref name="session"/>.</summary>
        internal abstract void Attach(Session session, long now);

        /// <summary>The connection is gone: forget its links (they are dead); waiting requests stay in line.</summary>
        internal abstract void LinksLost();

        /// <summary>An engine event for <paramref name="link"/>; false when the link is not this feature's.</summary>
        internal abstract bool OnLinkEvent(Link link, int kinds, long now);

        /// <summary>A request its facade submitted (<see cref="RequestKind.Feature"/>).</summary>
        internal abstract void Submit(ClientRequest r, long now);

        /// <summary>
        /// The sender link for this feature's sends (<see cref="RequestKind.FeatureSend"/>) on <paramref name="session"/>,
        /// attached on demand; the core's send machinery does the rest (deadlines, outcomes, results).
        /// </summary>
        internal virtual SenderLink SenderFor(Session session) => null;

        /// <summary>The earliest time <see cref="Tick"/> has work (request deadlines).</summary>
        internal virtual long NextDeadline => long.MaxValue;

        /// <summary>Expires what is due at <paramref name="now"/>.</summary>
        internal virtual void Tick(long now)
        {
        }

        /// <summary>The client was closed: fail whatever waits.</summary>
        internal virtual void Closed()
        {
        }
    }

    /// <summary>What a feature's facade needs of its client: registration, requests, the clock (DeviceClient; a test driver).</summary>
    internal interface IFeatureHost
    {
        /// <summary>Registers <paramref name="feature"/> with the client's state machine.</summary>
        void AddFeature(ClientFeature feature);

        /// <summary>Submits <paramref name="r"/> to the driver; waits for it when <paramref name="timeoutMs"/> is positive (throws its error).</summary>
        void CallFeature(ClientRequest r, int timeoutMs, string what);

        long NowMs { get; }

        DeviceClientOptions Options { get; }

        string DeviceId { get; }
    }

    /// <summary>A notice of a feature: runs on the dispatcher thread, never on the driver.</summary>
    internal abstract class FeatureNotice
    {
        internal abstract void Run();
    }
}
