using IotHubAmqp.LocalHub;

// Console entry: parse flags, start the hub, print connection strings, run until Ctrl+C.
try
{
    var options = CommandLine.Parse(args);
    if (options is null) return 0;
    using var hub = new LocalHub(options);
    hub.Start();
    Console.WriteLine($"Local IoT Hub '{options.HubName}' listening on amqps://{options.BindAddress}:{hub.Port}");
    Console.WriteLine($"Service REST API (methods, twins): https://{options.BindAddress}:{hub.RestPort}");
    if (hub.WebSocketPort != 0) Console.WriteLine($"AMQP over WebSockets: wss://{options.BindAddress}:{hub.WebSocketPort}/$iothub/websocket (subprotocol AMQPWSB10)");
    Console.WriteLine($"CA certificate (trust this): {hub.CaCertificatePath}");
    Console.WriteLine($"Web console (sign in with the iothubowner connection string below): {hub.WebConsoleAddress}");
    foreach (var id in hub.Registry.DeviceIds.OrderBy(x => x))
        Console.WriteLine($"Device {id}: {hub.DeviceConnectionString(id)}");
    foreach (var (device, module) in hub.Registry.ModuleIds.OrderBy(x => x))
        Console.WriteLine($"Module {device}/{module}: {hub.ModuleConnectionString(device, module)}");
    foreach (var policy in AccessPolicies.All(hub.Registry))
        Console.WriteLine($"Policy {policy.Name} ({policy.Rights}): {hub.PolicyConnectionString(policy.Name)}");
    Console.WriteLine($"Event Hubs-compatible: {hub.EventHubConnectionString}");
    if (hub.Dps is { } dps)
    {
        Console.WriteLine($"Local DPS listening on amqps://{options.BindAddress}:{dps.Port} (id scope {dps.IdScope}; provisioning host {dps.Endpoint})");
        foreach (var e in dps.Enrollments.Individual.OrderBy(x => x.RegistrationId))
            Console.WriteLine($"Enrollment {e.RegistrationId}{(e.Enabled ? "" : " (disabled)")}: key {e.Key}");
        foreach (var g in dps.Enrollments.Groups.OrderBy(x => x.Name))
            Console.WriteLine($"Enrollment group {g.Name}{(g.Enabled ? "" : " (disabled)")}: key {g.Key} (device key = HMAC-SHA256(group key, registration id))");
    }
    Console.WriteLine("Press Ctrl+C to stop.");
    var done = new TaskCompletionSource();
    Console.CancelKeyPress += (_, e) => { e.Cancel = true; done.TrySetResult(); };
    // SIGTERM: clean up (temp CA folder) before the runtime exits.
    AppDomain.CurrentDomain.ProcessExit += (_, _) => { hub.Dispose(); done.TrySetResult(); };
    await done.Task;
    return 0;
}
catch (ArgumentException ex)
{
    Console.Error.WriteLine(ex.Message);
    Console.Error.WriteLine(CommandLine.Usage);
    return 2;
}
