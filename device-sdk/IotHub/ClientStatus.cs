// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.

namespace IotHubAmqp.Device.IotHub
{
    /// <summary>The connection state a <see cref="DeviceClient"/> reports, and the token events.</summary>
    public enum ClientStatus
    {
        /// <summary>Not connected (before <see cref="DeviceClient.Open"/>, or after giving up reconnecting).</summary>
        Disconnected,
        /// <summary>Connected and authenticated; telemetry flows.</summary>
        Connected,
        /// <summary>The connection was lost and the client is reconnecting with backoff.</summary>
        Reconnecting,
        /// <summary>The token was renewed (a status event only; the client stays connected).</summary>
        TokenRenewed,
        /// <summary>A renewal attempt failed and will be retried (a status event only).</summary>
        TokenRenewalFailed,
        /// <summary>Closed by the application.</summary>
        Closed,
    }

    /// <summary>Names of <see cref="ClientStatus"/> values, for logs on nanoFramework where <c>Enum.ToString()</c> prints the number.</summary>
    public static class ClientStatusName
    {
        // In the order of the values (a table: less IL than a switch).
        private static readonly string[] Names = List("Disconnected;Connected;Reconnecting;TokenRenewed;TokenRenewalFailed;Closed");

        /// <summary>The status's name.</summary>
        public static string Of(ClientStatus status) => Name(Names, (int)status, "Status ");

        // The parts of a ';'-separated list: one helper for the IotHub tables (and the connection string), so
        // each caller loads a string instead of building a char array.
        internal static string[] List(string list) => list.Split(';');

        // The value's name from a table in value order, or unknown + the number for a value the table lacks.
        internal static string Name(string[] names, int value, string unknown) =>
            (uint)value < (uint)names.Length ? names[value] : unknown + value.ToString();
    }

    /// <summary>Reports a status change; <paramref name="reason"/> says why (never a key or token).</summary>
    public delegate void StatusChangedHandler(DeviceClient sender, ClientStatus status, string reason);

    /// <summary>Delivers a cloud-to-device message; settle it with Complete, Reject or Abandon.</summary>
    public delegate void CloudToDeviceMessageHandler(DeviceClient sender, C2dMessage message);
}
