// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
using System.Diagnostics;
using System.Text;
using IotHubAmqp.Device.Batching;
using IotHubAmqp.Device;
using IotHubAmqp.Device.IotHub;
using IotHubAmqp.Device.Messaging;
using IotHubAmqp.Device.Platform;
using IotHubAmqp.Device.Platform.Desktop;

namespace IotHubAmqp.SimulatedDevice;

/// <summary>A failure that ends the run with exit code 1; the message is one line and holds no secret.</summary>
internal sealed class RunFailure : Exception
{
    public RunFailure(string message) : base(message) { }
}

/// <summary>
/// One run of the simulated device: (optionally) the in-process hub, the device client, the telemetry loop,
/// the command handler and, in-process, the service side that sends commands and reads their feedback.
/// </summary>
internal sealed partial class Simulator
{
    // The in-process service side sends its first command after this long (or halfway through --messages),
    // then one every CommandEveryMs.
    private const int FirstCommandAfterMs = 3000;
    private const int CommandEveryMs = 30000;

    // After the last message, how long the in-process run waits for the feedback of its commands.
    private const int FeedbackWaitMs = 10000;
    private const int FeedbackPollMs = 100;
    private const int MaxBodyTextChars = 200;

    private readonly CommandLineOptions options;
    private readonly RunStats stats;
    private readonly IEventView view;
    private readonly Random random = new();
    private readonly string runId = Guid.NewGuid().ToString("N").Substring(0, 8);

    // Keeps a command's c2d event ahead of its feedback event in the output.
    private readonly object reportOrder = new();
    // Held around a send and around a reboot's close-and-reopen, so no send meets a closed client.
    private readonly object clientGate = new();
    private InProcessHub? hub;
    private DeviceClient? client;
    private Func<DeviceClient>? newClient;
    private bool stopping;
    private Task? serviceDemo;
    private long lastFeedbackPoll;
    private int opened;
    private int down;

    public Simulator(CommandLineOptions options, RunStats stats, IEventView view)
    {
        this.options = options;
        this.stats = stats;
        this.view = view;
    }

    /// <summary>Runs until --messages are sent or <paramref name="stop"/> fires; returns the exit code.</summary>
    /// <exception cref="RunFailure">The hub could not be started or reached, or refused the device.</exception>
    public int Run(CancellationToken stop)
    {
        try
        {
            return RunClient(stop);
        }
        finally
        {
            hub?.Dispose();
        }
    }

    private int RunClient(CancellationToken stop)
    {
        string connectionString;
        ITransportFactory transports;
        if (options.InProcessHub)
        {
            hub = StartHub();
            connectionString = hub.DeviceConnectionString;
            transports = options.WebSockets
                ? DesktopWebSocketTransportFactory.FromPemFile(hub.CaCertificatePath)
                : DesktopTransportFactory.FromPemFile(hub.CaCertificatePath);
            // The gateway names the AMQP port; over WebSockets the client dials the hub's WebSocket port instead.
            if (options.WebSockets) connectionString = System.Text.RegularExpressions.Regex.Replace(connectionString, "GatewayHostName=[^;]*", "GatewayHostName=127.0.0.1");
        }
        else if (options.DpsScope != null)
        {
            var dpsTransports = new DesktopTransportFactory(options.TrustedCa!);
            connectionString = Provision(dpsTransports);
            transports = options.WebSockets ? new DesktopWebSocketTransportFactory(options.TrustedCa!) : dpsTransports;
        }
        else
        {
            connectionString = options.ConnectionString!;
            transports = options.WebSockets ? new DesktopWebSocketTransportFactory(options.TrustedCa!) : new DesktopTransportFactory(options.TrustedCa!);
        }

        if (options.ClientCertificate != null)
        {
            // The same one trusted root, plus the device certificate for mutual TLS (AMQP on 5671 only: see --x509).
            var root = options.InProcessHub ? DesktopTransportFactory.FromPemFile(hub!.CaCertificatePath).TrustedRoot : options.TrustedCa!;
            transports = new DesktopTransportFactory(root, options.ClientCertificate, options.ClientIntermediates);
        }

        var identity = IotHubConnectionString.Parse(connectionString);
        var clientOptions = new DeviceClientOptions
        {
            Authentication = options.Auth,
            TokenLifetimeSeconds = options.TokenTtlSeconds,
            ConnectTimeoutMs = options.ConnectTimeoutMs,
        };
        if (!options.InProcessHub && options.Port is int port) clientOptions.Port = port;
        else if (options.WebSockets) clientOptions.Port = hub != null ? hub.WebSocketPort : IotHubWebSocket.Port;
        string endpoint = Endpoint(identity, clientOptions.Port);

        SetInterval(options.IntervalMs);
        newClient = () =>
        {
            var c = new DeviceClient(identity, transports, new DesktopPlatform(), clientOptions);
            c.StatusChanged += OnStatus;
            c.CloudToDeviceMessage += OnCommand;
            return c;
        };
        DeviceClient client = NewClient();
        AttachTwin(client);
        Volatile.Write(ref this.client, client);
        // Closing unblocks a connect or send in flight, so Ctrl+C takes effect at once.
        using CancellationTokenRegistration closeOnStop = stop.Register(() => Volatile.Read(ref this.client)?.Close());
        try
        {
            client.Open();
        }
        catch (Exception e)
        {
            if (stop.IsCancellationRequested) return Finish(true, stop);
            throw new RunFailure($"cannot connect to {endpoint} as {identity.DeviceId}: {Describe(e)}");
        }

        Interlocked.Exchange(ref opened, 1);
        stats.State("connected");
        Report(new DeviceEvent(EventType.Connected)
        {
            HostName = identity.HostName,
            Endpoint = endpoint,
            DeviceId = identity.DeviceId,
            Auth = options.AuthName,
            InProcessHub = options.InProcessHub,
            WebConsole = hub?.WebConsoleAddress,
            WebConsoleCredentialFile = hub?.WebConsoleCredentialFile,
        });

        if (twinClient != null) StartTwin(twinClient);
        bool allAccepted = SendLoop(identity.DeviceId, stop);
        if (hub != null)
        {
            WaitForFeedback(stop);
            WaitForServiceDemo(stop);
        }

        return Finish(allAccepted, stop);
    }

    private DeviceClient NewClient() => newClient!();

    private InProcessHub StartHub()
    {
        int port = options.Port ?? 0;
        try
        {
            return new InProcessHub(port, runId, options.WebSockets, options.ClientCertificate);
        }
        catch (Exception e)
        {
            throw new RunFailure($"cannot start the in-process hub on 127.0.0.1:{(port == 0 ? "(any port)" : port)}: {e.Message}");
        }
    }

    // Sends until --messages or Ctrl+C; true when every message sent was accepted.
    private bool SendLoop(string deviceId, CancellationToken stop)
    {
        var clock = Stopwatch.StartNew();
        long nextDue = 0;
        long nextCommandAt = FirstCommandAfterMs;
        long commandAtCounter = options.Messages > 0 ? Math.Max(1, (options.Messages + 1) / 2) : long.MaxValue;
        bool allAccepted = true;
        for (long n = 1; options.Messages == 0 || n <= options.Messages; n++)
        {
            if (!WaitUntil(clock, nextDue, stop)) break;
            if (hub != null && (clock.ElapsedMilliseconds >= nextCommandAt || n + options.Batch - 1 >= commandAtCounter))
            {
                SendCommand();
                serviceDemo ??= Task.Run(ServiceDemo);
                nextCommandAt = clock.ElapsedMilliseconds + CommandEveryMs;
                commandAtCounter = long.MaxValue;
            }

            int count = options.Messages > 0 ? (int)Math.Min(options.Batch, options.Messages - n + 1) : options.Batch;
            var batch = new Message[count];
            var ids = new string[count];
            for (int k = 0; k < count; k++)
            {
                double temperature = TelemetryPayload.Temperature(n + k, random);
                byte[] body = TelemetryPayload.Build(deviceId, n + k, temperature, random, DateTimeOffset.UtcNow, options.PayloadBytes);
                ids[k] = $"{runId}-{n + k:D6}";
                batch[k] = new Message(body)
                {
                    Properties = new MessageProperties { MessageId = ids[k], ContentType = "application/json", ContentEncoding = "utf-8" },
                    ApplicationProperties = new AmqpMap(),
                };
                // IoT Hub routing queries can select on application properties without reading the body.
                batch[k].ApplicationProperties["temperatureAlert"] = temperature > 24.0;
                stats.Sent();
                Report(new DeviceEvent(EventType.Sent) { Counter = n + k, MessageId = ids[k], Bytes = body.Length });
            }

            long started = Stopwatch.GetTimestamp();
            SendResult result;
            try
            {
                // --batch N: one transfer and one outcome for all N (message-format 0x80013700).
                lock (clientGate) result = count == 1 ? Volatile.Read(ref client)!.SendTelemetry(batch[0]) : Volatile.Read(ref client)!.SendTelemetryBatch(batch);
            }
            catch (Exception e)
            {
                if (stop.IsCancellationRequested) break;
                allAccepted = false;
                for (int k = 0; k < count; k++)
                {
                    stats.Outcome(false, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                    Report(new DeviceEvent(EventType.Rejected) { Counter = n + k, MessageId = ids[k], Outcome = "Failed", Reason = Describe(e) });
                }
                n += count - 1;
                continue;
            }

            double latency = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            // An outcome cut short by Ctrl+C is not the hub's answer.
            if (!result.IsAccepted && stop.IsCancellationRequested) break;
            if (!result.IsAccepted) allAccepted = false;
            string? reason = result.Condition == null ? null : result.Condition + (result.Description == null ? "" : ": " + result.Description);
            for (int k = 0; k < count; k++)
            {
                stats.Outcome(result.IsAccepted, latency);
                Report(result.IsAccepted
                    ? new DeviceEvent(EventType.Accepted) { Counter = n + k, MessageId = ids[k], LatencyMs = latency }
                    : new DeviceEvent(EventType.Rejected) { Counter = n + k, MessageId = ids[k], LatencyMs = latency, Outcome = result.Outcome.ToString(), Reason = reason });
            }

            n += count - 1;
            nextDue += IntervalMs;
            if (nextDue < clock.ElapsedMilliseconds) nextDue = clock.ElapsedMilliseconds; // behind (a reconnect): no burst
            PollFeedback(false);
        }

        return allAccepted;
    }

    // Waits for the next send time, reading feedback meanwhile; false when stopped.
    private bool WaitUntil(Stopwatch clock, long due, CancellationToken stop)
    {
        while (true)
        {
            if (stop.IsCancellationRequested) return false;
            long left = due - clock.ElapsedMilliseconds;
            if (left <= 0) return true;
            stop.WaitHandle.WaitOne((int)Math.Min(left, FeedbackPollMs));
            PollFeedback(false);
        }
    }

    private void SendCommand()
    {
        DeviceEvent? sent = hub!.SendCommand();
        if (sent == null) return;
        stats.CommandSent();
        Report(sent);
    }

    private void WaitForFeedback(CancellationToken stop)
    {
        var clock = Stopwatch.StartNew();
        while (hub!.PendingFeedback > 0 && clock.ElapsedMilliseconds < FeedbackWaitMs && !stop.IsCancellationRequested)
        {
            stop.WaitHandle.WaitOne(FeedbackPollMs);
            PollFeedback(true);
        }
    }

    private void PollFeedback(bool now)
    {
        if (hub == null) return;
        long tick = Environment.TickCount64;
        if (!now && tick - lastFeedbackPoll < FeedbackPollMs) return;
        lastFeedbackPoll = tick;
        lock (reportOrder)
        {
            foreach (DeviceEvent feedback in hub.TakeFeedback())
            {
                stats.Feedback();
                Report(feedback);
            }
        }
    }

    private int Finish(bool allAccepted, CancellationToken stop)
    {
        lock (clientGate)
        {
            stopping = true;
            Volatile.Read(ref client)?.Close();
        }

        stats.State("closed");
        RunSnapshot totals = stats.Snapshot();
        // Ctrl+C is a normal way to end a run; otherwise --messages N passes only when all N were accepted.
        int code = stop.IsCancellationRequested || allAccepted ? 0 : 1;
        Report(new DeviceEvent(EventType.Summary) { Totals = totals, ExitCode = code });
        if (code != 0)
        {
            throw new RunFailure($"{totals.Accepted} of {totals.Sent} messages were accepted");
        }

        return code;
    }

    private void OnStatus(DeviceClient sender, ClientStatus status, string reason)
    {
        stats.Reconnects(sender.Reconnects);
        bool isOpen = Volatile.Read(ref opened) == 1;
        switch (status)
        {
            case ClientStatus.TokenRenewed:
                stats.Renewed();
                Report(new DeviceEvent(EventType.Renewed) { Reason = reason });
                break;
            case ClientStatus.TokenRenewalFailed:
                Report(new DeviceEvent(EventType.RenewalFailed) { Reason = reason });
                break;
            case ClientStatus.Reconnecting:
                stats.State("reconnecting");
                // Reported once per outage; each failed attempt also arrives here.
                if (Interlocked.Exchange(ref down, 1) == 0) Report(new DeviceEvent(EventType.Disconnected) { Reason = reason });
                break;
            case ClientStatus.Connected:
                stats.State("connected");
                if (isOpen && Interlocked.Exchange(ref down, 0) == 1) Report(new DeviceEvent(EventType.Reconnected) { Reason = reason });
                break;
            case ClientStatus.Disconnected:
                stats.State("disconnected");
                if (isOpen) Report(new DeviceEvent(EventType.Disconnected) { Reason = reason });
                break;
        }
    }

    // On the client's dispatch thread: settle the command as --c2d says, then report it.
    private void OnCommand(DeviceClient sender, C2dMessage command)
    {
        lock (reportOrder)
        {
            stats.CommandReceived();
            string? failure = null;
            try
            {
                switch (options.C2d)
                {
                    case C2dAction.Complete: sender.Complete(command); break;
                    case C2dAction.Reject: sender.Reject(command); break;
                    default: sender.Abandon(command); break;
                }
            }
            catch (Exception e)
            {
                failure = Describe(e);
            }

            Report(new DeviceEvent(EventType.C2d)
            {
                MessageId = command.MessageId,
                Body = BodyText(command.Body),
                Action = options.C2d.ToString().ToLowerInvariant(),
                DeliveryCount = command.DeliveryCount,
                Reason = failure,
            });
        }
    }

    private void Report(DeviceEvent e) => view.Show(e, stats.Snapshot());

    private static string Endpoint(IotHubConnectionString identity, int port)
    {
        string host = identity.GatewayHostName ?? identity.HostName;
        return host.Contains(':', StringComparison.Ordinal) ? host : host + ":" + port;
    }

    private static string? BodyText(byte[]? body)
    {
        if (body == null) return null;
        string text = Encoding.UTF8.GetString(body);
        return text.Length <= MaxBodyTextChars ? text : text.Substring(0, MaxBodyTextChars) + "...";
    }

    // One line: the SDK's messages name the cause and never hold a key or token.
    private static string Describe(Exception e)
    {
        string message = e is AmqpException ? e.Message : e.Message.Length > 0 ? e.Message : e.GetType().Name;
        return message.ReplaceLineEndings(" ");
    }
}
