// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
using System;
using System.Collections;
using IotHubAmqp.Device.Engine;
using IotHubAmqp.Device.IotHub;
using IotHubAmqp.Device.Types;

namespace IotHubAmqp.Device.Tests.Simulation
{
    /// <summary>
    /// One scripted scenario of the whole client (ClientCore + engine) against <see cref="SimHub"/>, under virtual
    /// time, with no randomness: a test sets the hub's knobs, runs to a time, and reads what the client reported.
    /// It plays the driver's part as <see cref="ClientSimulation"/> does, on a network with no latency.
    /// </summary>
    internal sealed class SimClientRig : IFeatureHost
    {
        private static readonly DateTime Epoch = new DateTime(2026, 1, 1, 0, 0, 0);
        private const int MaxStepsPerRun = 200000;

        public readonly SimHub Hub = new SimHub();
        public readonly DeviceClientOptions Options = new DeviceClientOptions();
        public readonly FixedPlatform Platform = new FixedPlatform(Epoch);

        /// <summary>"t=ms Status: reason" per status notice, in order.</summary>
        public readonly ArrayList Statuses = new ArrayList();

        /// <summary>True: feature notices (method handlers, TwinUpdated) wait in <see cref="HeldNotices"/> instead of running.</summary>
        public bool HoldFeatureNotices;
        public readonly ArrayList HeldNotices = new ArrayList();

        private ClientCore core;
        private SimNetwork net;
        private long now;

        public SimClientRig()
        {
            Hub.DeviceId = "rig-device";
            Hub.HostName = "rig-hub.azure-devices.net";
            Options.Retry.MinDelayMs = 100;
            Options.Retry.MaxDelayMs = 1000;
        }

        public ClientCore Core => core;

        public long Now => now;

        /// <summary>The first time the client's Status read Connected while its phase was not Connected (-1: never).</summary>
        public long StatusAheadOfPhaseAt = -1;

        /// <summary>The identity the client uses (null: a SAS key string for the hub's device).</summary>
        public string ConnectionString;

        /// <summary>Submits Open (building the client on first use) and returns the request to watch.</summary>
        public ClientRequest Open(int timeoutMs)
        {
            if (core == null)
            {
                EnsureCore();
            }
            var r = new ClientRequest();
            r.Reset(RequestKind.Open, now + timeoutMs);
            core.Submit(r, now);
            Notices();
            return r;
        }

        private void EnsureCore()
        {
            if (core != null) return;
            string cs = ConnectionString ?? "HostName=" + Hub.HostName + ";DeviceId=" + Hub.DeviceId + (Hub.ModuleId == null ? "" : ";ModuleId=" + Hub.ModuleId)
                + ";SharedAccessKey=cmlnLWtleS0xMjM0NTY3ODkwYWJjZGVm";
            core = new ClientCore(IotHubConnectionString.Parse(cs), Options, Platform, new Random(7));
        }

        /// <summary>The network fails: the client sees the transport end and reconnects after its backoff.</summary>
        public void Cut()
        {
            if (net != null) net.Cut();
        }

        /// <summary>Runs the notices <see cref="HoldFeatureNotices"/> kept back, as a slow dispatcher would at last.</summary>
        public void RunHeldNotices()
        {
            for (int i = 0; i < HeldNotices.Count; i++) ((FeatureNotice)HeldNotices[i]).Run();
            HeldNotices.Clear();
        }

        /// <summary>Submits a feature request as an application call would, and returns it to watch.</summary>
        public ClientRequest Call(ClientFeature feature, int operation, object payload, int timeoutMs)
        {
            var r = new ClientRequest();
            r.Reset(RequestKind.Feature, now + timeoutMs);
            r.Feature = feature;
            r.Operation = operation;
            r.Payload = payload;
            core.Submit(r, now);
            Notices();
            return r;
        }

        void IFeatureHost.AddFeature(ClientFeature feature)
        {
            EnsureCore();
            var r = new ClientRequest();
            r.Reset(RequestKind.AddFeature, now + 1000);
            r.Feature = feature;
            core.Submit(r, now);
        }

        void IFeatureHost.CallFeature(ClientRequest r, int timeoutMs, string what) => core.Submit(r, now);

        long IFeatureHost.NowMs => now;

        DeviceClientOptions IFeatureHost.Options => Options;

        string IFeatureHost.DeviceId => Hub.DeviceId;

        /// <summary>Runs the client and the hub until virtual time <paramref name="until"/>.</summary>
        public void RunUntil(long until)
        {
            for (int step = 0; step < MaxStepsPerRun; step++)
            {
                core.Tick(now);
                Transport();
                Move();
                Notices();
                if (core.Status == ClientStatus.Connected && core.Phase != ClientPhase.Connected && StatusAheadOfPhaseAt < 0) StatusAheadOfPhaseAt = now;
                if (now >= until) return;
                long next = core.NextDeadline;
                if (core.WantsTransport || core.WantsTransportClosed || (core.Engine != null && net != null && core.Engine.HasOutput)) next = now;
                if (net != null && Hub.HasOutput) next = now;
                long h = Hub.NextDueTime();
                if (h < next) next = h;
                if (net != null && (net.IsClosed || net.ToDevice.HasPending || net.ToHub.HasPending)) next = now;
                now = next > now ? (next < until ? next : until) : now + 1;
                Platform.UtcNow = Epoch.AddTicks(now * TimeSpan.TicksPerMillisecond);
            }
            throw new InvalidOperationException("the scenario did not reach t=" + until + " (stuck at t=" + now + ")");
        }

        /// <summary>The status lines joined, for assertion messages.</summary>
        public string StatusText()
        {
            string s = "";
            for (int i = 0; i < Statuses.Count; i++) s += Statuses[i] + "\n";
            return s;
        }

        /// <summary>The time of the first status line starting with <paramref name="status"/> after <paramref name="from"/> (-1: none).</summary>
        public long FirstStatusAt(string status, long from)
        {
            for (int i = 0; i < Statuses.Count; i++)
            {
                string line = (string)Statuses[i];
                int space = line.IndexOf(' ');
                long t = long.Parse(line.Substring(2, space - 2));
                if (t >= from && line.Substring(space + 1).StartsWith(status + ":")) return t;
            }
            return -1;
        }

        private void Notices()
        {
            object n;
            while ((n = core.TakeNotice()) != null)
            {
                if (n is StatusNotice st) Statuses.Add("t=" + now + " " + ClientStatusName.Of(st.Status) + ": " + st.Reason);
                if (n is FeatureNotice f)
                {
                    if (HoldFeatureNotices) HeldNotices.Add(f);
                    else f.Run();
                }
            }
        }

        private void Transport()
        {
            if (core.WantsTransportClosed)
            {
                if (net != null)
                {
                    WriteOutput();
                    net.Cut();
                    net.Pump(Hub, now);
                }
                net = null;
                core.TransportClosed(now);
            }
            if (core.WantsTransport)
            {
                core.TransportConnecting();
                Hub.Accept(now);
                net = new SimNetwork(new SimRandom(11));
                net.SetLatency(0, 0);
                core.TransportConnected(now);
            }
        }

        private void Move() => net = SimDriverIo.MoveBytes(core, net, Hub, now, "the hub closed the connection");

        private void WriteOutput() => SimDriverIo.WriteOutput(core, net, now);
    }
}
