// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
using System;
using System.Threading;
using IotHubAmqp.Device.Engine;
using IotHubAmqp.Device.Messaging;

namespace IotHubAmqp.Device.IotHub
{
    /// <summary>Called once when a send started with <see cref="DeviceClient.BeginSendTelemetry"/> has its result.</summary>
    public delegate void SendCompletedHandler(DeviceClient sender, Message message, SendResult result);

    /// <summary>What an application call asks of the connection's driver.</summary>
    internal enum RequestKind
    {
        Open,
        Close,
        Send,
        FeatureSend,
        Settle,
        TakeC2d,
        C2dReturned,
        AddFeature,
        Feature,
    }

    /// <summary>
    /// One application call handed to the driver: the caller fills it, submits it and waits on <see cref="Done"/>
    /// with its own deadline; the driver alone works on it until it completes. Blocking sends reuse pooled requests,
    /// so a steady send loop allocates nothing here.
    /// </summary>
    internal sealed class ClientRequest
    {
        public readonly ManualResetEvent Done = new ManualResetEvent(false);
        public RequestKind Kind;
        public long Deadline;

        // Send, FeatureSend (on the sender link its Feature supplies)
        public Message Message;
        public string MessageId;
        public SendCompletedHandler Callback;
        public SendResult Result;
        internal uint MessageFormat;
        internal OutgoingDelivery Slot;
        internal SenderLink SlotLink;
        internal AmqpException LastFault;

        // Settle: 0 complete, 1 reject, 2 abandon
        public C2dMessage C2d;
        public int Settlement;

        // TakeC2d: messages handed to the handler count against the prefetch until returned (C2dReturned)
        public int MaxCount;
        public bool ForHandler;
        public C2dMessage[] Taken;

        // AddFeature, Feature: the feature, its operation and what goes in and comes back
        internal ClientFeature Feature;
        internal int Operation;
        internal object Payload;
        internal object Reply;

        /// <summary>Set when the call failed: thrown on the caller's thread.</summary>
        public Exception Error;

        // 0 waiting, 1 completed by the driver, 2 given up by the caller (the driver drops it).
        private int state;

        public bool IsCompleted => state == 1;

        // Only sends are pooled (every other request is new): what a send may have set is cleared for the next one.
        internal void Reset(RequestKind kind, long deadline)
        {
            Kind = kind;
            Deadline = deadline;
            Message = null;
            MessageId = null;
            Callback = null;
            Result = null;
            MessageFormat = 0;
            Slot = null;
            SlotLink = null;
            LastFault = null;
            Error = null;
            Feature = null;
            state = 0;
            Done.Reset();
        }

        /// <summary>The driver finished the request; false when its caller had already given up.</summary>
        internal bool Complete()
        {
            if (Interlocked.CompareExchange(ref state, 1, 0) != 0) return false;
            Done.Set();
            return true;
        }

        /// <summary>The caller stops waiting; false when the driver completed it first.</summary>
        internal bool GiveUp() => Interlocked.CompareExchange(ref state, 2, 0) == 0;

        internal bool IsGivenUp => state == 2;
    }
}
