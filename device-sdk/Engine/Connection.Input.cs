// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
using IotHubAmqp.Device.Buffers;
using IotHubAmqp.Device.Framing;
using IotHubAmqp.Device.Sasl;
using IotHubAmqp.Device.Types;

namespace IotHubAmqp.Device.Engine
{
    // Received bytes: protocol headers, SASL (5.3), and frames dispatched by performative (2.7).
    internal sealed partial class Connection
    {
        // Decoded in place, one instance each for the life of the connection (they arrive on the hot path).
        private readonly ByteBuffer view = new ByteBuffer(0);
        internal readonly Attach RxAttach = new Attach();
        internal readonly Flow RxFlow = new Flow();
        internal readonly Transfer RxTransfer = new Transfer();
        internal readonly Disposition RxDisposition = new Disposition();
        internal readonly Detach RxDetach = new Detach();

        /// <summary>Where the next received bytes go: a free region of the read buffer (at least one byte).</summary>
        public void GetReceiveSpace(out byte[] buffer, out int offset, out int count)
        {
            ByteBuffer b = input;
            if (b.Writable == 0)
            {
                if (b.Offset > 0) b.Compact();
                else b = Grow(b.Capacity * 2);
            }
            buffer = b.Buffer;
            offset = b.WritePos;
            count = b.Writable;
        }

        /// <summary>
        /// <paramref name="count"/> bytes arrived in the region from <see cref="GetReceiveSpace"/>: parses every
        /// whole frame. A protocol error ends the connection (close with the error is queued first).
        /// </summary>
        public void Received(int count, long now)
        {
            if (State == ConnectionState.End) return;
            input.WritePos += count;
            BytesRead += count;
            lastReceiveTick = now;
            try
            {
                while (State != ConnectionState.End && ParseOne())
                {
                }
            }
            catch (AmqpException e)
            {
                // A protocol error of the peer's: tell it why (2.8.15) and end.
                if (State != ConnectionState.End)
                {
                    if (!closeSent && AmqpStarted) SendClose(Performatives.ErrorOf(e));
                    End(e);
                }
            }
            if (input.Length == 0) input.Reset();
        }

        /// <summary>Copies bytes in (tests and transports that own their buffers); same as the two-step form.</summary>
        public void Received(byte[] data, int offset, int count, long now)
        {
            while (count > 0 && State != ConnectionState.End)
            {
                GetReceiveSpace(out byte[] buf, out int at, out int room);
                int n = count < room ? count : room;
                System.Array.Copy(data, offset, buf, at, n);
                Received(n, now);
                offset += n;
                count -= n;
            }
        }

        // Returns false when the buffer holds no whole unit (header or frame) yet.
        private bool ParseOne()
        {
            ByteBuffer b = input;
            byte[] a = b.Buffer;
            int at = b.Offset;
            // A protocol header and a frame header are both 8 bytes: nothing whole is shorter.
            if (b.Length < Frame.HeaderSize) return false;
            if (!headerReceived)
            {
                ProtocolHeader.Validate(a, at, saslDone ? ProtocolHeader.Amqp : ProtocolHeader.Sasl);
                b.Offset += ProtocolHeader.Size;
                headerReceived = true;
                if (saslDone && State == ConnectionState.OpenPipe) State = ConnectionState.OpenSent;
                return true;
            }
            uint size = BigEndian.Get32(a, at);
            int doff = a[at + 4] * 4;
            byte type = a[at + 5];
            if (size > Settings.MaxFrameSize)
                throw Performatives.Fault(ErrorCode.FramingError, Performatives.Text("frame of ", size, " bytes exceeds our max-frame-size "), Settings.MaxFrameSize, null);
            int n = (int)size;
            if (doff < Frame.HeaderSize || doff > n)
                throw Performatives.Fault(ErrorCode.FramingError, Performatives.Text("frame data offset ", doff, " is invalid for a frame of "), size, " bytes");
            if (type > Frame.TypeSasl)
                throw Performatives.Fault(ErrorCode.FramingError, "unknown frame type ", type, null);
            if (b.Length < n)
            {
                // Room for the whole frame: the buffer grows at most to our max-frame-size, once.
                if (b.Capacity < n) Grow(n);
                else if (at + n > b.Capacity) b.Compact();
                return false;
            }
            b.Offset += n;
            if (n == doff) return true; // an empty frame: a heartbeat (2.4.5)
            ByteBuffer body = view;
            body.Wrap(a, at + doff, n - doff);
            if (type == Frame.TypeSasl) OnSaslFrame(body);
            else if (!saslDone) throw new AmqpException(ErrorCode.FramingError, "AMQP frame during SASL");
            else Dispatch((ushort)((a[at + 6] << 8) | a[at + 7]), body);
            return true;
        }

        // Grows the read buffer towards size bytes (never past our max-frame-size, never below what it holds).
        private ByteBuffer Grow(int size)
        {
            int max = (int)Settings.MaxFrameSize;
            int cap = size > max ? max : size;
            if (cap <= input.Length) cap = input.Length + 1;
            return input = Moved(input, cap);
        }

        private void WriteSaslStart()
        {
            SaslProfile profile = Settings.Sasl;
            string host = Settings.HostName;
            byte[] response = profile.InitialResponse;
            // Header, frame and list overhead, the response, and the host name at up to 3 UTF-8 bytes a char, twice.
            EnsureRoom(ProtocolHeader.Size + 64 + (response == null ? 0 : response.Length) + (host == null ? 0 : host.Length * 6));
            ByteBuffer o = Output;
            ProtocolHeader.Write(o, ProtocolHeader.Sasl);
            int start = Frame.Begin(o, Frame.TypeSasl, 0);
            new SaslInit { Mechanism = profile.Mechanism, InitialResponse = response, Hostname = host }.Encode(o);
            Frame.End(o, start);
            State = ConnectionState.HeaderSent;
        }

        private void WriteHeaderAndOpen()
        {
            ConnectionSettings c = Settings;
            EnsureRoom(ProtocolHeader.Size);
            ProtocolHeader.Write(Output, ProtocolHeader.Amqp);
            State = ConnectionState.OpenPipe;
            WriteControl(0, new Open { ContainerId = c.ContainerId, Hostname = c.HostName, MaxFrameSize = c.MaxFrameSize, ChannelMax = c.ChannelMax, IdleTimeOut = c.IdleTimeoutMs });
        }

        private bool saslOffered;

        private void OnSaslFrame(ByteBuffer body)
        {
            if (saslDone) throw new AmqpException(ErrorCode.FramingError, "SASL frame after the AMQP header");
            string mechanism = Settings.Sasl.Mechanism;
            ulong code = Decoder.ReadDescriptor(body);
            if (code == Descriptor.SaslMechanisms)
            {
                var m = new SaslMechanisms();
                m.Decode(body);
                saslOffered = m.Offers(mechanism);
                if (saslOffered) return;
                // " (offers A, B)": what the peer offered instead of our mechanism.
                string[] list = m.SaslServerMechanisms;
                string offers = "none";
                for (int i = 0; list != null && i < list.Length; i++) offers = i == 0 ? list[0] : offers + ", " + list[i];
                offers = " (offers " + offers + ")";
                throw new AmqpException(ErrorCode.NotImplemented, "the peer does not offer SASL " + mechanism + offers);
            }
            if (code == Descriptor.SaslOutcome)
            {
                var o = new SaslOutcome();
                o.Decode(body);
                if (!saslOffered) throw new AmqpException(ErrorCode.IllegalState, "SASL outcome before mechanisms");
                if (o.Code != SaslOutcome.Ok) throw SaslFailure(mechanism, o.Code);
                // 5.3.2: a new AMQP header exchange follows the SASL outcome.
                saslDone = true;
                headerReceived = false;
                WriteHeaderAndOpen();
                Raise(this, EngineEvent.Authenticated);
                return;
            }
            // Bounded SASL: a device's mechanisms take no challenge, so a challenge (or anything else) ends it here.
            if (code == Descriptor.SaslChallenge)
                throw new AmqpException(ErrorCode.NotImplemented, "SASL " + mechanism + " takes no challenge, the peer sent one");
            throw new AmqpException(ErrorCode.FramingError, "unexpected SASL frame 0x" + code.ToString("X"));
        }

        // 5.3.3.6: auth is a refusal of the credentials; sys and sys-temp are the server's trouble and worth a
        // retry; sys-perm will not get better.
        private static AmqpException SaslFailure(string mechanism, byte code)
        {
            string why = code == SaslOutcome.Auth ? " (authentication failed)"
                : code == SaslOutcome.SysPerm ? " (permanent system error)"
                : code == SaslOutcome.Sys ? " (system error, may be retried)"
                : code == SaslOutcome.SysTemp ? " (temporary system error, may be retried)"
                : " (unknown code)";
            string condition = code == SaslOutcome.SysPerm ? ErrorCode.NotAllowed
                : code == SaslOutcome.Sys || code == SaslOutcome.SysTemp ? ErrorCode.ConnectionForced
                : ErrorCode.UnauthorizedAccess;
            return Performatives.Fault(condition, "SASL " + mechanism + " failed with outcome code ", code, why);
        }

        // Open, close and begin are handled here (one place each); the rest goes to the session of the channel.
        private void Dispatch(ushort channel, ByteBuffer body)
        {
            ulong code = Decoder.ReadDescriptor(body);
            if (code == Descriptor.Open)
            {
                var open = new Open();
                open.Decode(body);
                if (State == ConnectionState.Opened) throw new AmqpException(ErrorCode.IllegalState, "second open");
                uint max = open.MaxFrameSize;
                if (max < Frame.MinMaxFrameSize)
                    throw Performatives.Fault(ErrorCode.InvalidField, "peer max-frame-size ", max, " is below the minimum of 512");
                PeerMaxFrameSize = max > int.MaxValue ? int.MaxValue : (int)max;
                PeerIdleTimeoutMs = open.IdleTimeOut;
                PeerChannelMax = open.ChannelMax;
                PeerContainerId = open.ContainerId;
                if (State == ConnectionState.CloseSent) return;
                State = ConnectionState.Opened;
                // A session begun before the peer's open may sit on a channel above the peer's channel-max.
                for (int i = PeerChannelMax + 1; i < sessions.Length; i++)
                {
                    if (sessions[i] != null)
                        throw Performatives.Fault(ErrorCode.FramingError, Performatives.Text("channel ", i, " is above the peer's channel-max "), PeerChannelMax, null);
                }
                Raise(this, EngineEvent.Opened);
                return;
            }
            if (code == Descriptor.Close)
            {
                var close = new Close();
                close.Decode(body);
                AmqpException error = Performatives.ExceptionOf(close.Error, null);
                if (!closeSent)
                {
                    // The peer closed first: answer, and report why it closed.
                    SendClose(null);
                    if (error == null) error = new AmqpException(ErrorCode.ConnectionForced, "the peer closed the connection");
                }
                End(error);
                return;
            }
            if (!Running) throw new AmqpException(ErrorCode.IllegalState, Descriptor.NameOf(code) + " received before open");
            if (code == Descriptor.Begin)
            {
                var begin = new Begin();
                begin.Decode(body);
                if (!begin.HasRemoteChannel)
                    throw new AmqpException(ErrorCode.NotImplemented, "peer-initiated sessions are not supported");
                Session s = begin.RemoteChannel < sessions.Length ? sessions[begin.RemoteChannel] : null;
                if (s == null) throw Performatives.Fault(ErrorCode.IllegalState, "begin answers unknown channel ", begin.RemoteChannel, null);
                s.OnBegin(channel, begin);
                return;
            }
            if (code == Descriptor.End)
            {
                var end = new End();
                end.Decode(body);
                FindSession(channel).OnEnd(end);
                return;
            }
            if (code < Descriptor.Attach || code > Descriptor.Detach)
                throw new AmqpException(ErrorCode.DecodeError, "unknown performative 0x" + code.ToString("X"));
            // After our close, the peer may still send what it sent before seeing it (2.4.3): ignore.
            if (!closeSent) FindSession(channel).OnFrame(code, body);
        }

        private Session FindSession(ushort remoteChannel)
        {
            foreach (Session s in sessions)
            {
                if (s != null && s.HasRemoteChannel && s.RemoteChannel == remoteChannel) return s;
            }
            throw Performatives.Fault(ErrorCode.IllegalState, "frame on unmapped channel ", remoteChannel, null);
        }
    }
}
