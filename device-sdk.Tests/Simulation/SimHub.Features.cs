// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
using System.Collections;
using IotHubAmqp.Device.Framing;
using IotHubAmqp.Device.Messaging;
using IotHubAmqp.Device.Twin;
using IotHubAmqp.Device.Types;

namespace IotHubAmqp.Device.Tests.Simulation
{
    /// <summary>A direct-method call the service made through the hub (hub-wide: outlives connections).</summary>
    internal sealed class SimMethodCall
    {
        public const int Sent = 1, Answered = 2, Failed = 3, TimedOut = 4;

        public string Id;
        public string Name;
        public string Payload;
        public int Generation;
        public long SentAt;
        public int State;

        /// <summary>Answered: the device's IoThub-status; Failed: the status the service got (404 device not online, 504 gone).</summary>
        public int Status;
        public string Response;

        /// <summary>TimedOut: the connection was still the one the request went out on.</summary>
        public bool TimedOutOnLiveConnection;
    }

    /// <summary>
    /// SimHub: direct methods and the twin (iothub-amqp-wire-2.md 1-2). The service's calls go out on the device's
    /// methods receiver under its credit; a call whose connection or link goes fails for the service, as IoT Hub's
    /// does, and a device answer to it afterwards is a violation. The twin keeps versions across connections;
    /// desired patches reach only a subscribed twin link, so a device must resubscribe and read again on reconnect.
    /// </summary>
    internal sealed partial class SimHub
    {
        private static readonly Symbol OperationKey = new Symbol("operation");
        private static readonly Symbol ResourceKey = new Symbol("resource");
        private static readonly Symbol StatusKey = new Symbol("status");
        private static readonly Symbol VersionKey = new Symbol("version");

        private readonly ArrayList featureOut = new ArrayList();

        /// <summary>Every method call, in order.</summary>
        public readonly ArrayList MethodCalls = new ArrayList();

        /// <summary>How long the service waits for a method's answer (IoT Hub's responseTimeoutInSeconds).</summary>
        public long MethodTimeoutMs = 20000;

        /// <summary>The next N twin requests get 429 (throttled).</summary>
        public int ThrottleTwinRequests;

        /// <summary>The twin's desired $version (the service's patches raise it) and the value last set.</summary>
        public long DesiredVersion = 1;
        public int DesiredInterval = 10;

        /// <summary>The reported $version, and the reported patch stored at each version (index = version - 2).</summary>
        public long ReportedVersion = 1;
        public readonly ArrayList ReportedPatches = new ArrayList();

        /// <summary>The patch the device sent that produced reported version <paramref name="version"/>, or null.</summary>
        public string ReportedPatchAt(long version)
        {
            long i = version - 2;
            return i >= 0 && i < ReportedPatches.Count ? (string)ReportedPatches[(int)i] : null;
        }

        /// <summary>The service calls <paramref name="name"/>; fails at once (404) when the device has no methods link.</summary>
        public SimMethodCall CallMethod(string name, string payload, long now)
        {
            Advance(now);
            var c = new SimMethodCall();
            c.Id = "call-" + (MethodCalls.Count + 1);
            c.Name = name;
            c.Payload = payload;
            MethodCalls.Add(c);
            if (!Connected || hubCloseSent || FindLink(SimLinkKind.MethodsReceiver) == null)
            {
                c.State = SimMethodCall.Failed;
                c.Status = 404;
                Log("method " + c.Id + " " + name + ": device not online");
                return c;
            }
            c.State = SimMethodCall.Sent;
            c.Generation = generation;
            c.SentAt = now;
            var m = new Message(TwinWire.Utf8Bytes(payload));
            m.Properties = new MessageProperties();
            m.Properties.CorrelationId = c.Id;
            m.ApplicationProperties = new AmqpMap();
            m.ApplicationProperties["IoThub-methodname"] = name;
            Queue(SimLinkKind.MethodsReceiver, m);
            SimTimer t = AddTimer(now + MethodTimeoutMs, SimTimer.MethodTimeout, null);
            t.Generation = 0;
            t.Arg = c;
            Log("method " + c.Id + " " + name + " called");
            return c;
        }

        /// <summary>The service patches the desired properties; subscribed twin links get the patch.</summary>
        public void PatchDesired(int interval, long now)
        {
            Advance(now);
            DesiredVersion++;
            DesiredInterval = interval;
            Log("desired $version " + DesiredVersion);
            if (!Connected || hubCloseSent) return;
            SimHubLink l = FindLink(SimLinkKind.TwinReceiver);
            if (l == null || !l.Subscribed) return;
            var m = new Message(TwinWire.Utf8Bytes(DesiredJson()));
            m.MessageAnnotations = new AmqpMap();
            m.MessageAnnotations[VersionKey] = DesiredVersion;
            Queue(SimLinkKind.TwinReceiver, m);
        }

        private string DesiredJson() => "{\"interval\":" + DesiredInterval + ",\"$version\":" + DesiredVersion + "}";

        private void OnTwinRequest(SimHubLink l, uint deliveryId, bool settled, Message m)
        {
            if (!settled && !hubCloseSent) SendOutcome(l, deliveryId, Accepted.Instance);
            object cid = m.Properties == null ? null : m.Properties.CorrelationId;
            string op = m.MessageAnnotations == null ? null : m.MessageAnnotations[OperationKey] as string;
            string resource = m.MessageAnnotations == null ? null : m.MessageAnnotations[ResourceKey] as string;
            if (cid == null)
            {
                Violation("twin request " + op + " without a correlation-id");
                return;
            }
            int status;
            string body = null;
            long version = -1;
            if (ThrottleTwinRequests > 0)
            {
                ThrottleTwinRequests--;
                status = 429;
                body = "{\"errorCode\":429001,\"message\":\"throttled by the simulation\"}";
            }
            else if (op == "GET" && resource == null)
            {
                status = 200;
                body = "{\"desired\":" + DesiredJson() + ",\"reported\":{\"$version\":" + ReportedVersion + "}}";
            }
            else if (op == "PATCH" && resource == "/properties/reported")
            {
                ReportedPatches.Add(TwinWire.BodyText(m));
                ReportedVersion++;
                status = 204;
                version = ReportedVersion;
            }
            else if (op == "PUT" && resource == "/notifications/twin/properties/desired")
            {
                SimHubLink receiver = FindLink(SimLinkKind.TwinReceiver);
                if (receiver != null) receiver.Subscribed = true;
                status = 200;
            }
            else
            {
                Violation("twin request '" + op + "' on '" + resource + "' is not one IoT Hub knows");
                status = 400;
            }
            Log("twin " + op + " " + (resource ?? "") + " -> " + status);
            var reply = body == null ? new Message() : new Message(TwinWire.Utf8Bytes(body));
            if (body == null) reply.BodyType = BodyType.None;
            reply.Properties = new MessageProperties();
            reply.Properties.CorrelationId = cid;
            reply.MessageAnnotations = new AmqpMap();
            reply.MessageAnnotations[StatusKey] = status;
            if (version >= 0) reply.MessageAnnotations[VersionKey] = version;
            Queue(SimLinkKind.TwinReceiver, reply);
        }

        private void OnMethodResponse(SimHubLink l, uint deliveryId, bool settled, Message m)
        {
            if (!settled && !hubCloseSent) SendOutcome(l, deliveryId, Accepted.Instance);
            string id = m.Properties == null || m.Properties.CorrelationId == null ? null : m.Properties.CorrelationId.ToString();
            SimMethodCall c = null;
            for (int i = 0; i < MethodCalls.Count; i++) if (((SimMethodCall)MethodCalls[i]).Id == id) c = (SimMethodCall)MethodCalls[i];
            if (c == null)
            {
                Violation("a method response with correlation-id '" + id + "' answers no request");
                return;
            }
            if (c.State == SimMethodCall.Answered) Violation("method call " + id + " answered twice");
            else if (c.Generation != generation) Violation("method call " + id + " of an earlier connection answered on a new one");
            else if (c.State == SimMethodCall.Sent)
            {
                c.State = SimMethodCall.Answered;
                object status = m.ApplicationProperties == null ? null : m.ApplicationProperties["IoThub-status"];
                c.Status = status is int s ? s : -1;
                c.Response = TwinWire.BodyText(m);
                Log("method " + id + " answered " + c.Status);
            }
        }

        private void TimeOutMethodCall(SimMethodCall c)
        {
            if (c.State != SimMethodCall.Sent) return;
            c.State = SimMethodCall.TimedOut;
            c.TimedOutOnLiveConnection = c.Generation == generation && Connected && !hubCloseSent;
            Log("method " + c.Id + " timed out");
        }

        private void FailMethodCalls(string why)
        {
            for (int i = 0; i < MethodCalls.Count; i++)
            {
                var c = (SimMethodCall)MethodCalls[i];
                if (c.State != SimMethodCall.Sent || c.Generation != generation) continue;
                c.State = SimMethodCall.Failed;
                c.Status = 504;
                Log("method " + c.Id + " failed: " + why);
            }
        }

        // A connection ended: its calls fail for the service, and what was waiting for it is dropped.
        private void ForgetFeatureConnection(string why)
        {
            FailMethodCalls(why);
            featureOut.Clear();
        }

        private void Queue(int linkKind, Message m)
        {
            var o = new object[] { linkKind, m };
            featureOut.Add(o);
            ServeFeatures();
        }

        // Hub-to-device method requests and twin messages, in order, under the device's credit and window.
        private void ServeFeatures()
        {
            while (featureOut.Count > 0 && Connected && !hubCloseSent && now >= stalledUntil)
            {
                var o = (object[])featureOut[0];
                SimHubLink l = FindLink((int)o[0]);
                if (l == null)
                {
                    // The link went (its connection's failure handling ran): nothing can carry it.
                    featureOut.RemoveAt(0);
                    continue;
                }
                var m = (Message)o[1];
                if (l.DeviceCredit == 0 || (int)(l.Session.DeviceIncomingWindowEnd - l.Session.NextOutgoingId) < FramesFor(m)) return;
                featureOut.RemoveAt(0);
                uint id = SendMessage(l, m, true, false);
                Log("to " + SimLinkKind.Name(l.Kind) + " as " + id);
            }
        }
    }
}
