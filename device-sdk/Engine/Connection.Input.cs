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
        // Decoded in place, one instance each for the life of the connection.
        private readonly Open open = new Open();
        private readonly Begin begin = new Begin();
        private readonly End end = new End();
        private readonly Close close = new Close();
        internal readonly Attach RxAttach = new Attach();
        internal readonly Flow RxFlow = new Flow();
        internal readonly Transfer RxTransfer = new Transfer();
        internal readonly Disposition RxDisposition = new Disposition();
        internal readonly Detach RxDetach = new Detach();

        /// <summary>Where the next received bytes go: a free region of the read buffer (at least one byte).</summary>
        public void GetReceiveSpace(out byte[] buffer, out int offset, out int count)
        {
            if (input.Writable == 0)
            {
                if (input.Offset > 0) input.Compact();
                else Grow(input.Capacity * 2);
            }
            buffer = input.Buffer;
            offset = input.WritePos;
            count = input.Writable;
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
                Fail(e);
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
            if (!headerReceived)
            {
                if (input.Length < ProtocolHeader.Size) return false;
                byte expected = settings.Sasl != null && !saslDone ? ProtocolHeader.Sasl : ProtocolHeader.Amqp;
                ProtocolHeader.Validate(input.Buffer, input.Offset, expected);
                input.Offset += ProtocolHeader.Size;
                headerReceived = true;
                if (expected == ProtocolHeader.Amqp && State == ConnectionState.OpenPipe) State = ConnectionState.OpenSent;
                return true;
            }
            if (input.Length < Frame.HeaderSize) return false;
            byte[] a = input.Buffer;
            int at = input.Offset;
            uint size = BigEndian.Get32(a, at);
            int doff = a[at + 4] * 4;
            byte type = a[at + 5];
            ushort channel = (ushort)((a[at + 6] << 8) | a[at + 7]);
            if (size > settings.MaxFrameSize)
                throw new AmqpException(ErrorCode.FramingError, "frame of " + size + " bytes exceeds our max-frame-size " + settings.MaxFrameSize);
            if (doff < Frame.HeaderSize || doff > size)
                throw new AmqpException(ErrorCode.FramingError, "frame data offset " + doff + " is invalid for a " + size + "-byte frame");
            if (type != Frame.TypeAmqp && type != Frame.TypeSasl)
                throw new AmqpException(ErrorCode.FramingError, "unknown frame type " + type);
            if (input.Length < (int)size)
            {
                // Room for the whole frame: the buffer grows at most to our max-frame-size, once.
                if (input.Capacity < (int)size) Grow((int)size);
                else if (input.Offset + (int)size > input.Capacity) input.Compact();
                return false;
            }
            input.Offset += (int)size;
            view.Wrap(a, at + doff, (int)size - doff);
            if (view.Length == 0) return true;
            if (type == Frame.TypeSasl) OnSaslFrame(view);
            else if (!saslDone) throw new AmqpException(ErrorCode.FramingError, "AMQP frame during SASL");
            else Dispatch(channel, view);
            return true;
        }

        private void Grow(int size)
        {
            int cap = size > (int)settings.MaxFrameSize ? (int)settings.MaxFrameSize : size;
            if (cap < input.Length + 1) cap = input.Length + 1;
            var grown = new ByteBuffer(cap);
            int n = input.Length;
            System.Array.Copy(input.Buffer, input.Offset, grown.Buffer, 0, n);
            grown.WritePos = n;
            input = grown;
        }

        private void WriteSaslStart()
        {
            SaslProfile profile = settings.Sasl;
            EnsureRoom(ProtocolHeader.Size + 64 + (profile.InitialResponse == null ? 0 : profile.InitialResponse.Length) + 2 * (settings.HostName == null ? 0 : settings.HostName.Length * 3));
            ProtocolHeader.Write(output, ProtocolHeader.Sasl);
            int start = Frame.Begin(output, Frame.TypeSasl, 0);
            var init = new SaslInit();
            init.Mechanism = profile.Mechanism;
            init.InitialResponse = profile.InitialResponse;
            init.Hostname = settings.HostName;
            init.Encode(output);
            Frame.End(output, start);
        }

        private void WriteHeaderAndOpen()
        {
            var o = new Open();
            o.ContainerId = settings.ContainerId;
            o.Hostname = settings.HostName;
            o.MaxFrameSize = settings.MaxFrameSize;
            o.ChannelMax = settings.ChannelMax;
            o.IdleTimeOut = settings.IdleTimeoutMs;
            EnsureRoom(ProtocolHeader.Size);
            ProtocolHeader.Write(output, ProtocolHeader.Amqp);
            State = ConnectionState.OpenPipe;
            WriteControl(0, o);
        }

        private bool saslOffered;

        private void OnSaslFrame(ByteBuffer body)
        {
            if (saslDone) throw new AmqpException(ErrorCode.FramingError, "SASL frame after the AMQP header");
            SaslProfile profile = settings.Sasl;
            ulong code = Decoder.ReadDescriptor(body);
            if (code == Descriptor.SaslMechanisms)
            {
                var m = new SaslMechanisms();
                m.Decode(body);
                saslOffered = m.Offers(profile.Mechanism);
                if (!saslOffered)
                    throw new AmqpException(ErrorCode.NotImplemented, "the peer does not offer SASL " + profile.Mechanism + " (offers " + Join(m.SaslServerMechanisms) + ")");
            }
            else if (code == Descriptor.SaslOutcome)
            {
                var o = new SaslOutcome();
                o.Decode(body);
                if (!saslOffered) throw new AmqpException(ErrorCode.IllegalState, "SASL outcome before mechanisms");
                if (o.Code != SaslOutcome.Ok) throw SaslFailure(profile.Mechanism, o.Code);
                // 5.3.2: a new AMQP header exchange follows the SASL outcome.
                saslDone = true;
                headerReceived = false;
                WriteHeaderAndOpen();
                Raise(this, EngineEvent.Authenticated);
            }
            else if (code == Descriptor.SaslChallenge)
            {
                throw new AmqpException(ErrorCode.NotImplemented, "SASL " + profile.Mechanism + " takes no challenge, the peer sent one");
            }
            else
            {
                throw new AmqpException(ErrorCode.FramingError, "unexpected SASL frame 0x" + code.ToString("X"));
            }
        }

        // 5.3.3.6: auth is a refusal of the credentials; sys and sys-temp are the server's trouble and worth a
        // retry; sys-perm will not get better.
        internal static AmqpException SaslFailure(string mechanism, byte code)
        {
            string text = "SASL " + mechanism + " failed with outcome code " + code + " (";
            switch (code)
            {
                case SaslOutcome.Auth: return new AmqpException(ErrorCode.UnauthorizedAccess, text + "authentication failed)");
                case SaslOutcome.SysPerm: return new AmqpException(ErrorCode.NotAllowed, text + "permanent system error)");
                case SaslOutcome.Sys: return new AmqpException(ErrorCode.ConnectionForced, text + "system error, may be retried)");
                case SaslOutcome.SysTemp: return new AmqpException(ErrorCode.ConnectionForced, text + "temporary system error, may be retried)");
                default: return new AmqpException(ErrorCode.UnauthorizedAccess, text + "unknown code)");
            }
        }

        private void Dispatch(ushort channel, ByteBuffer body)
        {
            ulong code = Decoder.ReadDescriptor(body);
            if (State != ConnectionState.Opened && State != ConnectionState.CloseSent && code != Descriptor.Open && code != Descriptor.Close)
                throw new AmqpException(ErrorCode.IllegalState, Descriptor.NameOf(code) + " received before open");
            switch (code)
            {
                case Descriptor.Open:
                    open.Decode(body);
                    OnOpen();
                    return;
                case Descriptor.Close:
                    close.Decode(body);
                    OnClose();
                    return;
                case Descriptor.Begin:
                    begin.Decode(body);
                    OnBegin(channel);
                    return;
                case Descriptor.End:
                    end.Decode(body);
                    FindSession(channel).OnEnd(end);
                    return;
                case Descriptor.Attach:
                case Descriptor.Flow:
                case Descriptor.Transfer:
                case Descriptor.Disposition:
                case Descriptor.Detach:
                    // After our close, the peer may still send what it sent before seeing it (2.4.3): ignore.
                    if (closeSent) return;
                    FindSession(channel).OnFrame(code, body);
                    return;
                default:
                    throw new AmqpException(ErrorCode.DecodeError, "unknown performative 0x" + code.ToString("X"));
            }
        }

        private void OnOpen()
        {
            if (State == ConnectionState.Opened) throw new AmqpException(ErrorCode.IllegalState, "second open");
            if (open.MaxFrameSize < Frame.MinMaxFrameSize)
                throw new AmqpException(ErrorCode.InvalidField, "peer max-frame-size " + open.MaxFrameSize + " is below the minimum of 512");
            PeerMaxFrameSize = open.MaxFrameSize;
            PeerIdleTimeoutMs = open.IdleTimeOut;
            PeerChannelMax = open.ChannelMax;
            PeerContainerId = open.ContainerId;
            PeerProperties = open.Properties;
            if (State == ConnectionState.CloseSent) return;
            State = ConnectionState.Opened;
            for (int i = 0; i < sessions.Length; i++)
            {
                // A session begun before the peer's open may sit on a channel above the peer's channel-max.
                if (sessions[i] != null && i > PeerChannelMax)
                    throw new AmqpException(ErrorCode.FramingError, "channel " + i + " is above the peer's channel-max " + PeerChannelMax);
            }
            Raise(this, EngineEvent.Opened);
        }

        private void OnClose()
        {
            AmqpException error = close.Error == null ? null : close.Error.ToException();
            if (!closeSent)
            {
                // The peer closed first: answer, and report why it closed.
                TryWriteControl(0, new Close());
                closeSent = true;
                if (error == null) error = new AmqpException(ErrorCode.ConnectionForced, "the peer closed the connection");
            }
            End(error);
        }

        private void OnBegin(ushort channel)
        {
            if (!begin.HasRemoteChannel)
                throw new AmqpException(ErrorCode.NotImplemented, "peer-initiated sessions are not supported");
            Session s = begin.RemoteChannel < sessions.Length ? sessions[begin.RemoteChannel] : null;
            if (s == null) throw new AmqpException(ErrorCode.IllegalState, "begin answers unknown channel " + begin.RemoteChannel);
            s.OnBegin(channel, begin);
        }

        private Session FindSession(ushort remoteChannel)
        {
            for (int i = 0; i < sessions.Length; i++)
            {
                Session s = sessions[i];
                if (s != null && s.HasRemoteChannel && s.RemoteChannel == remoteChannel) return s;
            }
            throw new AmqpException(ErrorCode.IllegalState, "frame on unmapped channel " + remoteChannel);
        }

        private static string Join(string[] list)
        {
            if (list == null || list.Length == 0) return "none";
            string s = list[0];
            for (int i = 1; i < list.Length; i++) s += ", " + list[i];
            return s;
        }
    }
}
