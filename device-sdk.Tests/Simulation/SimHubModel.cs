// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
using System.Collections;
using IotHubAmqp.Device.Framing;

namespace IotHubAmqp.Device.Tests.Simulation
{
    /// <summary>Checks a SAS token (CBS put-token body or SASL PLAIN password); returns a CBS status code (200 = valid).</summary>
    internal delegate int SimTokenValidator(string token, string audience, long now);

    /// <summary>What a device link is for, from its address (iothub-amqp-wire.md 3, 5, 6).</summary>
    internal static class SimLinkKind
    {
        public const int None = 0;
        public const int CbsSender = 1;   // device sends put-token requests to $cbs
        public const int CbsReceiver = 2; // device receives put-token replies from $cbs
        public const int Telemetry = 3;   // device sender to /devices/{id}/messages/events
        public const int C2d = 4;         // device receiver from /devices/{id}/messages/devicebound
        public const int Feedback = 5;    // device sender to /messages/serviceBound/feedback
        public const int MethodsReceiver = 6; // device receives method requests on /devices/{id}/methods/devicebound
        public const int MethodsSender = 7;   // device sends method responses on the same address
        public const int TwinSender = 8;      // device sends twin requests to /devices/{id}/twin
        public const int TwinReceiver = 9;    // device receives twin replies and desired patches
        public const int Any = -1;        // for faults: every device link

        public static string Name(int kind)
        {
            switch (kind)
            {
                case CbsSender: return "cbs-sender";
                case CbsReceiver: return "cbs-receiver";
                case Telemetry: return "telemetry";
                case C2d: return "c2d";
                case Feedback: return "feedback";
                case MethodsReceiver: return "methods-requests";
                case MethodsSender: return "methods-responses";
                case TwinSender: return "twin-sender";
                case TwinReceiver: return "twin-receiver";
                default: return "link";
            }
        }
    }

    /// <summary>A C2D message in the hub's per-device queue (hub-wide: survives reconnects).</summary>
    internal sealed class SimC2d
    {
        public const int Queued = 0, InFlight = 1, Completed = 2, DeadLettered = 3;

        public int Seq;
        public string MessageId;
        public byte[] Body;
        public int State;

        /// <summary>Times the hub started a delivery of this message (aborted ones included).</summary>
        public int Deliveries;

        /// <summary>Deliveries that reached the device whole (not aborted).</summary>
        public int CompleteDeliveries;

        /// <summary>The device's last outcome name ("accepted", "rejected", "released", "modified"), or null.</summary>
        public string Outcome;

        // Per delivery, valid while InFlight.
        public uint DeliveryId;
        public int Generation;
        public SimHubLink Link;
    }

    /// <summary>One telemetry message-id as the hub saw it.</summary>
    internal sealed class SimTelemetry
    {
        public string MessageId;
        public byte[] Body;

        /// <summary>Complete deliveries received with this id (duplicates from at-least-once resends included).</summary>
        public int Received;

        /// <summary>Deliveries the hub stored (accepted, or sent settled).</summary>
        public int Stored;

        /// <summary>Accepted outcomes the hub wrote to the device.</summary>
        public int AcceptedSent;

        /// <summary>Rejected outcomes the hub wrote to the device.</summary>
        public int RejectedSent;
    }

    /// <summary>A session as the hub sees it (AMQP 1.0 2.5).</summary>
    internal sealed class SimSession
    {
        public ushort HubChannel;
        public ushort DeviceChannel;
        public bool Ended;          // the hub sent end
        public ArrayList Links = new ArrayList();

        // Incoming (device to hub), 2.5.6: transfer-ids the device may use are [NextIncomingId, windowEnd).
        public uint NextIncomingId;
        public uint WindowEnd;
        public bool HasDeliveryId;
        public uint LastDeliveryId;

        // Outgoing (hub to device).
        public uint NextOutgoingId;
        public uint DeviceIncomingWindowEnd; // device's next-incoming-id + incoming-window, as a transfer-id bound

        // Hub deliveries the device settled (boxed uint delivery-ids), to catch a second settlement.
        public ArrayList SettledIds = new ArrayList();
    }

    /// <summary>A link as the hub sees it (AMQP 1.0 2.6).</summary>
    internal sealed class SimHubLink
    {
        public SimSession Session;
        public string Name;
        public int Kind;
        public uint DeviceHandle;
        public uint HubHandle;
        public bool DeviceIsSender;
        public Attach DeviceAttach;
        public bool Attached;        // hub answered the attach and accepts traffic
        public bool Refused;
        public bool HubDetached;     // the hub sent detach
        public long AttachedAt;

        // Device senders: the credit the hub granted (2.6.7).
        public uint Credit;
        public uint DeviceDeliveryCount;
        public bool FlowPending;

        // Device receivers: the hub's delivery-count and the device's credit.
        public uint HubDeliveryCount;
        public uint DeviceCredit;
        public bool HasDeviceFlow;

        // Twin receivers: the device subscribed this link to desired-property notifications (PUT).
        public bool Subscribed;

        // Reassembly of a multi-frame delivery from the device (2.6.14).
        public bool InDelivery;
        public uint CurrentDeliveryId;
        public bool CurrentSettled;
        public byte[] Partial = new byte[0];
        public int PartialLength;
    }

    /// <summary>A hub timer: a delayed reply or a fault due at a virtual time.</summary>
    internal sealed class SimTimer
    {
        public const int GrantCredit = 1, CbsReply = 2, AnswerAttach = 3, DetachLink = 4, Close = 5, End = 6, Stall = 7, EnqueueC2d = 8, MethodTimeout = 9;

        public long At;
        public int Kind;
        public int Generation; // 0 = any connection (scheduled faults), else only the connection it was made on
        public SimHubLink Link;
        public int LinkKind;
        public Error Error;
        public object Arg;
        public long Duration;
    }

    /// <summary>A put-token reply waiting for its time and for credit on the device's CBS receiver.</summary>
    internal sealed class SimCbsReply
    {
        public object CorrelationId;
        public int Status;
        public string Description;
    }
}
