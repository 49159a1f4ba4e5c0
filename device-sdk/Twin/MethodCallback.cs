// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
using System;

namespace IotHubAmqp.Device.Twin
{
    /// <summary>
    /// Answers a direct method: runs on the client's handler thread with the method's name and its JSON payload
    /// (text), and returns the status and JSON payload sent back. An exception becomes status 500.
    /// </summary>
    public delegate MethodResponse MethodCallback(string methodName, string payload);

    /// <summary>Called once per desired-property patch, with the patch (its <c>$version</c> included).</summary>
    public delegate void TwinUpdatedHandler(DeviceTwinClient sender, TwinCollection desired);

    /// <summary>A direct method's answer: an HTTP-like status and a JSON payload.</summary>
    public sealed class MethodResponse
    {
        /// <summary>An answer; <paramref name="json"/> must be JSON text (null sends <c>null</c>).</summary>
        public MethodResponse(int status, string json)
        {
            Status = status;
            Json = json;
        }

        /// <summary>The status the caller sees (200 for success).</summary>
        public int Status { get; }

        /// <summary>The payload as JSON text.</summary>
        public string Json { get; }

        // Its UTF-8, as checked and sent (set by DeviceTwinClient.Invoke).
        internal byte[] Utf8;
    }

    /// <summary>IoT Hub answered a twin operation with an error status (for example 400 bad request, 429 throttled).</summary>
    public sealed class IotHubStatusException : Exception
    {
        /// <summary>An error of the hub.</summary>
        public IotHubStatusException(int status, string message)
            : base(message)
        {
            Status = status;
        }

        /// <summary>The hub's status code.</summary>
        public int Status { get; }

        /// <summary>True for statuses worth retrying later (429, 408, 5xx), as the reference SDKs treat them.</summary>
        public bool IsTransient => Status == 429 || Status == 408 || Status >= 500;
    }
}
