// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
using IotHubAmqp.Device.Platform.Desktop;
using IotHubAmqp.Device.Provisioning;

namespace IotHubAmqp.SimulatedDevice;

// --dps: the registration with the Device Provisioning Service before the client connects to the hub it assigns.
internal sealed partial class Simulator
{
    // --dps: one registration (bounded by its own deadline), then the assigned hub's connection string (not printed).
    private string Provision(DesktopTransportFactory transports)
    {
        var platform = new DesktopPlatform();
        var attestation = options.DpsGroupKey
            ? ProvisioningAttestation.SymmetricKeyGroup(options.RegistrationId!, options.DpsKey!, platform)
            : ProvisioningAttestation.SymmetricKey(options.RegistrationId!, options.DpsKey!);
        var dps = new ProvisioningDeviceClient(options.DpsEndpoint, options.DpsScope!, attestation, transports, platform,
            new ProvisioningOptions { TimeoutMs = options.ConnectTimeoutMs });
        DeviceRegistrationResult result;
        try
        {
            result = dps.Register();
        }
        catch (ProvisioningException e)
        {
            throw new RunFailure($"DPS registration of {options.RegistrationId} at {options.DpsEndpoint} failed ({e.Reason}): {e.Message}");
        }
        Report(new DeviceEvent(EventType.Provisioned)
        {
            HostName = result.AssignedHub,
            DeviceId = result.DeviceId,
            Endpoint = options.DpsEndpoint,
            LatencyMs = result.ElapsedMs,
            Counter = result.RoundTrips,
            Body = result.PayloadJson,
        });
        return dps.BuildConnectionString(result, options.Gateway);
    }
}
