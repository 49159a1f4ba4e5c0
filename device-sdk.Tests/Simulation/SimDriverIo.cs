// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
using IotHubAmqp.Device.Engine;
using IotHubAmqp.Device.IotHub;
using IotHubAmqp.Device.Types;

namespace IotHubAmqp.Device.Tests.Simulation
{
    /// <summary>
    /// The driver's byte moving between a <see cref="ClientCore"/>'s engine and a <see cref="SimNetwork"/> to
    /// <see cref="SimHub"/>, as ClientDriver does it with a socket; shared by every simulation harness.
    /// </summary>
    internal static class SimDriverIo
    {
        /// <summary>
        /// Writes the engine's output, pumps the network, feeds what reached the device to the engine (processing its
        /// events after each read), then writes again. Returns the network, or null when the hub closed it
        /// (<paramref name="closedReason"/> is what the client is told).
        /// </summary>
        public static SimNetwork MoveBytes(ClientCore core, SimNetwork net, SimHub hub, long now, string closedReason)
        {
            if (net == null) return null;
            WriteOutput(core, net, now);
            net.Pump(hub, now);
            Connection engine = core.Engine;
            while (engine != null && net != null)
            {
                engine.GetReceiveSpace(out byte[] buf, out int off, out int count);
                int n = net.DeviceRead(buf, off, count, now);
                if (n == 0) break;
                if (n < 0)
                {
                    core.TransportEnded(new AmqpException(ErrorCode.ConnectionLost, closedReason), now);
                    return null;
                }
                engine.Received(n, now);
                core.ProcessEvents(now);
                engine = core.Engine;
            }
            WriteOutput(core, net, now);
            net.Pump(hub, now);
            return net;
        }

        /// <summary>Writes all the engine's output to <paramref name="net"/>; a short write (a cut) ends the transport.</summary>
        public static void WriteOutput(ClientCore core, SimNetwork net, long now)
        {
            Connection engine = core.Engine;
            if (engine == null || net == null) return;
            while (engine.HasOutput)
            {
                engine.GetOutput(out byte[] buf, out int off, out int count);
                if (net.DeviceWrite(buf, off, count, now) < count)
                {
                    engine.DiscardOutput();
                    core.TransportEnded(new AmqpException(ErrorCode.ConnectionLost, "the connection was cut"), now);
                    return;
                }
                engine.OutputWritten(now);
            }
        }
    }
}
