// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
using System;
using System.Collections;
using IotHubAmqp.Device.Buffers;
using IotHubAmqp.Device.Framing;
using IotHubAmqp.Device.Messaging;
using IotHubAmqp.Device.Provisioning;
using IotHubAmqp.Device.Sasl;
using IotHubAmqp.Device.Tests.Simulation;
using IotHubAmqp.Device.Types;

namespace IotHubAmqp.Device.Tests.Provisioning
{
    /// <summary>
    /// The registration state machine against a seeded DPS under virtual time: answers late by 0-300 ms, 0-4
    /// <c>assigning</c> polls, <c>retry-after</c> from none to 5 s, throttled registers (a retry that fits the
    /// deadline and one that does not), and per seed at most one fault: a cut, a DPS that goes silent, a disabled or
    /// failed enrollment, an answer without <c>registrationState</c>. Checked: the registration ends by its deadline
    /// with the result or the error the schedule calls for, no request leaves before the <c>retry-after</c> it was
    /// told, one request at a time, correlation ids never reused.
    /// </summary>
    internal sealed class ProvisioningSimulation
    {
        private const string Scope = "0ne00SIM001", RegistrationId = "sim-reg", Hub = "sim-hub.azure-devices.net";
        private const uint DpsSends = 3, DpsReceives = 4;
        private const long DefaultPollSeconds = ProvisioningOptions.DefaultPollIntervalMs / 1000;
        private const int FaultNone = 0, FaultCut = 1, FaultSilent = 2, FaultDisabled = 3, FaultFailed = 4, FaultMissing = 5;

        private readonly ulong seed;
        private readonly SimRandom rnd;
        private readonly ScriptedAmqpPeer peer = new ScriptedAmqpPeer();
        private readonly ProvisioningCore core;
        private readonly ArrayList answers = new ArrayList(); // object[] { long at, byte[] payload or Rejected, uint delivery-id }
        private readonly ArrayList correlations = new ArrayList();
        private readonly int polls, fault;
        private readonly long cutAt;
        private int throttles;

        public bool Succeeded => core.Error == null && core.Finished;
        public int Requests => correlations.Count;
        public int Fault => fault;
        private int phase, pollsAnswered;
        private long now, notBefore;
        private uint nextAnswerId;
        private bool outstanding;
        private string failure;
        private long throttleRetryAt = long.MinValue; // when the last throttled register's retry-after ends

        public ProvisioningSimulation(ulong seed)
        {
            this.seed = seed;
            rnd = new SimRandom(seed);
            int timeoutMs = rnd.Next(3000, 60000);
            polls = rnd.Next(0, 5);
            throttles = rnd.NextBool(25) ? rnd.Next(1, 3) : 0;
            fault = rnd.NextBool(35) ? rnd.Next(1, 6) : FaultNone;
            cutAt = rnd.Next(0, 4000);
            var o = new ProvisioningOptions();
            o.TimeoutMs = timeoutMs;
            core = new ProvisioningCore(Scope, RegistrationId, null, SaslProfile.Plain(Scope + "/registrations/" + RegistrationId, "SharedAccessSignature sr=x&sig=y&se=1"), o, "sim/1");
        }

        /// <summary>Null when every check held, else what broke with the seed.</summary>
        public string Run()
        {
            core.Start(now);
            core.TransportConnecting();
            core.TransportConnected(now);
            for (int step = 0; step < 100000 && failure == null && !core.Finished; step++)
            {
                if (fault == FaultCut && now >= cutAt)
                {
                    core.TransportEnded(new AmqpException(ErrorCode.ConnectionLost, "simulated cut"), now);
                    break;
                }
                core.Tick(now);
                Pump();
                if (core.Finished) break;
                long next = core.NextDeadline;
                for (int i = 0; i < answers.Count; i++)
                {
                    long at = (long)((object[])answers[i])[0];
                    if (at < next) next = at;
                }
                if (fault == FaultCut && cutAt < next) next = cutAt;
                now = next > now ? next : now + 1;
            }
            if (failure == null) Judge();
            return failure == null ? null : "seed " + seed + " at t=" + now + ": " + failure;
        }

        private void Judge()
        {
            if (!core.Finished)
            {
                Fail("the registration never finished");
                return;
            }
            if (now > core.Deadline) Fail("finished " + (now - core.Deadline) + " ms past its deadline");
            ProvisioningException e = core.Error;
            if (e == null)
            {
                if (fault != FaultNone && fault != FaultCut) Fail("succeeded although the DPS answered with fault " + fault);
                else if (core.Result.AssignedHub != Hub || core.Result.DeviceId != RegistrationId) Fail("assigned to " + core.Result.AssignedHub + "/" + core.Result.DeviceId);
                else if (core.Result.RoundTrips != correlations.Count) Fail(core.Result.RoundTrips + " round trips reported for " + correlations.Count + " requests");
                return;
            }
            bool expected;
            switch (e.Reason)
            {
                // Only when the schedule's waits reach the deadline: an answer still on its way, or a retry-after past it.
                case ProvisioningError.Timeout: expected = fault == FaultSilent || answers.Count > 0 || notBefore >= core.Deadline; break;
                case ProvisioningError.Throttled: expected = throttleRetryAt >= core.Deadline - 1; break;
                case ProvisioningError.ConnectionFailed: expected = fault == FaultCut && now >= cutAt; break;
                case ProvisioningError.EnrollmentDisabled: expected = fault == FaultDisabled; break;
                case ProvisioningError.Failed: expected = fault == FaultFailed; break;
                case ProvisioningError.BadResponse: expected = fault == FaultMissing; break;
                default: expected = false; break;
            }
            if (!expected) Fail("failed with " + e.Reason + " (" + e.Message + ") under fault " + fault + ", " + correlations.Count + " requests");
        }

        private void Pump()
        {
            for (int round = 0; round < 1000; round++)
            {
                bool moved = false;
                while (core.Engine != null && core.Engine.HasOutput)
                {
                    core.Engine.GetOutput(out byte[] b, out int off, out int n);
                    peer.Accept(b, off, n);
                    core.Engine.OutputWritten(now);
                    moved = true;
                }
                Serve();
                for (int i = answers.Count - 1; i >= 0; i--)
                {
                    var a = (object[])answers[i];
                    if ((long)a[0] > now) continue;
                    answers.RemoveAt(i);
                    Deliver(a);
                }
                while (peer.HasOutbound)
                {
                    byte[] chunk = peer.TakeOutbound();
                    if (core.Engine != null && !core.Engine.IsEnded) core.Engine.Received(chunk, 0, chunk.Length, now);
                    core.ProcessEvents(now);
                    moved = true;
                }
                if (!moved || core.Finished) return;
            }
            Fail("the core and the DPS did not go quiet");
        }

        private void Serve()
        {
            if (phase == 0)
            {
                if (peer.Unread < 8) return;
                peer.ExpectHeader(ProtocolHeader.Sasl);
                phase = 1;
            }
            if (phase == 1)
            {
                if (!peer.HasFrame) return;
                peer.ReadFrame(); // sasl-init PLAIN
                peer.SendHeader(ProtocolHeader.Sasl);
                peer.SendSasl(new SaslMechanisms { SaslServerMechanisms = new[] { "PLAIN" } });
                peer.SendSasl(new SaslOutcome { Code = SaslOutcome.Ok });
                peer.SendHeaderAndOpen(rnd.NextBool(50) ? 512u : 65536u, 0);
                phase = 2;
            }
            if (phase == 2)
            {
                if (peer.Unread < 8) return;
                peer.ExpectHeader(ProtocolHeader.Amqp);
                phase = 3;
            }
            PeerFrame f;
            while ((f = peer.TryReadPerformative()) != null)
            {
                switch (f.Performative)
                {
                    case Begin _: peer.SendBeginAnswer(f.Channel, 0); break;
                    case Attach a:
                        peer.AnswerAttach(a, a.Role == Role.Receiver ? DpsSends : DpsReceives);
                        if (a.Role == Role.Sender) peer.SendLinkFlow(DpsReceives, 0, 10);
                        break;
                    case Transfer t: OnRequest(t, f.Payload); break;
                }
            }
        }

        private void OnRequest(Transfer t, byte[] payload)
        {
            Message m = MessageCodec.Decode(new ByteBuffer(payload, 0, payload.Length));
            string op = m.ApplicationProperties == null ? null : m.ApplicationProperties["iotdps-operation-type"] as string;
            string cid = m.Properties == null || m.Properties.CorrelationId == null ? null : m.Properties.CorrelationId.ToString();
            if (now < notBefore) Fail(op + " sent at " + now + " before the retry-after allowed (" + notBefore + ")");
            if (outstanding) Fail(op + " sent while another request was unanswered");
            if (cid == null || correlations.Contains(cid)) Fail("correlation id '" + cid + "' missing or reused");
            correlations.Add(cid);
            outstanding = true;
            long at = now + rnd.Next(0, 300);
            if (fault == FaultSilent) return;
            if (op == "iotdps-register" && throttles > 0)
            {
                throttles--;
                int retry = rnd.NextBool(30) ? 100 : rnd.Next(0, 4);
                var rejected = new Rejected();
                rejected.Error = new Error("com.microsoft:device-container-throttled", "{\"errorCode\":429001,\"message\":\"throttled\"}");
                rejected.Error.Info = new AmqpMap();
                rejected.Error.Info[new Symbol("retry-after")] = retry.ToString();
                answers.Add(new object[] { at, rejected, t.DeliveryId, retry == 0 ? DefaultPollSeconds : (long)retry });
                return;
            }
            peer.SendDisposition(t.DeliveryId, t.DeliveryId, Accepted.Instance);
            string json;
            string retryAfter = PickRetryAfter();
            bool register = op == "iotdps-register";
            if (!register && fault == FaultDisabled) json = "{\"operationId\":\"op-1\",\"status\":\"disabled\"}";
            else if (!register && fault == FaultFailed) json = "{\"operationId\":\"op-1\",\"status\":\"failed\",\"registrationState\":{\"errorCode\":400209,\"errorMessage\":\"no hub\"}}";
            else if (register || pollsAnswered < polls)
            {
                if (!register) pollsAnswered++;
                json = "{\"operationId\":\"op-1\",\"status\":\"assigning\"}";
            }
            else if (fault == FaultMissing) json = "{\"operationId\":\"op-1\",\"status\":\"assigned\"}";
            else json = "{\"operationId\":\"op-1\",\"status\":\"assigned\",\"registrationState\":{\"assignedHub\":\"" + Hub + "\",\"deviceId\":\"" + RegistrationId + "\"}}";
            // Without retry-after the device polls at its default interval (2 s, as the reference SDKs do).
            answers.Add(new object[] { at, Answer(json, cid, retryAfter), 0u, retryAfter == null ? DefaultPollSeconds : long.Parse(retryAfter) });
        }

        private string PickRetryAfter()
        {
            switch (rnd.Next(0, 5))
            {
                case 0: return null;
                case 1: return "0";
                case 2: return "1";
                case 3: return "2";
                default: return "5";
            }
        }

        private void Deliver(object[] a)
        {
            outstanding = false;
            // The next request may leave once the wait DPS asked for has passed (none: at once).
            notBefore = now + (long)a[3] * 1000L;
            if (a[1] is Rejected r)
            {
                throttleRetryAt = notBefore;
                peer.SendDisposition((uint)a[2], (uint)a[2], r);
            }
            else peer.SendTransfer(DpsSends, nextAnswerId++, (byte[])a[1], settled: true);
        }

        private static byte[] Answer(string json, string correlationId, string retryAfter)
        {
            byte[] body = new byte[Utf8.GetByteCount(json)];
            Utf8.Encode(json, body, 0);
            var m = new Message(body);
            m.Properties = new MessageProperties();
            m.Properties.CorrelationId = correlationId;
            if (retryAfter != null)
            {
                m.ApplicationProperties = new AmqpMap();
                m.ApplicationProperties["retry-after"] = retryAfter;
            }
            var b = new ByteBuffer(2048);
            MessageCodec.Encode(m, b);
            byte[] payload = new byte[b.Length];
            Array.Copy(b.Buffer, b.Offset, payload, 0, b.Length);
            return payload;
        }

        private void Fail(string what)
        {
            if (failure == null) failure = what;
        }
    }
}
