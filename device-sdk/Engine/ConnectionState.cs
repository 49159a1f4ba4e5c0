// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.

namespace IotHubAmqp.Device.Engine
{
    /// <summary>Connection states as named in AMQP 1.0 2.4.6.</summary>
    internal enum ConnectionState
    {
        Start,
        HeaderSent,
        HeaderExchanged,
        OpenPipe,
        OpenSent,
        Opened,
        CloseSent,
        End,
    }

    /// <summary>Session states as named in AMQP 1.0 2.5.5.</summary>
    internal enum SessionState
    {
        Unmapped,
        BeginSent,
        Mapped,
        EndSent,
        Ended,
    }

    /// <summary>Link states (AMQP 1.0 2.6.3: attached or detached, with the half-open steps between).</summary>
    internal enum LinkState
    {
        Detached,
        AttachSent,
        Attached,
        DetachSent,
    }
}
