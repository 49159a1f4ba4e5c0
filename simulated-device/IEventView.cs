// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
namespace IotHubAmqp.SimulatedDevice;

/// <summary>Shows a run: the live terminal view, plain lines, or JSON lines. Called from several threads.</summary>
internal interface IEventView : IDisposable
{
    /// <summary>Shows one event; <paramref name="stats"/> are the counters after it.</summary>
    void Show(DeviceEvent e, RunSnapshot stats);
}
