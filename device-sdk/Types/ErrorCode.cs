// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.

namespace IotHubAmqp.Device
{
    /// <summary>AMQP 1.0 error conditions (2.8.15 - 2.8.18) and the IoT Hub ones a device meets.</summary>
    public static class ErrorCode
    {
        /// <summary>An internal error occurred.</summary>
        public const string InternalError = "amqp:internal-error";
        /// <summary>A peer attempted to work with a remote entity that does not exist.</summary>
        public const string NotFound = "amqp:not-found";
        /// <summary>A peer attempted to work with a remote entity to which it has no access.</summary>
        public const string UnauthorizedAccess = "amqp:unauthorized-access";
        /// <summary>Data could not be decoded.</summary>
        public const string DecodeError = "amqp:decode-error";
        /// <summary>A peer exceeded its resource allocation (IoT Hub: throttled).</summary>
        public const string ResourceLimitExceeded = "amqp:resource-limit-exceeded";
        /// <summary>The peer tried to use a frame in a manner inconsistent with the spec.</summary>
        public const string NotAllowed = "amqp:not-allowed";
        /// <summary>An invalid field was passed in a frame body.</summary>
        public const string InvalidField = "amqp:invalid-field";
        /// <summary>The peer tried to use functionality it does not implement.</summary>
        public const string NotImplemented = "amqp:not-implemented";
        /// <summary>The peer sent a frame that is not permitted in the current state.</summary>
        public const string IllegalState = "amqp:illegal-state";
        /// <summary>The peer cannot send a frame because the smallest encoding is too large.</summary>
        public const string FrameSizeTooSmall = "amqp:frame-size-too-small";
        /// <summary>An operator intervened to close the connection.</summary>
        public const string ConnectionForced = "amqp:connection:forced";
        /// <summary>A valid frame header cannot be formed from the incoming byte stream.</summary>
        public const string FramingError = "amqp:connection:framing-error";
        /// <summary>The container is no longer available on the current connection.</summary>
        public const string ConnectionRedirect = "amqp:connection:redirect";
        /// <summary>The peer violated incoming window for the session.</summary>
        public const string WindowViolation = "amqp:session:window-violation";
        /// <summary>Input was received for a link that was detached with an error.</summary>
        public const string ErrantLink = "amqp:session:errant-link";
        /// <summary>An attach was received using a handle that is already in use.</summary>
        public const string HandleInUse = "amqp:session:handle-in-use";
        /// <summary>A frame (other than attach) referred to a handle that is not in use.</summary>
        public const string UnattachedHandle = "amqp:session:unattached-handle";
        /// <summary>An operator intervened to detach for some reason.</summary>
        public const string DetachForced = "amqp:link:detach-forced";
        /// <summary>The peer sent more message transfers than currently allowed on the link.</summary>
        public const string TransferLimitExceeded = "amqp:link:transfer-limit-exceeded";
        /// <summary>The peer sent a larger message than is supported on the link.</summary>
        public const string MessageSizeExceeded = "amqp:link:message-size-exceeded";
        /// <summary>The address provided cannot be resolved to a terminus at the current container.</summary>
        public const string LinkRedirect = "amqp:link:redirect";
        /// <summary>The link has been attached elsewhere, causing the existing attachment to be forcibly closed.</summary>
        public const string Stolen = "amqp:link:stolen";

        // Conditions raised locally, never sent on the wire.
        /// <summary>A wait for the peer ran out of time.</summary>
        public const string Timeout = "com.microsoft:timeout";
        /// <summary>The transport failed or the peer closed the socket without an AMQP close.</summary>
        public const string ConnectionLost = "iothubamqp:connection-lost";
    }
}
