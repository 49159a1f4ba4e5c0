// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
using System.Reflection;
using System.Runtime.ExceptionServices;
using IotHubAmqp.Device;
using SharpFuzz;

namespace IotHubAmqp.Device.Fuzz
{
    /// <summary>
    /// Fuzz targets over the device's decoders, as the I/O thread runs them:
    /// <c>frames</c>: the engine's input path (Connection.Received, max-frame-size 4096), fed the input twice: once
    /// in the SASL exchange (after the peer's SASL header), once opened with a mapped session, so the frame parser,
    /// the SASL and performative decoders, dispatch and MessageCodec.Decode behind a transfer all see it;
    /// <c>message</c>: MessageCodec.Decode of the input. Received turns a peer's bad input into the connection's
    /// error (an AmqpException); any exception out of it is a crash for AFL++, as is an AmqpException from
    /// MessageCodec.Decode that is not one. The engine is internal: this harness reaches it by reflection (the
    /// device assembly grants InternalsVisibleTo to its test projects only).
    /// Usage: <c>dotnet IotHubAmqp.Device.Fuzz.dll frames|message</c> under afl-fuzz, or
    /// <c>... frames|message --replay FILE...</c> to run inputs once and print what each does.
    /// </summary>
    public static class Program
    {
        private const int MaxFrameSize = 4096;
        private static readonly Assembly Device = typeof(AmqpException).Assembly;
        private static readonly Type ByteBufferType = Device.GetType("IotHubAmqp.Device.Buffers.ByteBuffer", true);
        private static readonly ConstructorInfo NewByteBuffer = ByteBufferType.GetConstructor(BindingFlags.Public | BindingFlags.Instance, new[] { typeof(byte[]), typeof(int), typeof(int) });
        private static readonly MethodInfo DecodeMessage = Device.GetType("IotHubAmqp.Device.Messaging.MessageCodec", true).GetMethod("Decode");
        private static readonly Type ConnectionType = Device.GetType("IotHubAmqp.Device.Engine.Connection", true);
        private static readonly Type SettingsType = Device.GetType("IotHubAmqp.Device.Engine.ConnectionSettings", true);
        private static readonly MethodInfo Anonymous = Device.GetType("IotHubAmqp.Device.Sasl.SaslProfile", true).GetMethod("Anonymous");
        private static readonly MethodInfo Open = ConnectionType.GetMethod("Open");
        private static readonly MethodInfo Received = ConnectionType.GetMethod("Received", new[] { typeof(byte[]), typeof(int), typeof(int), typeof(long) });
        private static readonly MethodInfo BeginSession = ConnectionType.GetMethod("BeginSession");
        private static readonly PropertyInfo HasOutput = ConnectionType.GetProperty("HasOutput");
        private static readonly MethodInfo GetOutput = ConnectionType.GetMethod("GetOutput");
        private static readonly MethodInfo OutputWritten = ConnectionType.GetMethod("OutputWritten");
        private static readonly MethodInfo NextEvent = ConnectionType.GetMethod("NextEvent");
        private static readonly PropertyInfo IsOpen = ConnectionType.GetProperty("IsOpen");

        // The peer's side: SASL header; AMQP header and open (container-id "p"); begin answering channel 0.
        private static readonly byte[] PeerSaslHeader = Convert.FromHexString("414d515003010000");
        private static readonly byte[] PeerOpen = Convert.FromHexString("414d5150000100000000001102000000005310c00401a10170");
        private static readonly byte[] PeerBegin = Convert.FromHexString("0000001c02000000005311c00f046000004370000001007000000100");

        public static int Main(string[] args)
        {
            string mode = args.Length > 0 ? args[0] : "frames";
            Action<byte[]> target = mode switch
            {
                "frames" => Frames,
                "message" => Message,
                "json" => JsonText,
                _ => null,
            };
            if (target == null)
            {
                Console.Error.WriteLine("usage: IotHubAmqp.Device.Fuzz frames|message|json [--replay FILE...]");
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

        private static readonly MethodInfo Utf8Decode = Device.GetType("IotHubAmqp.Device.Types.Utf8", true).GetMethod("Decode", new[] { typeof(byte[]), typeof(int), typeof(int) });
        private static readonly Assembly TwinAssembly = typeof(IotHubAmqp.Device.Twin.TwinCollection).Assembly;
        private static readonly MethodInfo JsonParse = TwinAssembly.GetType("IotHubAmqp.Device.Twin.Json", true).GetMethod("Parse", new[] { typeof(byte[]) });
        private static readonly MethodInfo TwinFromJson = typeof(IotHubAmqp.Device.Twin.Twin).GetMethod("FromJson", BindingFlags.NonPublic | BindingFlags.Public | BindingFlags.Static);
        private static readonly Type DpsJson = typeof(IotHubAmqp.Device.Provisioning.ProvisioningException).Assembly.GetType("IotHubAmqp.Device.Provisioning.DpsJson", true);

        // The JSON the hub and DPS send, as the device reads it: the twin's reader on the body's bytes (a document,
        // a desired patch, a path lookup), then the body's UTF-8 decoded for DPS's member reader and the text
        // constructor. An ArgumentException is a refusal.
        private static void JsonText(byte[] input)
        {
            Refusing(() => JsonParse.Invoke(null, new object[] { input }));
            Refusing(() => ((IotHubAmqp.Device.Twin.Twin)TwinFromJson.Invoke(null, new object[] { "d", input })).Properties.Desired.GetByPath("a.b"));
            string text = (string)Utf8Decode.Invoke(null, new object[] { input, 0, input.Length });
            Refusing(() => new IotHubAmqp.Device.Twin.TwinCollection(text).ToJson());
            foreach (string member in new[] { "status", "operationId", "registrationState" })
                Refusing(() => DpsJson.GetMethod("StringMember").Invoke(null, new object[] { text, member }));
        }

        private static void Refusing(Func<object> read)
        {
            try
            {
                read();
            }
            catch (TargetInvocationException e) when (e.InnerException is ArgumentException)
            {
            }
            catch (ArgumentException)
            {
            }
        }

        private static void Frames(byte[] input)
        {
            Feed(NewConnection(true), input);
            object opened = NewConnection(false);
            Feed(opened, PeerOpen);
            BeginSession.Invoke(opened, new object[] { 0u });
            Feed(opened, PeerBegin);
            if (!(bool)IsOpen.GetValue(opened)) throw new InvalidOperationException("the scripted peer did not open the connection");
            Feed(opened, input);
        }

        private static object NewConnection(bool sasl)
        {
            object settings = Activator.CreateInstance(SettingsType);
            SettingsType.GetField("ContainerId").SetValue(settings, "fuzz");
            SettingsType.GetField("MaxFrameSize").SetValue(settings, (uint)MaxFrameSize);
            SettingsType.GetField("IdleTimeoutMs").SetValue(settings, 0u);
            if (sasl) SettingsType.GetField("Sasl").SetValue(settings, Anonymous.Invoke(null, null));
            object c = Activator.CreateInstance(ConnectionType, settings);
            Open.Invoke(c, new object[] { 0L });
            if (sasl) Feed(c, PeerSaslHeader);
            return c;
        }

        // The bytes in, then what the engine wrote and raised taken, as an owner would.
        private static void Feed(object c, byte[] bytes)
        {
            Received.Invoke(c, new object[] { bytes, 0, bytes.Length, 1L });
            var none = new object[3];
            while ((bool)HasOutput.GetValue(c))
            {
                GetOutput.Invoke(c, none);
                OutputWritten.Invoke(c, new object[] { 1L });
            }
            var kinds = new object[1];
            while (NextEvent.Invoke(c, kinds) != null)
            {
            }
        }

        private static void Message(byte[] input) => DecodeMessage.Invoke(null, new[] { NewByteBuffer.Invoke(new object[] { input, 0, input.Length }) });
    }
}
