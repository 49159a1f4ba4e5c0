// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
using System.Buffers.Binary;
using System.Diagnostics;
using IotHubAmqp.Device.Engine;
using Xunit.Abstractions;

namespace IotHubAmqp.Device.InteropTests.Reliability
{
    /// <summary>
    /// 100,000 mutations of frames recorded from real sessions, decoded as the device's I/O thread decodes them:
    /// the only exception is the engine's own <see cref="AmqpException"/>, no input takes long, and no input makes
    /// the decoders allocate more than a bound tied to the max-frame-size.
    /// </summary>
    [Collection(MeasuredCollection.Name)]
    public class MutationTests
    {
        private const int Inputs = 100_000;
        private const int Seed = 7_2026;
        private const int MaxFrameSize = (int)ConnectionSettings.DefaultMaxFrameSize;

        // Per input: the decoded values (bounded by the max-frame-size) and the exception.
        private const long AllocationBound = 4L * MaxFrameSize + 16 * 1024;
        private const long TimeBoundMs = 250;

        private static readonly byte[] Interesting = { 0x00, 0x01, 0x02, 0x40, 0x41, 0x45, 0x53, 0x70, 0x7F, 0x80, 0xA0, 0xA1, 0xA3, 0xB0, 0xC0, 0xC1, 0xD0, 0xD1, 0xE0, 0xF0, 0xFE, 0xFF };
        private static readonly uint[] InterestingSizes = { 0, 1, 2, 7, 8, 9, 0x7F, 0x80, 0xFF, 0x100, 511, 512, 4095, 4096, 4097, 0x7FFFFFFF, 0x80000000, 0xFFFFFFFF };

        private readonly ITestOutputHelper output;

        public MutationTests(ITestOutputHelper output) => this.output = output;

        [Fact]
        public void Corpus_DecodesCleanly_AndCoversEveryFrameKind()
        {
            IReadOnlyList<byte[]> corpus = FrameCorpus.Frames;
            var target = new FrameDecodeTarget();
            int messages = 0;
            foreach (byte[] frame in corpus)
            {
                var e = Assert.Throws<AmqpException>(() => target.Run(frame, MaxFrameSize));
                Assert.True(e.Condition == ErrorCode.ConnectionLost, Convert.ToHexString(frame) + ": " + e.Message);
                Assert.Equal(1, target.Frames); // the frame; then the end of input
                messages += target.Messages;
            }
            var kinds = corpus.Select(Kind).Distinct().OrderBy(k => k).ToList();
            output.WriteLine($"{corpus.Count} distinct frames, {messages} messages: {string.Join(", ", kinds)}");
            foreach (string kind in new[] { "open", "begin", "attach", "flow", "transfer", "disposition", "detach", "end", "close", "sasl-mechanisms", "sasl-init", "sasl-outcome" })
                Assert.Contains(kind, kinds);
            Assert.True(messages >= 4, "transfers with messages: " + messages);
            ExportForFuzzing(corpus);
        }

        [Fact]
        public void HundredThousandMutatedFrames_OnlyAmqpErrors_NoHang_AllocationBounded()
        {
            IReadOnlyList<byte[]> corpus = FrameCorpus.Frames;
            var random = new Random(Seed);
            var target = new FrameDecodeTarget();
            var conditions = new Dictionary<string, int>();
            var crashes = new List<string>();
            long maxAllocated = 0, maxMs = 0, totalFrames = 0;
            byte[] worstAllocation = null;
            var watch = Stopwatch.StartNew();
            var each = new Stopwatch();
            for (int i = 0; i < Inputs; i++)
            {
                byte[] input = Mutate(corpus[random.Next(corpus.Count)], corpus[random.Next(corpus.Count)], random);
                long before = GC.GetAllocatedBytesForCurrentThread();
                each.Restart();
                try
                {
                    target.Run(input, MaxFrameSize);
                }
                catch (AmqpException e)
                {
                    conditions[e.Condition] = conditions.GetValueOrDefault(e.Condition) + 1;
                }
                catch (Exception e)
                {
                    if (crashes.Count < 10) crashes.Add(e.GetType().Name + ": " + e.Message + " <- " + Convert.ToHexString(input) + "\n" + e.StackTrace);
                }
                each.Stop();
                long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
                totalFrames += target.Frames;
                if (allocated > maxAllocated)
                {
                    maxAllocated = allocated;
                    worstAllocation = input;
                }
                maxMs = Math.Max(maxMs, each.ElapsedMilliseconds);
            }
            watch.Stop();

            string figures = $"mutation: {Inputs} inputs from {corpus.Count} frames in {watch.ElapsedMilliseconds} ms, {totalFrames} frames read; " +
                string.Join(", ", conditions.OrderByDescending(c => c.Value).Select(c => c.Key + " " + c.Value)) +
                $"; other exceptions {crashes.Count}; max allocation per input {maxAllocated} bytes (bound {AllocationBound}); slowest input {maxMs} ms";
            output.WriteLine(figures);
            Console.WriteLine(figures);
            Assert.True(crashes.Count == 0, "not an AmqpException:\n" + string.Join("\n\n", crashes));
            Assert.True(maxAllocated <= AllocationBound, $"{maxAllocated} bytes for {Convert.ToHexString(worstAllocation)}");
            Assert.InRange(maxMs, 0, TimeBoundMs);
            Assert.All(conditions.Keys, c => Assert.Contains(c, new[] { ErrorCode.DecodeError, ErrorCode.FramingError, ErrorCode.InvalidField, ErrorCode.NotImplemented, ErrorCode.ConnectionLost }));
        }

        /// <summary>One to three stacked mutations; most keep the frame's size field true so the body decoders run.</summary>
        internal static byte[] Mutate(byte[] seed, byte[] other, Random r)
        {
            byte[] x = seed;
            int ops = 1 + (r.Next(3) == 0 ? 1 + r.Next(2) : 0);
            bool sizeTouched = false;
            for (int k = 0; k < ops; k++)
            {
                switch (r.Next(8))
                {
                    case 0: // bit flips
                        x = (byte[])x.Clone();
                        for (int n = 1 + r.Next(4); n > 0 && x.Length > 0; n--) x[r.Next(x.Length)] ^= (byte)(1 << r.Next(8));
                        break;
                    case 1: // byte changes, to random or interesting values (format codes, limits)
                        x = (byte[])x.Clone();
                        for (int n = 1 + r.Next(4); n > 0 && x.Length > 0; n--)
                            x[r.Next(x.Length)] = r.Next(2) == 0 ? (byte)r.Next(256) : Interesting[r.Next(Interesting.Length)];
                        break;
                    case 2: // truncation
                        x = x.AsSpan(0, r.Next(x.Length + 1)).ToArray();
                        break;
                    case 3: // the frame's own size field
                        if (x.Length >= 4)
                        {
                            x = (byte[])x.Clone();
                            uint size = r.Next(2) == 0 ? InterestingSizes[r.Next(InterestingSizes.Length)] : (uint)(x.Length + r.Next(-8, 9));
                            BinaryPrimitives.WriteUInt32BigEndian(x, size);
                            sizeTouched = true;
                        }
                        break;
                    case 4: // a size or count inside the body: one byte (list8, str8) or four (list32, str32)
                        if (x.Length > 9)
                        {
                            x = (byte[])x.Clone();
                            int at = 8 + r.Next(x.Length - 8);
                            uint v = InterestingSizes[r.Next(InterestingSizes.Length)];
                            if (r.Next(2) == 0 || at + 4 > x.Length) x[at] = (byte)(r.Next(2) == 0 ? v : (uint)(x.Length - at));
                            else BinaryPrimitives.WriteUInt32BigEndian(x.AsSpan(at), r.Next(2) == 0 ? v : (uint)(x.Length - at));
                        }
                        break;
                    case 5: // splice: the start of one frame, the end of another
                        {
                            int a = r.Next(x.Length + 1), b = r.Next(other.Length + 1);
                            x = x.AsSpan(0, a).ToArray().Concat(other.AsSpan(b).ToArray()).ToArray();
                        }
                        break;
                    case 6: // insert random bytes, or repeat a chunk
                        {
                            int at = r.Next(x.Length + 1);
                            byte[] ins;
                            if (r.Next(2) == 0 || x.Length == 0)
                            {
                                ins = new byte[1 + r.Next(16)];
                                r.NextBytes(ins);
                            }
                            else
                            {
                                int from = r.Next(x.Length);
                                ins = x.AsSpan(from, Math.Min(x.Length - from, 1 + r.Next(64))).ToArray();
                            }
                            x = x.AsSpan(0, at).ToArray().Concat(ins).Concat(x.AsSpan(at).ToArray()).ToArray();
                        }
                        break;
                    default: // delete a chunk
                        if (x.Length > 0)
                        {
                            int at = r.Next(x.Length);
                            int n = Math.Min(x.Length - at, 1 + r.Next(16));
                            x = x.AsSpan(0, at).ToArray().Concat(x.AsSpan(at + n).ToArray()).ToArray();
                        }
                        break;
                }
            }
            // Keep the size field true most of the time: the frame reader then hands the mutated body to the decoders.
            if (!sizeTouched && x.Length >= 8 && r.Next(10) < 8) BinaryPrimitives.WriteUInt32BigEndian(x, (uint)x.Length);
            return x;
        }

        private static string Kind(byte[] frame)
        {
            // The descriptor code follows the 8-byte header: 00 53 xx (smallulong) in everything the peers send.
            if (frame.Length < 11 || frame[8] != 0x00 || frame[9] != 0x53) return "other";
            return frame[10] switch
            {
                0x10 => "open", 0x11 => "begin", 0x12 => "attach", 0x13 => "flow", 0x14 => "transfer", 0x15 => "disposition",
                0x16 => "detach", 0x17 => "end", 0x18 => "close", 0x40 => "sasl-mechanisms", 0x41 => "sasl-init", 0x44 => "sasl-outcome",
                _ => "0x" + frame[10].ToString("x2"),
            };
        }

        // FUZZ_CORPUS_OUT=dir writes the corpus as one file per frame (fuzz/run.sh seeds afl-fuzz with them).
        private static void ExportForFuzzing(IReadOnlyList<byte[]> corpus)
        {
            string dir = Environment.GetEnvironmentVariable("FUZZ_CORPUS_OUT");
            if (string.IsNullOrEmpty(dir)) return;
            Directory.CreateDirectory(dir);
            for (int i = 0; i < corpus.Count; i++)
                File.WriteAllBytes(Path.Combine(dir, $"{i:D3}-{Kind(corpus[i])}.bin"), corpus[i]);
        }
    }
}
