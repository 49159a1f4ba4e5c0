// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
using System.Diagnostics;
using IotHubAmqp.Device.Engine;
using IotHubAmqp.Device.InteropTests.TestSupport;
using Xunit.Abstractions;

namespace IotHubAmqp.Device.InteropTests.Reliability
{
    /// <summary>
    /// The mutated frames of <see cref="MutationTests"/>, fed to the sans-I/O engine the way a device feeds it
    /// (<see cref="Connection.Received(byte[], int, int, long)"/> on an opened connection with a mapped session): the
    /// engine's own frame parser and dispatch, not only the decoders. Whatever the bytes, Received must not throw (a
    /// peer's error ends the connection with an <see cref="AmqpException"/>), no input takes long, and the
    /// allocation per input stays bounded by the max-frame-size.
    /// </summary>
    [Collection(MeasuredCollection.Name)]
    public class EngineMutationTests
    {
        private const int Inputs = 50_000;
        private const int Seed = 11_2026;
        private const int MaxFrameSize = (int)ConnectionSettings.DefaultMaxFrameSize;
        private const long AllocationBound = 4L * MaxFrameSize + 16 * 1024;
        private const long TimeBoundMs = 250;

        // The peer's side of an opened connection: header, open (container-id "p"), then begin answering channel 0.
        private static readonly byte[] PeerOpen = ScriptedPeer.HeaderAndOpen;
        private static readonly byte[] PeerBegin = ScriptedPeer.Hex("0000001c 02000000 005311 c00f04 600000 43 7000000100 7000000100");

        private readonly ITestOutputHelper output;

        public EngineMutationTests(ITestOutputHelper output) => this.output = output;

        [Fact]
        public void MutatedFrames_IntoAnOpenedEngine_NeverThrow_NoHang_AllocationBounded()
        {
            IReadOnlyList<byte[]> corpus = FrameCorpus.Frames;
            var random = new Random(Seed);
            var conditions = new Dictionary<string, int>();
            var crashes = new List<string>();
            long maxAllocated = 0, maxMs = 0;
            byte[] worst = null;
            var each = new Stopwatch();
            for (int i = 0; i < Inputs; i++)
            {
                byte[] input = MutationTests.Mutate(corpus[random.Next(corpus.Count)], corpus[random.Next(corpus.Count)], random);
                Connection c = Opened();
                long before = GC.GetAllocatedBytesForCurrentThread();
                each.Restart();
                try
                {
                    c.Received(input, 0, input.Length, 1);
                    Drain(c);
                }
                catch (Exception e)
                {
                    if (crashes.Count < 10) crashes.Add(e.GetType().Name + ": " + e.Message + " <- " + Convert.ToHexString(input) + "\n" + e.StackTrace);
                }
                each.Stop();
                long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
                if (allocated > maxAllocated)
                {
                    maxAllocated = allocated;
                    worst = input;
                }
                maxMs = Math.Max(maxMs, each.ElapsedMilliseconds);
                string outcome = c.Error != null ? c.Error.Condition : c.IsEnded ? "ended" : "open";
                conditions[outcome] = conditions.GetValueOrDefault(outcome) + 1;
            }

            string figures = $"engine mutation: {Inputs} inputs; " + string.Join(", ", conditions.OrderByDescending(x => x.Value).Select(x => x.Key + " " + x.Value)) +
                $"; exceptions out of Received {crashes.Count}; max allocation per input {maxAllocated} bytes (bound {AllocationBound}); slowest input {maxMs} ms";
            output.WriteLine(figures);
            Assert.True(crashes.Count == 0, "Received threw:\n" + string.Join("\n\n", crashes));
            Assert.True(maxAllocated <= AllocationBound, $"{maxAllocated} bytes for {Convert.ToHexString(worst)}");
            Assert.InRange(maxMs, 0, TimeBoundMs);
        }

        private static Connection Opened()
        {
            var c = new Connection(new ConnectionSettings { ContainerId = "mutation", MaxFrameSize = (uint)MaxFrameSize, IdleTimeoutMs = 0 });
            c.Open(0);
            c.Received(PeerOpen, 0, PeerOpen.Length, 0);
            Session s = c.BeginSession(0);
            c.Received(PeerBegin, 0, PeerBegin.Length, 0);
            Drain(c);
            if (!c.IsOpen || !s.IsMapped) throw new InvalidOperationException("the scripted peer did not open the connection and session: " + c.Error);
            return c;
        }

        // Takes what the engine wrote and its events, as an owner would.
        private static void Drain(Connection c)
        {
            while (c.HasOutput)
            {
                c.GetOutput(out _, out _, out _);
                c.OutputWritten(1);
            }
            while (c.NextEvent(out _) != null)
            {
            }
        }
    }
}
