// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
using System.Reflection;
using System.Runtime.ExceptionServices;
using IotHubAmqp.Device;
using IotHubAmqp.Device.Platform;
using SharpFuzz;

namespace IotHubAmqp.Device.Fuzz
{
    /// <summary>
    /// Fuzz targets over the device's decoders, as the I/O thread runs them:
    /// <c>frames</c>: FrameReader (max-frame-size 4096), the performative or SASL decoder named by the
    /// descriptor, and MessageCodec.Decode behind a transfer; <c>message</c>: MessageCodec.Decode of the input.
    /// An AmqpException is the decoders' way to refuse input; anything else escapes and AFL++ records a crash.
    /// The decoders are internal: this harness reaches them by reflection (the device assembly grants
    /// InternalsVisibleTo to its test projects only).
    /// Usage: <c>dotnet IotHubAmqp.Device.Fuzz.dll frames|message</c> under afl-fuzz, or
    /// <c>... frames|message --replay FILE...</c> to run inputs once and print what each does.
    /// </summary>
    public static class Program
    {
        private const int MaxFrameSize = 4096;
        private static readonly Assembly Device = typeof(AmqpException).Assembly;
        private static readonly Type ByteBufferType = Device.GetType("IotHubAmqp.Device.Buffers.ByteBuffer", true);
        private static readonly ConstructorInfo NewByteBuffer = ByteBufferType.GetConstructor(BindingFlags.Public | BindingFlags.Instance, new[] { typeof(byte[]), typeof(int), typeof(int) });
        private static readonly PropertyInfo Length = ByteBufferType.GetProperty("Length");
        private static readonly Type FrameReaderType = Device.GetType("IotHubAmqp.Device.Framing.FrameReader", true);
        private static readonly MethodInfo ReadFrame = FrameReaderType.GetMethod("ReadFrame");
        private static readonly FieldInfo FrameType = FrameReaderType.GetField("Type");
        private static readonly MethodInfo ReadDescriptor = Device.GetType("IotHubAmqp.Device.Types.Decoder", true).GetMethod("ReadDescriptor");
        private static readonly MethodInfo DecodeMessage = Device.GetType("IotHubAmqp.Device.Messaging.MessageCodec", true).GetMethod("Decode");
        private static readonly Dictionary<ulong, Decoder> Amqp = Decoders("Framing", 0x10, "Open", "Begin", "Attach", "Flow", "Transfer", "Disposition", "Detach", "End", "Close");
        private static readonly Dictionary<ulong, Decoder> Sasl = Decoders("Sasl", 0x40, "SaslMechanisms", "SaslInit", "SaslChallenge", "SaslResponse", "SaslOutcome");
        private const ulong TransferCode = 0x14;

        public static int Main(string[] args)
        {
            string mode = args.Length > 0 ? args[0] : "frames";
            Action<byte[]> target = mode switch
            {
                "frames" => Frames,
                "message" => Message,
                _ => null,
            };
            if (target == null)
            {
                Console.Error.WriteLine("usage: IotHubAmqp.Device.Fuzz frames|message [--replay FILE...]");
                return 2;
            }
            if (args.Length > 1 && args[1] == "--replay")
            {
                int crashes = 0;
                foreach (string file in args.Skip(2))
                {
                    string outcome;
                    try
                    {
                        Guarded(target, File.ReadAllBytes(file));
                        outcome = "ok";
                    }
                    catch (Exception e)
                    {
                        crashes++;
                        outcome = "CRASH " + e.GetType().Name + ": " + e.Message + "\n" + e.StackTrace;
                    }
                    Console.WriteLine(Path.GetFileName(file) + ": " + outcome);
                }
                return crashes == 0 ? 0 : 1;
            }
            Fuzzer.OutOfProcess.Run(stream =>
            {
                using var copy = new MemoryStream();
                stream.CopyTo(copy);
                Guarded(target, copy.ToArray());
            });
            return 0;
        }

        // Runs a target; an AmqpException is a refusal, anything else goes on to the fuzzer as a crash.
        private static void Guarded(Action<byte[]> target, byte[] input)
        {
            try
            {
                target(input);
            }
            catch (TargetInvocationException e) when (e.InnerException is AmqpException)
            {
            }
            catch (AmqpException)
            {
            }
            catch (TargetInvocationException e)
            {
                ExceptionDispatchInfo.Capture(e.InnerException).Throw();
            }
        }

        private static void Frames(byte[] input)
        {
            object reader = Activator.CreateInstance(FrameReaderType, BindingFlags.Public | BindingFlags.Instance, null, new object[] { new InputTransport(input), MaxFrameSize }, null);
            object view = NewByteBuffer.Invoke(new object[] { new byte[0], 0, 0 });
            while (true)
            {
                object body = ReadFrame.Invoke(reader, new[] { view });
                if ((int)Length.GetValue(body) == 0) continue;
                ulong code = (ulong)ReadDescriptor.Invoke(null, new[] { body });
                bool sasl = (byte)FrameType.GetValue(reader) == 1;
                if (!(sasl ? Sasl : Amqp).TryGetValue(code, out Decoder d))
                    throw new AmqpException(ErrorCode.DecodeError, "unknown performative");
                d.Decode.Invoke(d.Instance, new[] { body });
                if (!sasl && code == TransferCode && (int)Length.GetValue(body) > 0) DecodeMessage.Invoke(null, new[] { body });
            }
        }

        private static void Message(byte[] input) => DecodeMessage.Invoke(null, new[] { NewByteBuffer.Invoke(new object[] { input, 0, input.Length }) });

        private static Dictionary<ulong, Decoder> Decoders(string ns, ulong first, params string[] names)
        {
            var map = new Dictionary<ulong, Decoder>();
            for (int i = 0; i < names.Length; i++)
            {
                Type t = Device.GetType("IotHubAmqp.Device." + ns + "." + names[i], true);
                map[first + (ulong)i] = new Decoder(Activator.CreateInstance(t, true), t.GetMethod("Decode", new[] { ByteBufferType }));
            }
            return map;
        }

        private sealed record Decoder(object Instance, MethodInfo Decode);

        /// <summary>Hands the input over in reads of at most 1 KB, then reports that the peer closed.</summary>
        private sealed class InputTransport : ITransport
        {
            private readonly byte[] input;
            private int at;

            public InputTransport(byte[] input) => this.input = input;

            public void Send(byte[] buffer, int offset, int count)
            {
            }

            public int Receive(byte[] buffer, int offset, int count)
            {
                int n = Math.Min(Math.Min(count, input.Length - at), 1024);
                Array.Copy(input, at, buffer, offset, n);
                at += n;
                return n;
            }

            public void Close()
            {
            }
        }
    }
}
