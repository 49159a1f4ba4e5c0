// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
using System.Globalization;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using IotHubAmqp.Device.IotHub;

namespace IotHubAmqp.SimulatedDevice;

/// <summary>What the device does with a cloud-to-device command.</summary>
internal enum C2dAction
{
    Complete,
    Reject,
    Abandon,
}

/// <summary>A bad command line; the message names the option and never repeats a key.</summary>
internal sealed class UsageException : Exception
{
    public UsageException(string message) : base(message) { }
}

/// <summary>The parsed command line.</summary>
internal sealed partial class CommandLineOptions
{
    public const int DefaultIntervalMs = 1000;
    public const int DefaultConnectTimeoutMs = 30000;
    public const int DefaultTokenTtlSeconds = 3600;
    public const int MinTokenTtlSeconds = 2;
    public const int MaxIntervalMs = 3_600_000;
    public const int MaxConnectTimeoutMs = 600_000;
    public const int MaxPort = 65535;
    public const int MaxBatch = 500;

    public bool ShowHelp { get; private set; }

    /// <summary>The device connection string, or null to run the local hub in-process.</summary>
    public string? ConnectionString { get; private set; }

    /// <summary>Port of the remote hub, or of the in-process hub (0 = any free port); null when not given.</summary>
    public int? Port { get; private set; }

    /// <summary>The root CA from --trusted-ca (remote hubs only).</summary>
    public X509Certificate2? TrustedCa { get; private set; }

    public AuthenticationMode Auth { get; private set; } = AuthenticationMode.Cbs;

    /// <summary>Messages to send before exiting; 0 = until Ctrl+C.</summary>
    public int Messages { get; private set; }

    public int IntervalMs { get; private set; } = DefaultIntervalMs;

    /// <summary>Minimum telemetry body size (the JSON is padded up to it); 0 = no padding.</summary>
    public int PayloadBytes { get; private set; }

    public int TokenTtlSeconds { get; private set; } = DefaultTokenTtlSeconds;

    public C2dAction C2d { get; private set; } = C2dAction.Complete;

    public bool Json { get; private set; }

    /// <summary>AMQP over WebSockets (wss://host:443/$iothub/websocket) instead of TCP 5671.</summary>
    public bool WebSockets { get; private set; }

    /// <summary>Messages per batched transfer (message-format 0x80013700); 1 = single sends.</summary>
    public int Batch { get; private set; } = 1;

    public int ConnectTimeoutMs { get; private set; } = DefaultConnectTimeoutMs;


    /// <summary>The DPS id scope from --dps: register first, then connect to the assigned hub; null = no DPS.</summary>
    public string? DpsScope { get; private set; }

    /// <summary>The DPS endpoint (host or host:port); the public global endpoint by default.</summary>
    public string DpsEndpoint { get; private set; } = "global.azure-devices-provisioning.net";

    public string? RegistrationId { get; private set; }

    /// <summary>An individual enrollment's key (--dps-key) or an enrollment group's key (--dps-group-key); a secret, never printed.</summary>
    public string? DpsKey { get; private set; }

    public bool DpsGroupKey { get; private set; }

    /// <summary>--gateway HOST[:PORT]: where the assigned hub is really reached (a local hub), as GatewayHostName.</summary>
    public string? Gateway { get; private set; }

    public bool InProcessHub => ConnectionString == null && DpsScope == null;

    /// <summary>The name --auth takes for <see cref="Auth"/>.</summary>
    public string AuthName => ClientCertificate != null ? "x509" : Auth switch
    {
        AuthenticationMode.SaslPlain => "plain",
        AuthenticationMode.CbsWithSaslAnonymous => "cbs-anonymous",
        _ => "cbs",
    };

    public static string HelpText => """
        Usage: dotnet run --project simulated-device [-- OPTIONS]

        A simulated device built on the IotHubAmqp.Device SDK. It sends JSON telemetry at a fixed interval,
        renews its token, reconnects after faults and settles cloud-to-device commands, with a live view.
        Without --connection-string it starts a local IoT Hub in this process, and that hub's service side
        sends the device a command (ack=full) after a few seconds and shows the feedback.

        Options:
          --connection-string CS   device connection string of any hub (Azure IoT Hub included);
                                   no in-process hub is started
          --trusted-ca FILE        root CA certificate (PEM or DER) of that hub; required with
                                   --connection-string (Azure: DigiCert Global Root G2)
          --port N                 hub port (default 5671); for the in-process hub: the port to listen on
                                   (default: any free port)
          --auth MODE              cbs (default), cbs-anonymous or plain
          --x509 CERT KEY          authenticate with a device certificate (PEM, leaf first) and its
                                   unencrypted PEM key: mutual TLS, no SAS token; with --connection-string
                                   it must say x509=true, the in-process hub registers its thumbprint
          --messages N             send N messages, then exit: 0 if all were accepted, else 1
                                   (default: until Ctrl+C)
          --interval MS            time between messages (default 1000; 0 = as fast as accepted)
          --payload-bytes N        pad the JSON payload to N bytes (at most 262144)
          --token-ttl SECONDS      lifetime of the SAS tokens the device signs (default 3600, at least 2)
          --c2d ACTION             what the device does with commands: complete (default), reject, abandon
          --connect-timeout MS     time allowed for the first connect (default 30000)
          --json                   one JSON object per line for each event, instead of the live view
          --websockets             AMQP over WebSockets (wss://HOST:443/$iothub/websocket; --port changes 443)
          --batch N                send N messages per batched transfer, one outcome each (default 1, at most 500)
          --dps SCOPE              register with the Device Provisioning Service (id scope SCOPE) over AMQP
                                   first, then connect to the hub it assigns; needs --registration-id, one of
                                   --dps-key / --dps-group-key, and --trusted-ca
          --dps-endpoint HOST[:PORT]  DPS endpoint (default global.azure-devices-provisioning.net)
          --registration-id ID     the registration id (individual enrollment, or the device within a group)
          --dps-key KEY            symmetric key of an individual enrollment (base64)
          --dps-group-key KEY      symmetric key of an enrollment group: the device key is derived from it
          --gateway HOST[:PORT]    reach the assigned hub at this address (e.g. 127.0.0.1:5671 for a local hub)
          -h, --help               show this help

        Exit codes: 0 done (or stopped with Ctrl+C), 1 runtime failure (hub unreachable, refused, or not every
        message accepted), 2 bad command line.

        """;

    /// <summary>Parses and checks the arguments; throws <see cref="UsageException"/> naming the first bad option.</summary>
    public static CommandLineOptions Parse(string[] args)
    {
        var o = new CommandLineOptions();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        string? trustedCaPath = null;
        (string Cert, string Key)? x509Paths = null;
        for (int i = 0; i < args.Length; i++)
        {
            string arg = args[i];
            if (arg == "-h" || arg == "--help" || arg == "-?")
            {
                o.ShowHelp = true;
                return o;
            }

            if (!arg.StartsWith("--", StringComparison.Ordinal) || arg.Length == 2)
            {
                // Not echoed when it may be a connection string (and so hold a key).
                throw new UsageException(arg.Contains('=', StringComparison.Ordinal)
                    ? $"unexpected argument {i + 1} (a connection string goes after --connection-string)"
                    : $"unexpected argument '{Shorten(arg)}'");
            }

            string name = arg;
            string? inline = null;
            int eq = arg.IndexOf('=', StringComparison.Ordinal);
            if (eq > 0)
            {
                name = arg.Substring(0, eq);
                inline = arg.Substring(eq + 1);
            }

            if (!IsKnown(name))
            {
                throw new UsageException($"unknown option '{Shorten(name)}'");
            }

            if (!seen.Add(name))
            {
                throw new UsageException($"{name} is given more than once");
            }

            if (name == "--x509")
            {
                // Two values: the certificate file, then the key file.
                if (inline != null || i + 2 >= args.Length || args[i + 1].StartsWith("--", StringComparison.Ordinal)
                    || args[i + 2].StartsWith("--", StringComparison.Ordinal))
                {
                    throw new UsageException("--x509 needs two values: CERT.pem KEY.pem");
                }

                x509Paths = (args[i + 1], args[i + 2]);
                i += 2;
                continue;
            }

            if (name == "--json")
            {
                if (inline != null) throw new UsageException("--json takes no value");
                o.Json = true;
                continue;
            }

            if (name == "--websockets")
            {
                if (inline != null) throw new UsageException("--websockets takes no value");
                o.WebSockets = true;
                continue;
            }

            string value;
            if (inline != null)
            {
                value = inline;
            }
            else if (i + 1 < args.Length && !args[i + 1].StartsWith("--", StringComparison.Ordinal))
            {
                value = args[++i];
            }
            else
            {
                throw new UsageException($"{name} needs a value");
            }

            switch (name)
            {
                case "--connection-string": o.ConnectionString = CheckConnectionString(value); break;
                case "--trusted-ca": trustedCaPath = value; break;
                case "--port": o.Port = Number(name, value, 0, MaxPort, "a port number"); break;
                case "--auth": o.Auth = ParseAuth(value); break;
                case "--batch": o.Batch = Number(name, value, 1, MaxBatch, "a positive whole number"); break;
                case "--messages": o.Messages = Number(name, value, 1, int.MaxValue, "a positive whole number"); break;
                case "--interval": o.IntervalMs = Number(name, value, 0, MaxIntervalMs, "a whole number of milliseconds"); break;
                case "--payload-bytes": o.PayloadBytes = Number(name, value, 1, DeviceClientOptions.MaxTelemetryBytes, "a number of bytes"); break;
                case "--token-ttl": o.TokenTtlSeconds = Number(name, value, MinTokenTtlSeconds, 365 * 24 * 3600, "a whole number of seconds"); break;
                case "--c2d": o.C2d = ParseC2d(value); break;
                case "--connect-timeout": o.ConnectTimeoutMs = Number(name, value, 1, MaxConnectTimeoutMs, "a whole number of milliseconds"); break;
                case "--dps": o.DpsScope = value; break;
                case "--dps-endpoint": o.DpsEndpoint = value; break;
                case "--registration-id": o.RegistrationId = value; break;
                case "--dps-key": o.DpsKey = value; break;
                case "--dps-group-key": o.DpsKey = value; o.DpsGroupKey = true; break;
                case "--gateway": o.Gateway = value; break;
            }
        }

        CheckX509(o, x509Paths);
        CheckDps(o, seen);
        if (o.DpsScope != null)
        {
            if (trustedCaPath == null) throw new UsageException("--trusted-ca FILE is required with --dps (the root CA of DPS and the hub)");
            o.TrustedCa = LoadCertificate(trustedCaPath);
        }
        else if (o.ConnectionString != null)
        {
            if (trustedCaPath == null)
            {
                throw new UsageException("--trusted-ca FILE is required with --connection-string (the hub's root CA, e.g. DigiCert Global Root G2 for Azure)");
            }

            if (o.Port == 0)
            {
                throw new UsageException("--port must be between 1 and 65535 with --connection-string");
            }

            o.TrustedCa = LoadCertificate(trustedCaPath);
        }
        else if (trustedCaPath != null)
        {
            throw new UsageException("--trusted-ca applies only with --connection-string (the in-process hub brings its own CA)");
        }

        return o;
    }

    private static bool IsKnown(string name) => name switch
    {
        "--connection-string" or "--trusted-ca" or "--port" or "--auth" or "--messages" or "--interval"
            or "--payload-bytes" or "--token-ttl" or "--c2d" or "--json" or "--connect-timeout" or "--x509" => true,
        "--websockets" or "--batch" => true,
        "--dps" or "--dps-endpoint" or "--registration-id" or "--dps-key" or "--dps-group-key" or "--gateway" => true,
        _ => false,
    };

    // The DPS options go together; the SDK's checks name what is wrong and never echo a key.
    private static void CheckDps(CommandLineOptions o, HashSet<string> seen)
    {
        bool any = seen.Contains("--dps-endpoint") || seen.Contains("--registration-id") || seen.Contains("--dps-key")
            || seen.Contains("--dps-group-key") || seen.Contains("--gateway");
        if (o.DpsScope == null)
        {
            if (any) throw new UsageException("--dps-endpoint, --registration-id, --dps-key, --dps-group-key and --gateway apply only with --dps SCOPE");
            return;
        }
        if (o.ConnectionString != null) throw new UsageException("--dps and --connection-string exclude each other (DPS supplies the hub)");
        if (o.RegistrationId == null) throw new UsageException("--dps needs --registration-id ID");
        if (o.DpsKey == null) throw new UsageException("--dps needs --dps-key KEY (individual enrollment) or --dps-group-key KEY (enrollment group)");
        if (seen.Contains("--dps-key") && seen.Contains("--dps-group-key")) throw new UsageException("--dps-key and --dps-group-key exclude each other");
        try
        {
            IotHubAmqp.Device.Provisioning.ProvisioningAttestation.SymmetricKey(o.RegistrationId, o.DpsKey);
        }
        catch (ArgumentException e)
        {
            throw new UsageException((o.DpsGroupKey ? "--dps-group-key/--registration-id: " : "--dps-key/--registration-id: ") + e.Message);
        }
    }

    private static int Number(string name, string value, int min, int max, string what)
    {
        if (!int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out int n))
        {
            throw new UsageException($"{name}: '{Shorten(value)}' is not {what}");
        }

        if (n < min || n > max)
        {
            throw new UsageException($"{name}: {n} is out of range ({min} to {max})");
        }

        return n;
    }

    private static AuthenticationMode ParseAuth(string value) => value.ToLowerInvariant() switch
    {
        "cbs" => AuthenticationMode.Cbs,
        "cbs-anonymous" => AuthenticationMode.CbsWithSaslAnonymous,
        "plain" => AuthenticationMode.SaslPlain,
        _ => throw new UsageException($"--auth: '{Shorten(value)}' is not one of cbs, cbs-anonymous, plain"),
    };

    private static C2dAction ParseC2d(string value) => value.ToLowerInvariant() switch
    {
        "complete" => C2dAction.Complete,
        "reject" => C2dAction.Reject,
        "abandon" => C2dAction.Abandon,
        _ => throw new UsageException($"--c2d: '{Shorten(value)}' is not one of complete, reject, abandon"),
    };

    private static string CheckConnectionString(string value)
    {
        try
        {
            // The SDK's messages name the field and never repeat a key or token.
            IotHubConnectionString.Parse(value);
        }
        catch (ArgumentException e)
        {
            throw new UsageException("--connection-string: " + e.Message);
        }

        return value;
    }

    private static X509Certificate2 LoadCertificate(string path)
    {
        if (!File.Exists(path))
        {
            throw new UsageException($"--trusted-ca: file not found: {path}");
        }

        try
        {
            byte[] bytes = File.ReadAllBytes(path);
            string text = System.Text.Encoding.ASCII.GetString(bytes);
            return text.Contains("-----BEGIN CERTIFICATE-----", StringComparison.Ordinal)
                ? X509Certificate2.CreateFromPem(text)
                : X509CertificateLoader.LoadCertificate(bytes);
        }
        catch (Exception e) when (e is CryptographicException || e is IOException || e is UnauthorizedAccessException)
        {
            throw new UsageException($"--trusted-ca: {path} holds no readable certificate (PEM or DER)");
        }
    }

    // Echoes a bad value back without flooding the line (a pasted key would be long).
    private static string Shorten(string value) => value.Length <= 40 ? value : value.Substring(0, 37) + "...";
}
