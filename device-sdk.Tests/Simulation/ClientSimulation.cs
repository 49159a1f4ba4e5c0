// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
using System;
using System.Collections;
using IotHubAmqp.Device.Engine;
using IotHubAmqp.Device.IotHub;
using IotHubAmqp.Device.Messaging;

namespace IotHubAmqp.Device.Tests.Simulation
{
    /// <summary>
    /// Runs the whole client (ClientCore + engine) against <see cref="SimHub"/> under virtual time, playing the
    /// driver's part itself: requests, transport actions, bytes both ways, timers, notices. Everything random comes
    /// from one seed, so a failing run replays exactly. Invariants are checked at every step; the first broken one
    /// ends the run with the seed, the time and the hub's trace.
    /// </summary>
    internal sealed partial class ClientSimulation
    {
        /// <summary>Virtual time the device sends in; faults happen inside it, then the network is left alone.</summary>
        public const long ActivityMs = 20000;

        /// <summary>After the last fault, every call must have ended and the client be connected again.</summary>
        public const long QuietMs = 40000;

        private const int MaxSteps = 400000;
        private static readonly DateTime Epoch = new DateTime(2026, 1, 1, 0, 0, 0);

        private readonly ulong seed;
        private readonly SimRandom rnd;
        private readonly SimHub hub = new SimHub();
        private readonly FixedPlatform platform = new FixedPlatform(Epoch);
        private readonly DeviceClientOptions options = new DeviceClientOptions();
        private readonly ClientCore core;
        private readonly ArrayList plannedSends = new ArrayList();
        private readonly ArrayList requests = new ArrayList();
        private readonly ArrayList faults = new ArrayList();
        private SimNetwork net;
        private SimRandom webSocketRnd; // set: the seed runs AMQP over WebSockets (the device reads through WebSocketStream)
        private SimWebSocket ws;
        private long now;
        private long connectDoneAt = long.MaxValue;
        private bool connectFails;
        private bool insideCore;
        private ClientRequest open;
        private int messagesSent;
        private string failure;
        private long lastConnectedAt = long.MinValue / 2;

        public ClientSimulation(ulong seed)
        {
            this.seed = seed;
            rnd = new SimRandom(seed);
            hub.DeviceId = "sim-device";
            hub.HostName = "sim-hub.azure-devices.net";
            var featureRnd = new SimRandom(seed ^ 0x9E3779B97F4A7C15UL);
            bool features = PickFeatures(featureRnd, out bool asModule);
            if (featureRnd.NextBool(25)) webSocketRnd = featureRnd.Fork();
            if (asModule) hub.ModuleId = "sim-module";
            string cs = "HostName=" + hub.HostName + ";DeviceId=" + hub.DeviceId + (asModule ? ";ModuleId=" + hub.ModuleId : "") + ";SharedAccessKey=c2ltdWxhdGlvbi1rZXktMTIzNDU2Nzg=";
            Configure();
            if (features) ConfigureFeatures(featureRnd);
            core = new ClientCore(IotHubConnectionString.Parse(cs), options, platform, new Random((int)(seed & 0x7fffffff)));
        }

        /// <summary>Telemetry the client reported accepted, and all its results, for the tests' own checks.</summary>
        public int Accepted;
        public int Completed;
        public int Reconnects => core.Reconnects;
        public SimHub Hub => hub;

        /// <summary>Runs to the end; returns null when every invariant held, else what broke (with the seed to replay).</summary>
        public string Run()
        {
            open = NewRequest(RequestKind.Open, options.ConnectTimeoutMs);
            Submit(open);
            if (featureEvents.Count > 0) StartFeatures();
            long end = ActivityMs + QuietMs;
            for (int step = 0; step < MaxSteps && failure == null; step++)
            {
                DriverStep();
                AppStep();
                Check();
                if (core.Status == ClientStatus.Connected) lastConnectedAt = now;
                if (now >= end) break;
                long next = NextTime();
                now = next > now ? (next < end ? next : end) : now + 1;
                platform.UtcNow = Epoch.AddTicks(now * TimeSpan.TicksPerMillisecond);
            }
            if (failure == null && now < end) Fail("the run did not reach its end in " + MaxSteps + " steps (a busy loop?)");
            if (failure == null) FinalChecks();
            return failure;
        }

        // The driver's loop, as ClientDriver does it, with the network and the hub in place of the transport.
        private void DriverStep()
        {
            insideCore = true;
            try
            {
                core.Tick(now);
                TransportActions();
                MoveBytes();
            }
            catch (Exception e)
            {
                Fail("the client threw " + e.GetType().Name + ": " + e.Message);
            }
            insideCore = false;
            object n;
            while ((n = core.TakeNotice()) != null) OnNotice(n);
        }

        private void TransportActions()
        {
            if (core.WantsTransportClosed)
            {
                WriteOutput();
                if (net != null)
                {
                    net.Cut();
                    net.Pump(hub, now);
                }
                net = null;
                core.TransportClosed(now);
            }
            if (core.WantsTransport)
            {
                core.TransportConnecting();
                // TCP and TLS take a while, and sometimes fail: the deadline bounds them.
                connectDoneAt = now + rnd.Next(1, 80);
                connectFails = rnd.NextBool(15) && now < ActivityMs;
            }
            if (now >= connectDoneAt)
            {
                connectDoneAt = long.MaxValue;
                if (now > core.ConnectDeadline || connectFails)
                {
                    core.TransportFailed(new AmqpException(ErrorCode.ConnectionLost, "simulated connect refused"), now);
                    return;
                }
                hub.Accept(now);
                net = new SimNetwork(rnd.Fork());
                if (webSocketRnd != null) ws = new SimWebSocket(webSocketRnd.Fork());
                int latency = rnd.Next(0, 40), jitter = rnd.Next(0, 10);
                net.SetLatency(latency, jitter);
                hub.SilenceOpenGraceMs = 2 * (latency + jitter) + 2;
                hub.SilenceJitterMs = jitter + 2;
                if (rnd.NextBool(30)) net.ToDevice.MaxReadBytes = rnd.Next(1, 300);
                core.TransportConnected(now);
            }
        }

        private void MoveBytes() => net = ws == null ? SimDriverIo.MoveBytes(core, net, hub, now, "the peer closed the connection")
            : SimDriverIo.MoveBytes(core, net, hub, now, "the peer closed the connection", ws);

        /// <summary>True when this seed's device reads through a WebSocket stream.</summary>
        public bool OverWebSockets => webSocketRnd != null;

        private void WriteOutput() => SimDriverIo.WriteOutput(core, net, now);

        private long NextTime()
        {
            long next = core.NextDeadline;
            // Output queued by a request (a settlement, a send) goes out now, as the driver writes after each request.
            if (core.Engine != null && net != null && core.Engine.HasOutput) return now + 1;
            // So does what the hub wrote on a service call (a method request, a desired patch).
            if (net != null && hub.HasOutput) return now + 1;
            if (core.WantsTransport || core.WantsTransportClosed) return now;
            if (connectDoneAt < next) next = connectDoneAt;
            if (reopenAt < next) next = reopenAt;
            if (net != null)
            {
                // A cut is seen at once (the transport's read ends), as a reset connection is.
                long n = net.IsClosed ? now : net.NextDueTime();
                if (n < next) next = n;
            }
            long h = hub.NextDueTime();
            if (h < next) next = h;
            for (int i = 0; i < plannedSends.Count; i++)
            {
                long t = ((PlannedSend)plannedSends[i]).At;
                if (t < next) next = t;
            }
            for (int i = 0; i < faults.Count; i++)
            {
                long t = ((PlannedFault)faults[i]).At;
                if (t < next) next = t;
            }
            for (int i = 0; i < featureEvents.Count; i++)
            {
                long t = ((PlannedFault)featureEvents[i]).At;
                if (t < next) next = t;
            }
            return next;
        }

        private void Submit(ClientRequest r)
        {
            requests.Add(r);
            insideCore = true;
            try
            {
                core.Submit(r, now);
            }
            catch (Exception e)
            {
                Fail("the client threw " + e.GetType().Name + " on a request: " + e.Message);
            }
            insideCore = false;
        }

        private ClientRequest NewRequest(RequestKind kind, int timeoutMs)
        {
            var r = new ClientRequest();
            r.Reset(kind, now + timeoutMs);
            return r;
        }

        private void Fail(string what)
        {
            if (failure != null) return;
            failure = "seed " + seed + " at t=" + now + " ms: " + what + "\nconfig: auth " + (int)options.Authentication + ", token " + options.TokenLifetimeSeconds
                + " s, methods/twin " + WithFeatures + (hub.ModuleId != null ? " as module" : "") + ", websockets " + OverWebSockets + ", faults " + faultLog
                + "\nclient: phase " + (int)core.Phase + ", wants transport " + core.WantsTransport
                + ", wants close " + core.WantsTransportClosed + ", engine " + (core.Engine != null) + ", next deadline " + core.NextDeadline
                + ", connect at " + connectDoneAt + ", network " + (net != null) + "\nclient status:\n" + StatusLog() + "hub trace (last lines):\n" + Tail(hub.TraceText(), 3000);
        }

        private static string Tail(string s, int max) => s == null || s.Length <= max ? s : s.Substring(s.Length - max);

        private sealed class PlannedSend
        {
            public long At;
            public int Size;
        }

        private sealed class PlannedFault
        {
            public long At;
            public int Kind;
        }
    }
}
