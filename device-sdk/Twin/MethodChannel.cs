// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
using System;
using System.Collections;
using System.Threading;
using IotHubAmqp.Device.Engine;
using IotHubAmqp.Device.Framing;
using IotHubAmqp.Device.IotHub;
using IotHubAmqp.Device.Messaging;

namespace IotHubAmqp.Device.Twin
{
    /// <summary>
    /// Direct methods on the connection's state machine (iothub-amqp-wire-2.md 1): a receiver for requests and a
    /// sender for responses on <c>/devices/{id}[/modules/{mid}]/methods/devicebound</c>. A request is taken off the
    /// link only while fewer than <see cref="MaxInFlight"/> handlers run, so memory stays bounded whatever the hub
    /// sends; handlers run on the dispatcher (<see cref="MethodNotice"/>), the response comes back as a request.
    /// Driver thread only.
    /// </summary>
    internal sealed class MethodChannel : ClientFeature
    {
        /// <summary>Method handlers running (or queued for the dispatcher) at once; also the receiver's credit.</summary>
        public const int MaxInFlight = 4;

        /// <summary>Largest request taken (the hub allows 128 KB; a device keeps to its JSON limit).</summary>
        public const int MaxRequestBytes = Json.MaxDocumentChars + 1024;

        private readonly DeviceTwinClient owner;
        private readonly ArrayList responses = new ArrayList();
        private readonly ArrayList own = new ArrayList();
        private Session session;
        private SenderLink sender;
        private ReceiverLink receiver;
        private int inFlight;
        private int generation;

        public MethodChannel(DeviceTwinClient owner)
        {
            this.owner = owner;
        }

        /// <summary>Handlers running or waiting for the dispatcher.</summary>
        public int InFlight => inFlight;

        internal override void Attach(Session session, long now)
        {
            generation++;
            this.session = session;
            IotHubConnectionString id = Core.Identity;
            string address = TwinWire.Methods(id.DeviceId, id.ModuleId);
            var props = TwinWire.ChannelProperties("methods", TwinWire.Who(id.DeviceId, id.ModuleId));
            receiver = session.AttachReceiver(Core.NextLinkName("methods-requests"), address, MaxInFlight, ReceiverSettleMode.First, MaxRequestBytes, props);
            sender = session.AttachSender(Core.NextLinkName("methods-responses"), address, SenderSettleMode.Unsettled, props);
            own.Add(receiver);
            own.Add(sender);
        }

        internal override void LinksLost()
        {
            sender = null;
            receiver = null;
            session = null;
            own.Clear();
            // Answers to requests of the old connection have nowhere to go: the hub failed those calls already.
            for (int i = 0; i < responses.Count; i++) ((ClientRequest)responses[i]).Complete();
            responses.Clear();
        }

        internal override bool OnLinkEvent(Link link, int kinds, long now)
        {
            if (link == null || !own.Contains(link)) return false;
            if ((kinds & EngineEvent.Ended) != 0) own.Remove(link);
            if (link is SenderLink s && (kinds & EngineEvent.Outcomes) != 0) DrainOutcomes(s);
            if (link != sender && link != receiver) return true; // a link this channel replaced
            if ((kinds & EngineEvent.Messages) != 0) Pull();
            if ((kinds & EngineEvent.Attached) != 0) Flush();
            if ((kinds & EngineEvent.Ended) == 0 || link.ClosedByUs) return true;
            if (link.Error != null && link.Error.Condition == ErrorCode.MessageSizeExceeded)
            {
                // We refused a request over MaxRequestBytes: the hub fails that call; a new pair serves the next ones.
                if (!sender.IsEnded) sender.Close();
                if (!receiver.IsEnded) receiver.Close();
                Attach(session, now);
                return true;
            }
            Core.FeatureFault(link.Error ?? new AmqpException(ErrorCode.DetachForced, "the hub detached the methods link '" + link.Name + "'"), now);
            return true;
        }

        // A response from the dispatcher (Operation = the generation of the connection its request came on).
        internal override void Submit(ClientRequest r, long now)
        {
            if (inFlight > 0) inFlight--;
            if (r.Operation != generation || sender == null) r.Complete();
            else
            {
                responses.Add(r);
                Flush();
            }
            Pull();
        }

        internal override void Closed() => LinksLost();

        private void Pull()
        {
            while (receiver != null && inFlight < MaxInFlight)
            {
                IncomingDelivery d = receiver.Take();
                if (d == null) return;
                if (!d.Settled) receiver.Accept(d);
                Message m = d.Message;
                object correlation = TwinWire.Correlation(m);
                // Without a request id no answer can reach the caller: nothing to run.
                if (correlation == null) continue;
                inFlight++;
                Core.Post(new MethodNotice(owner, this, generation, correlation, TwinWire.MethodName(m), TwinWire.BodyText(m)));
            }
        }

        private void Flush()
        {
            while (responses.Count > 0 && sender != null && sender.IsAttached)
            {
                var r = (ClientRequest)responses[0];
                if (sender.Send(r.Message, null) == null) return;
                responses.RemoveAt(0);
                r.Complete();
            }
        }

        // The hub's outcomes of responses need no action: the call's result was decided by the handler.
        private static void DrainOutcomes(SenderLink link)
        {
            OutgoingDelivery d;
            while ((d = link.NextCompleted()) != null) link.Free(d);
        }
    }

    /// <summary>One method call for the dispatcher: runs the handler, then hands the response to the driver.</summary>
    internal sealed class MethodNotice : FeatureNotice
    {
        private readonly DeviceTwinClient owner;
        private readonly MethodChannel channel;
        private readonly int generation;
        private readonly object correlation;
        private readonly string name;
        private readonly string payload;

        public MethodNotice(DeviceTwinClient owner, MethodChannel channel, int generation, object correlation, string name, string payload)
        {
            this.owner = owner;
            this.channel = channel;
            this.generation = generation;
            this.correlation = correlation;
            this.name = name;
            this.payload = payload;
        }

        internal override void Run()
        {
            MethodResponse answer = owner.Invoke(name, payload);
            var r = new ClientRequest();
            r.Reset(RequestKind.Feature, owner.Client.NowMs + owner.Client.Options.OperationTimeoutMs);
            r.Feature = channel;
            r.Operation = generation;
            r.Message = TwinWire.MethodResponse(correlation, answer.Status, answer.Utf8);
            // The driver's queue may be full for a moment (48 calls): this thread may wait, the answer must not be lost
            // (it also frees the call's in-flight place).
            for (int attempt = 0; ; attempt++)
            {
                try
                {
                    owner.Client.CallFeature(r, 0, null);
                    return;
                }
                catch (InvalidOperationException)
                {
                    if (attempt >= SubmitAttempts) throw;
                    Thread.Sleep(SubmitRetryMs);
                }
            }
        }

        private const int SubmitAttempts = 50;
        private const int SubmitRetryMs = 20;
    }
}
