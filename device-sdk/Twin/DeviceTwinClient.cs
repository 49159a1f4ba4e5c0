// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
using System;
using System.Collections;
using IotHubAmqp.Device.IotHub;

namespace IotHubAmqp.Device.Twin
{
    /// <summary>
    /// Direct methods and the device twin for a <see cref="DeviceClient"/>, shaped like nanoFramework.Azure.Devices
    /// (<c>AddMethodCallback</c>, <c>GetTwin</c>, <c>UpdateReportedProperties</c>, <c>TwinUpdated</c>). It lives in its own
    /// assembly so a device that only sends telemetry does not deploy it. Create it before or after
    /// <see cref="DeviceClient.Open"/>; its links ride the client's connection and come back after every reconnect.
    /// Handlers run on the client's handler thread, never on the thread that owns the connection.
    /// A module's connection string (<c>ModuleId=...</c>) selects the module's methods and twin.
    /// </summary>
    public sealed class DeviceTwinClient
    {
        private readonly ArrayList methodNames = new ArrayList();
        private readonly ArrayList methodCallbacks = new ArrayList();
        private readonly MethodChannel methods;
        private readonly TwinChannel twin;

        /// <summary>Adds methods and/or the twin to <paramref name="client"/>.</summary>
        /// <param name="client">The client whose connection carries the links.</param>
        /// <param name="enableMethods">Attach the direct-methods links (the hub answers 404 to calls while they are absent).</param>
        /// <param name="enableTwin">Attach the twin links and subscribe to desired-property changes.</param>
        public DeviceTwinClient(DeviceClient client, bool enableMethods = true, bool enableTwin = true)
            : this(client == null ? throw new ArgumentNullException(nameof(client)) : (IFeatureHost)client, enableMethods, enableTwin)
        {
        }

        internal DeviceTwinClient(IFeatureHost client, bool enableMethods, bool enableTwin)
        {
            Client = client;
            if (enableMethods)
            {
                methods = new MethodChannel(this);
                client.AddFeature(methods);
            }
            if (enableTwin)
            {
                twin = new TwinChannel(this);
                client.AddFeature(twin);
            }
        }

        /// <summary>One call per desired-property patch (on the client's handler thread), and once after a reconnect when the desired properties changed meanwhile (then with the whole desired document).</summary>
        public event TwinUpdatedHandler TwinUpdated;

        /// <summary>Answers methods no callback is registered for; without it they get 501, as in the reference SDKs.</summary>
        public MethodCallback DefaultMethodCallback { get; set; }

        internal IFeatureHost Client { get; }

        internal MethodChannel MethodPart => methods;

        internal TwinChannel TwinPart => twin;

        /// <summary>Registers (or replaces) the callback for the method <paramref name="methodName"/>.</summary>
        public void AddMethodCallback(string methodName, MethodCallback callback)
        {
            if (methodName == null) throw new ArgumentNullException(nameof(methodName));
            if (callback == null) throw new ArgumentNullException(nameof(callback));
            if (methods == null) throw new InvalidOperationException("methods are not enabled on this client");
            lock (methodNames)
            {
                int i = methodNames.IndexOf(methodName);
                if (i >= 0) methodCallbacks[i] = callback;
                else
                {
                    methodNames.Add(methodName);
                    methodCallbacks.Add(callback);
                }
            }
        }

        /// <summary>Registers <paramref name="callback"/> under its own method name, as nanoFramework.Azure.Devices does (a lambda's compiler-made name will not match: name the method).</summary>
        public void AddMethodCallback(MethodCallback callback)
        {
            if (callback == null) throw new ArgumentNullException(nameof(callback));
            AddMethodCallback(callback.Method.Name, callback);
        }

        /// <summary>Removes the callback registered under <paramref name="callback"/>'s method name.</summary>
        public void RemoveMethodCallback(MethodCallback callback)
        {
            if (callback == null) throw new ArgumentNullException(nameof(callback));
            RemoveMethodCallback(callback.Method.Name);
        }

        /// <summary>Removes the callback of <paramref name="methodName"/>; later calls of it get 501.</summary>
        public void RemoveMethodCallback(string methodName)
        {
            lock (methodNames)
            {
                int i = methodNames.IndexOf(methodName);
                if (i < 0) return;
                methodNames.RemoveAt(i);
                methodCallbacks.RemoveAt(i);
            }
        }

        /// <summary>
        /// Reads the twin within <paramref name="timeoutMs"/>. Throws <see cref="IotHubStatusException"/> with the hub's
        /// status when it refuses (for example 429), <see cref="AmqpException"/> on timeout, and
        /// <see cref="ArgumentException"/> when the document is malformed or over <see cref="MaxDocumentChars"/>.
        /// </summary>
        public Twin GetTwin(int timeoutMs)
        {
            ClientRequest r = Request(TwinChannel.OpGet, timeoutMs);
            Client.CallFeature(r, timeoutMs, "GetTwin");
            return Twin.FromJson(Client.DeviceId, (byte[])r.Reply);
        }

        /// <summary>Sends a reported-properties patch and returns the new reported <c>$version</c> (-1 when the hub gives none).</summary>
        public long UpdateReportedProperties(TwinCollection reported, int timeoutMs)
        {
            if (reported == null) throw new ArgumentNullException(nameof(reported));
            return Patch(TwinWire.Utf8Bytes(reported.ToJson()), timeoutMs);
        }

        /// <summary>Sends a reported-properties patch given as JSON object text (checked before it is sent).</summary>
        public long UpdateReportedProperties(string json, int timeoutMs)
        {
            byte[] doc = Json.Bytes(json); // converted once: checked, then sent
            Json.ParseObject(doc);
            return Patch(doc, timeoutMs);
        }

        /// <summary>The largest JSON document read or written, in UTF-8 bytes as IoT Hub counts (the name is older).</summary>
        public const int MaxDocumentChars = Json.MaxDocumentChars;

        private long Patch(byte[] json, int timeoutMs)
        {
            ClientRequest r = Request(TwinChannel.OpPatch, timeoutMs);
            r.Payload = json;
            Client.CallFeature(r, timeoutMs, "UpdateReportedProperties");
            return (long)r.Reply;
        }

        private ClientRequest Request(int op, int timeoutMs)
        {
            if (twin == null) throw new InvalidOperationException("the twin is not enabled on this client");
            if (timeoutMs <= 0) throw new ArgumentException("timeoutMs must be positive");
            var r = new ClientRequest();
            r.Reset(RequestKind.Feature, Client.NowMs + timeoutMs);
            r.Feature = twin;
            r.Operation = op;
            return r;
        }

        // On the dispatcher: the handler's answer, 501 without one, 500 when it throws or returns no JSON.
        internal MethodResponse Invoke(string name, string payload)
        {
            MethodCallback callback = null;
            lock (methodNames)
            {
                int i = name == null ? -1 : methodNames.IndexOf(name);
                if (i >= 0) callback = (MethodCallback)methodCallbacks[i];
            }
            if (callback == null) callback = DefaultMethodCallback;
            if (callback == null) return Error(501, "no handler for method '" + (name ?? "") + "'");
            MethodResponse answer;
            try
            {
                answer = callback(name, payload);
            }
            catch (Exception e)
            {
                return Error(500, "method '" + name + "' failed: " + e.GetType().Name);
            }
            if (answer == null) return Answer(200, "null");
            string json = answer.Json ?? "null";
            byte[] doc;
            try
            {
                doc = Json.Bytes(json); // converted once: checked, then sent
                Json.Parse(doc);
            }
            catch (ArgumentException)
            {
                return Error(500, "method '" + name + "' returned a payload that is not JSON");
            }
            return new MethodResponse(answer.Status, json) { Utf8 = doc };
        }

        private static MethodResponse Answer(int status, string json) => new MethodResponse(status, json) { Utf8 = TwinWire.Utf8Bytes(json) };

        internal void RaiseTwinUpdated(TwinCollection desired)
        {
            TwinUpdatedHandler h = TwinUpdated;
            if (h != null) h(this, desired);
        }

        private static MethodResponse Error(int status, string message)
        {
            var o = new TwinCollection();
            o["message"] = message;
            return Answer(status, o.ToJson());
        }
    }
}
