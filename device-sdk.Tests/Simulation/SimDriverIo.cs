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

        /// <summary>
        /// As <see cref="MoveBytes(ClientCore, SimNetwork, SimHub, long, string)"/>, with the hub's bytes reaching the
        /// device as WebSocket messages through the platform's <see cref="Platform.WebSocketStream"/> (AMQP over
        /// WebSockets): seeded message sizes, so one message holds several frames or part of one, and messages that
        /// arrive in fragments. A cut ends the stream; what it buffered is still read before the transport ends.
        /// </summary>
        public static SimNetwork MoveBytes(ClientCore core, SimNetwork net, SimHub hub, long now, string closedReason, SimWebSocket ws)
        {
            if (net == null) return null;
            WriteOutput(core, net, now);
            net.Pump(hub, now);
            while (!ws.Ended)
            {
                int n = net.DeviceRead(ws.Scratch, 0, ws.NextMessageSize(), now);
                if (n == 0) break;
                if (n < 0)
                {
                    ws.Stream.End(closedReason);
                    ws.Ended = true;
                    break;
                }
                for (int at = 0; at < n;)
                {
                    int f = ws.NextFragmentSize(n - at);
                    ws.Stream.Append(ws.Scratch, at, f, true);
                    at += f;
                }
            }
            Connection engine = core.Engine;
            while (engine != null && ws.Stream.Buffered > 0)
            {
                engine.GetReceiveSpace(out byte[] buf, out int off, out int count);
                engine.Received(ws.Stream.Read(buf, off, count), now);
                core.ProcessEvents(now);
                engine = core.Engine;
            }
            if (ws.Ended && ws.Stream.Buffered == 0)
            {
                if (core.Engine != null) core.TransportEnded(new AmqpException(ErrorCode.ConnectionLost, closedReason), now);
                return null;
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

    /// <summary>One connection's WebSocket receive side in the simulation: the stream and the seeded message sizes.</summary>
    internal sealed class SimWebSocket
    {
        private readonly SimRandom rnd;

        public SimWebSocket(SimRandom rnd)
        {
            this.rnd = rnd;
        }

        public readonly Platform.WebSocketStream Stream = new Platform.WebSocketStream(4 * 1024 * 1024);
        public readonly byte[] Scratch = new byte[70000];
        public bool Ended;

        // Mostly small messages (a frame split over several), sometimes large ones (several frames in one).
        public int NextMessageSize() => rnd.NextBool(50) ? rnd.Next(1, 64) : rnd.Next(64, Scratch.Length);

        public int NextFragmentSize(int left) => rnd.NextBool(20) && left > 1 ? rnd.Next(1, left) : left;
    }
}
