// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
using IotHubAmqp.Device.Buffers;
using IotHubAmqp.Device.Framing;
using IotHubAmqp.Device.Sasl;
using IotHubAmqp.Device.Types;

namespace IotHubAmqp.Device.Tests.Simulation
{
    /// <summary>SimHub: protocol headers, SASL, open/close, begin/end, heartbeats and the idle timeout.</summary>
    internal sealed partial class SimHub
    {
        private void OnProtocolHeader(byte[] a, int at)
        {
            bool amqp = a[at] == 'A' && a[at + 1] == 'M' && a[at + 2] == 'Q' && a[at + 3] == 'P' && a[at + 5] == 1 && a[at + 6] == 0 && a[at + 7] == 0;
            byte id = a[at + 4];
            if (amqp && id == ProtocolHeader.Sasl && phase == PhaseHeader && SaslMechanisms != null && SaslMechanisms.Length > 0)
            {
                // 5.3.2: the server answers the SASL header and offers its mechanisms.
                Log("sasl header");
                WriteHeader(ProtocolHeader.Sasl);
                var m = new SaslMechanisms();
                m.SaslServerMechanisms = SaslMechanisms;
                SendSasl(m);
                phase = PhaseSasl;
                return;
            }
            if (amqp && id == ProtocolHeader.Amqp && (saslDone || AllowNoSasl))
            {
                // 2.2: answer with our header, and pipeline our open (2.4.1 allows it before the peer's open).
                Log("amqp header" + (saslDone ? " after sasl" : " without sasl"));
                WriteHeader(ProtocolHeader.Amqp);
                var o = new Open();
                o.ContainerId = ContainerId;
                o.Hostname = null;
                o.MaxFrameSize = MaxFrameSize;
                o.ChannelMax = ChannelMax;
                o.IdleTimeOut = IdleTimeoutMs;
                Send(0, o);
                hubOpenSent = true;
                hubOpenSentAt = now;
                phase = PhaseOpen;
                return;
            }
            // 2.2: a header we cannot serve is answered with one we can, then the hub drops the transport.
            Violation("unexpected protocol header id " + id + (amqp ? "" : " (not AMQP 1.0.0)"));
            WriteHeader(AllowNoSasl ? ProtocolHeader.Amqp : ProtocolHeader.Sasl);
            phase = PhaseClosed;
            WantsClose = true;
        }

        private void OnSaslFrame(ByteBuffer body)
        {
            ulong code = Decoder.ReadDescriptor(body);
            if (code != Descriptor.SaslInit) throw new AmqpException(ErrorCode.DecodeError, "expected sasl-init, got 0x" + code.ToString("X"));
            var init = new SaslInit();
            init.Decode(body);
            bool offered = false;
            for (int i = 0; i < SaslMechanisms.Length; i++) if (SaslMechanisms[i] == init.Mechanism) offered = true;
            byte result = SaslOutcome.Auth;
            if (!offered) Violation("sasl-init chose " + init.Mechanism + ", which the hub did not offer");
            else if (SaslFailures > 0)
            {
                SaslFailures--;
                result = SaslFailureCode;
            }
            else if (init.Mechanism == "PLAIN") result = CheckPlain(init.InitialResponse);
            else result = SaslOutcome.Ok; // ANONYMOUS, MSSBCBS: authorization comes later by CBS
            Log("sasl-init " + init.Mechanism + " -> " + (result == SaslOutcome.Ok ? "ok" : "code " + result));
            var outcome = new SaslOutcome();
            outcome.Code = result;
            SendSasl(outcome);
            if (result != SaslOutcome.Ok)
            {
                // 5.3.3.5: a failed outcome ends the exchange; the server drops the transport.
                phase = PhaseClosed;
                WantsClose = true;
                return;
            }
            saslDone = true;
            phase = PhaseAmqpHeader;
        }

        // RFC 4616 PLAIN: [authzid] NUL authcid NUL passwd; the password is the SAS token (iothub-amqp-wire.md 1).
        private byte CheckPlain(byte[] response)
        {
            if (response == null) return SaslOutcome.Auth;
            int first = -1, second = -1;
            for (int i = 0; i < response.Length; i++)
            {
                if (response[i] != 0) continue;
                if (first < 0) first = i;
                else if (second < 0) second = i;
            }
            if (second < 0) return SaslOutcome.Auth;
            string user = Utf8.Decode(response, first + 1, second - first - 1);
            string password = Utf8.Decode(response, second + 1, response.Length - second - 1);
            string expectedUser = DeviceId + (ModuleId == null ? "" : "/modules/" + ModuleId) + "@sas." + HubName();
            if (user != expectedUser)
            {
                Log("plain user " + user + " is not " + expectedUser);
                return SaslOutcome.Auth;
            }
            int status = ValidateToken(password, HostName + "/devices/" + DeviceId);
            if (status != 200 && status != 202) return SaslOutcome.Auth;
            PutTokensAccepted++;
            Authorize(); // 1: with PLAIN the token cannot be renewed in place
            return SaslOutcome.Ok;
        }

        private string HubName()
        {
            int dot = HostName.IndexOf('.');
            return dot < 0 ? HostName : HostName.Substring(0, dot);
        }

        private void OnPerformative(ushort channel, ulong code, ByteBuffer body)
        {
            if (code == Descriptor.Open)
            {
                var o = new Open();
                o.Decode(body);
                if (deviceOpened) throw new AmqpException(ErrorCode.IllegalState, "second open");
                deviceOpened = true;
                deviceMaxFrameSize = o.MaxFrameSize;
                deviceIdleTimeoutMs = o.IdleTimeOut;
                phase = PhaseOpened;
                Log("open from " + o.ContainerId + " max-frame " + o.MaxFrameSize + " idle " + o.IdleTimeOut);
                return;
            }
            if (!deviceOpened) throw new AmqpException(ErrorCode.IllegalState, "performative 0x" + code.ToString("X") + " before open");
            if (code == Descriptor.Close)
            {
                var c = new Close();
                c.Decode(body);
                deviceCloseSeen = true;
                Log("close from device" + (c.Error == null ? "" : " " + c.Error.Condition));
                if (!hubCloseSent) SendClose(null);
                phase = PhaseClosed;
                WantsClose = true; // 2.4.3: both closes exchanged, the transport can go
                return;
            }
            if (hubCloseSent) return; // 2.7.9: after our close, frames are read but ignored
            if (code == Descriptor.Begin)
            {
                var b = new Begin();
                b.Decode(body);
                OnBegin(channel, b);
                return;
            }
            SimSession s = SessionOf(channel);
            if (s == null) throw new AmqpException(ErrorCode.IllegalState, "performative 0x" + code.ToString("X") + " on unmapped channel " + channel);
            switch (code)
            {
                case Descriptor.End:
                    var e = new End();
                    e.Decode(body);
                    OnEnd(s, e);
                    break;
                case Descriptor.Attach:
                    var a = new Attach();
                    a.Decode(body);
                    OnAttach(s, a);
                    break;
                case Descriptor.Flow:
                    var f = new Flow();
                    f.Decode(body);
                    OnFlow(s, f);
                    break;
                case Descriptor.Transfer:
                    var t = new Transfer();
                    t.Decode(body);
                    OnTransfer(s, t, body);
                    break;
                case Descriptor.Disposition:
                    var d = new Disposition();
                    d.Decode(body);
                    OnDisposition(s, d);
                    break;
                case Descriptor.Detach:
                    var dt = new Detach();
                    dt.Decode(body);
                    OnDetach(s, dt);
                    break;
                default:
                    throw new AmqpException(ErrorCode.DecodeError, "unknown performative 0x" + code.ToString("X"));
            }
        }

        private SimSession SessionOf(ushort deviceChannel)
        {
            for (int i = 0; i < sessions.Count; i++)
            {
                var s = (SimSession)sessions[i];
                if (s.DeviceChannel == deviceChannel) return s;
            }
            return null;
        }

        private void OnBegin(ushort channel, Begin b)
        {
            if (SessionOf(channel) != null) throw new AmqpException(ErrorCode.IllegalState, "begin on channel " + channel + " already in use");
            if (channel > ChannelMax) Violation("begin on channel " + channel + " above the hub's channel-max " + ChannelMax);
            var s = new SimSession();
            s.DeviceChannel = channel;
            s.HubChannel = (ushort)sessions.Count;
            s.NextIncomingId = b.NextOutgoingId;
            s.WindowEnd = b.NextOutgoingId + IncomingWindow;
            s.NextOutgoingId = 0;
            s.DeviceIncomingWindowEnd = b.IncomingWindow; // 2.5.6: relative to our next-outgoing-id 0
            sessions.Add(s);
            var r = new Begin();
            r.HasRemoteChannel = true;
            r.RemoteChannel = channel;
            r.NextOutgoingId = s.NextOutgoingId;
            r.IncomingWindow = IncomingWindow;
            r.OutgoingWindow = 1000;
            r.HandleMax = 31;
            Send(s.HubChannel, r);
            Log("begin ch " + channel + " -> hub ch " + s.HubChannel);
        }

        private void OnEnd(SimSession s, End e)
        {
            Log("end from device" + (e.Error == null ? "" : " " + e.Error.Condition));
            ReleaseSessionDeliveries(s);
            if (!s.Ended)
            {
                var r = new End();
                Send(s.HubChannel, r);
            }
            sessions.Remove(s);
        }

        /// <summary>Sends close with <paramref name="error"/> (null = a clean close); the transport goes after the device answers.</summary>
        private void SendClose(Error error)
        {
            if (hubCloseSent) return;
            var c = new Close();
            c.Error = error;
            Send(0, c);
            hubCloseSent = true;
            hubCloseSentAt = now;
            Log("close to device" + (error == null ? "" : " " + error.Condition));
        }

        /// <summary>The device broke a rule the hub cannot carry on past: close with an error (2.8.15, 2.8.16).</summary>
        private void Fail(string condition, string description)
        {
            inStart = inEnd = 0;
            if (!hubOpenSent)
            {
                phase = PhaseClosed;
                WantsClose = true;
                return;
            }
            SendClose(new Error(condition, description));
            phase = PhaseClosed;
        }

        private void SendEnd(SimSession s, Error error)
        {
            if (s.Ended) return;
            var e = new End();
            e.Error = error;
            Send(s.HubChannel, e);
            s.Ended = true;
            Log("end to device" + (error == null ? "" : " " + error.Condition));
        }

        private void DropConnection(string why)
        {
            Log("connection dropped: " + why);
            ForgetFeatureConnection(why);
            for (int i = 0; i < sessions.Count; i++) ReleaseSessionDeliveries((SimSession)sessions[i]);
            sessions.Clear();
            phase = PhaseIdle;
            connectionAuthorized = false;
            WantsClose = false;
            for (int i = timers.Count - 1; i >= 0; i--)
            {
                if (((SimTimer)timers[i]).Generation == generation) timers.RemoveAt(i);
            }
        }

        // The device must show life within half the hub's idle timeout (2.4.5 "SHOULD" made a rule for the SDK).
        private void CheckSilence()
        {
            if (!hubOpenSent || hubCloseSent || phase == PhaseClosed || IdleTimeoutMs == 0 || silenceFlagged) return;
            if (now < SilenceCheckFrom) return;
            // The device learns the idle timeout from our open, one trip later; frames reach us with jitter.
            long since = lastDeviceBytesAt;
            if (hubOpenSentAt + SilenceOpenGraceMs > since) since = hubOpenSentAt + SilenceOpenGraceMs;
            if (SilenceCheckFrom > since) since = SilenceCheckFrom;
            long silent = now - since;
            if (silent > IdleTimeoutMs / 2 + SilenceJitterMs)
            {
                silenceFlagged = true;
                Violation("the device was silent " + silent + " ms, more than half the hub's idle-time-out " + IdleTimeoutMs);
            }
        }

        private void CheckIdle()
        {
            if (phase == PhaseClosed || hubCloseSent) return;
            if (hubOpenSent && IdleTimeoutMs > 0 && now - lastDeviceBytesAt > IdleTimeoutMs)
            {
                // 2.4.5: a peer silent past our idle-time-out is dead; close with resource-limit-exceeded.
                Log("idle timeout");
                IdleTimeouts++;
                SendClose(new Error(ErrorCode.ResourceLimitExceeded, "local-idle-timeout expired"));
                phase = PhaseClosed;
                return;
            }
            if (SendHeartbeats && deviceOpened && deviceIdleTimeoutMs > 0 && now - lastHubBytesAt >= deviceIdleTimeoutMs / 2)
            {
                SendEmptyFrame();
            }
        }
    }
}
