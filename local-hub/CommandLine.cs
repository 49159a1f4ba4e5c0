namespace IotHubAmqp.LocalHub;

/// <summary>Parses the console flags into <see cref="LocalHubOptions"/>.</summary>
internal static class CommandLine
{
    public const string Usage = """
        Usage: IotHubAmqp.LocalHub [options]
          --port N            TCP port (default 5671; 0 = any free port)
          --rest-port N       HTTPS port of the service REST API (default 0 = any free port)
          --ws-port N         also serve AMQP over WebSockets (wss://.../$iothub/websocket) on HTTPS port N (0 = any free port)
          --module DEV/MOD[:KEY]  add a module identity to a device given with --device (repeatable)
          --hub-name NAME     hub name (default localhub -> NAME.azure-devices.net)
          --device ID[:KEY]   add a device (repeatable; key generated when omitted)
          --device ID:x509:THUMB[,THUMB2]  an X.509 device by SHA-1/SHA-256 thumbprint (primary, secondary)
          --device ID:x509:ca an X.509 device whose certificate a --x509-ca signed (CN = ID)
          --x509-ca PEM       register a CA for CA-signed devices (file or PEM text; repeatable)
          --partitions N      telemetry partitions (default 4)
          --bind ADDRESS      listen address (default 127.0.0.1)
          --registry FILE     JSON registry: {"servicePolicy":{"name","key"},"devices":[{"id","key"}]}
          --service-key KEY   service policy key (default random)
          --cert-dir DIR      where the CA PEM is written (default a temp folder)
          --cert-name NAME    add a name or IP to the server certificate (repeatable), e.g. the PC's LAN IP
          --c2d-lock-seconds N  C2D lock timeout (default 60)
          --twin-ops-per-second N     twin requests per device/module per second before 429 (default 100)
          --method-calls-per-second N method calls per device/module per second before 429 (default 100)
          --verbose           log connections and links
          --dps               start the local DPS endpoint (implied by the --dps-* and --enrollment* options)
          --dps-port N        TLS port of the local DPS (default 0 = any free port)
          --dps-scope SCOPE   id scope of the local DPS (default 0ne00000001)
          --enrollment REGID[:KEY]      individual symmetric-key enrollment (repeatable; key generated when omitted)
          --enrollment-group NAME[:KEY] symmetric-key enrollment group (repeatable; device key = HMAC(group key, reg id))
          --disable-enrollment NAME     mark an enrollment or group as disabled (repeatable)
        """;

    /// <summary>Returns null when help was printed.</summary>
    public static LocalHubOptions? Parse(string[] args)
    {
        var options = new LocalHubOptions();
        var devices = new List<(string Id, string? Key)>();
        string? serviceKey = null;
        var modules = new List<string>();
        var disabled = new List<string>();
        string? registryFile = null;
        DpsOptions Dps() => options.Dps ??= new DpsOptions();
        (string Name, string? Key) Split(string spec)
        {
            var c = spec.IndexOf(':');
            return c < 0 ? (spec, null) : (spec[..c], spec[(c + 1)..]);
        }
        for (var i = 0; i < args.Length; i++)
        {
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value.");
            int NextInt() => int.TryParse(Next(), out var n) && n >= 0 ? n : throw new ArgumentException($"{args[i - 1]} needs a number.");
            switch (args[i])
            {
                case "--port": options.Port = NextInt(); break;
                case "--rest-port": options.RestPort = NextInt(); break;
                case "--ws-port": options.WebSocketPort = NextInt(); break;
                case "--module": modules.Add(Next()); break;
                case "--hub-name": options.HubName = Next(); break;
                case "--partitions": options.Partitions = Math.Max(1, NextInt()); break;
                case "--bind": options.BindAddress = Next(); break;
                case "--registry": registryFile = Next(); options.Registry = DeviceRegistry.LoadFile(registryFile); break;
                case "--dps": Dps(); break;
                case "--dps-port": Dps().Port = NextInt(); break;
                case "--dps-scope": Dps().IdScope = Next(); break;
                case "--enrollment": { var (id, key) = Split(Next()); Dps().Enrollments.AddIndividual(id, key); break; }
                case "--enrollment-group": { var (name, key) = Split(Next()); Dps().Enrollments.AddGroup(name, key); break; }
                case "--disable-enrollment": disabled.Add(Next()); Dps(); break;
                case "--service-key": serviceKey = Next(); break;
                case "--cert-dir": options.CertificateDirectory = Next(); break;
                case "--cert-name": options.ExtraCertificateNames.Add(Next()); break;
                case "--x509-ca": options.Registry.AddCertificateAuthority(ClientCertificates.LoadCaPem(Next())); break;
                case "--c2d-lock-seconds": options.C2dLockTimeout = TimeSpan.FromSeconds(NextInt()); break;
                case "--verbose": options.Log = Console.WriteLine; break;
                case "--twin-ops-per-second": options.TwinOperationsPerSecondPerIdentity = Math.Max(1, NextInt()); break;
                case "--method-calls-per-second": options.MethodCallsPerSecondPerIdentity = Math.Max(1, NextInt()); break;
                case "--device":
                    var spec = Next();
                    var colon = spec.IndexOf(':');
                    devices.Add(colon < 0 ? (spec, null) : (spec[..colon], spec[(colon + 1)..]));
                    break;
                case "-h" or "--help":
                    Console.WriteLine(Usage);
                    return null;
                default: throw new ArgumentException($"Unknown option {args[i]}.");
            }
        }
        if (serviceKey is not null) options.Registry.ServicePolicyKey = serviceKey;
        // A registry file may carry DPS enrollments too ("idScope", "enrollments", "enrollmentGroups").
        if (registryFile is not null && File.ReadAllText(registryFile) is var text && (text.Contains("\"enrollments\"") || text.Contains("\"enrollmentGroups\"")))
        {
            if (Dps().Enrollments.LoadJson(text) is { } scope && !args.Contains("--dps-scope")) Dps().IdScope = scope;
        }
        foreach (var name in disabled)
        {
            if (!Dps().Enrollments.SetEnabled(name, false)) throw new ArgumentException($"--disable-enrollment: no enrollment or group '{name}'.");
        }
        foreach (var (id, key) in devices)
        {
            if (key is not null && key.StartsWith("x509:", StringComparison.Ordinal)) AddX509(options.Registry, id, null, key[5..]);
            else options.Registry.AddDevice(id, key);
        }
        foreach (var spec in modules)
        {
            var slash = spec.IndexOf('/');
            if (slash <= 0) throw new ArgumentException($"--module needs DEVICE/MODULE[:KEY], got '{spec}'.");
            var colon = spec.IndexOf(':', slash);
            if (colon > 0 && spec[(colon + 1)..].StartsWith("x509:", StringComparison.Ordinal))
            {
                AddX509(options.Registry, spec[..slash], spec[(slash + 1)..colon], spec[(colon + 6)..]);
                continue;
            }
            options.Registry.AddModule(spec[..slash], colon < 0 ? spec[(slash + 1)..] : spec[(slash + 1)..colon], colon < 0 ? null : spec[(colon + 1)..]);
        }
        return options;
    }

    // "ca" or "PRIMARY[,SECONDARY]" after "x509:".
    private static void AddX509(DeviceRegistry registry, string deviceId, string? moduleId, string spec)
    {
        var thumbs = spec == "ca" ? new string?[] { null, null } : spec.Split(',');
        if (thumbs.Length > 2 || thumbs.Any(t => t is { Length: 0 }))
            throw new ArgumentException($"x509 needs 'ca' or PRIMARY[,SECONDARY] thumbprints, got '{spec}'.");
        var secondary = thumbs.Length > 1 ? thumbs[1] : null;
        try
        {
            if (moduleId is null) registry.AddX509Device(deviceId, thumbs[0], secondary);
            else registry.AddX509Module(deviceId, moduleId, thumbs[0], secondary);
        }
        catch (ArgumentException e)
        {
            throw new ArgumentException($"{(moduleId is null ? "--device " + deviceId : "--module " + deviceId + "/" + moduleId)}: {e.Message}", e);
        }
    }
}
