// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
using System.Runtime.InteropServices;
using IotHubAmqp.SimulatedDevice;

// The simulated device: parse the options, pick the output (live view, plain lines or JSON), run until
// --messages are sent or Ctrl+C, and exit with 0 (done), 1 (runtime failure) or 2 (bad command line).
// Every failure is one line on stderr.
const string Name = "simulated-device";

CommandLineOptions options;
try
{
    options = CommandLineOptions.Parse(args);
}
catch (UsageException e)
{
    Console.Error.WriteLine($"{Name}: {e.Message} (see --help)");
    return 2;
}

if (options.ShowHelp)
{
    Console.Out.Write(CommandLineOptions.HelpText);
    return 0;
}

using var stop = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true; // stop cleanly: close the client, stop the hub, then exit
    stop.Cancel();
};
using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context =>
{
    context.Cancel = true;
    stop.Cancel();
});

var stats = new RunStats();
int code;
string? failure = null;
using (IEventView view = options.Json ? new JsonEventWriter(Console.Out)
    : Console.IsOutputRedirected ? new PlainLineView(Console.Out)
    : new LiveView(Console.Out, stats, options.C2d.ToString().ToLowerInvariant()))
{
    try
    {
        code = new Simulator(options, stats, view).Run(stop.Token);
    }
    catch (RunFailure e)
    {
        failure = e.Message;
        code = 1;
    }
    catch (Exception e)
    {
        failure = "unexpected " + e.GetType().Name + ": " + e.Message.ReplaceLineEndings(" ");
        code = 1;
    }
}

if (failure != null) Console.Error.WriteLine($"{Name}: {failure}");
Console.Out.Flush();
// The SDK's worker threads are foreground threads; after Close they end on their own, but exiting here
// keeps a slow one from delaying the exit code a script waits for.
Environment.Exit(code);
return code;
