// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
using System.Security.Cryptography.X509Certificates;
using IotHubAmqp.Device.IotHub;

namespace IotHubAmqp.SimulatedDevice;

/// <summary>--x509 CERT KEY: the device certificate, checked against the other options.</summary>
internal sealed partial class CommandLineOptions
{
    /// <summary>The device certificate (with its key) from --x509 CERT KEY, or null for a SAS device.</summary>
    public X509Certificate2? ClientCertificate { get; private set; }

    /// <summary>Intermediate CA certificates that followed the leaf in the --x509 certificate file.</summary>
    public X509Certificate2Collection ClientIntermediates { get; private set; } = new();

    private static void CheckX509(CommandLineOptions o, (string Cert, string Key)? x509Paths)
    {
        if (x509Paths is { } paths)
        {
            if (o.Auth == AuthenticationMode.SaslPlain)
            {
                throw new UsageException("--x509 and --auth plain do not go together: an X.509 device sends no SAS token");
            }

            if (o.WebSockets)
            {
                throw new UsageException("--x509 and --websockets do not go together yet: the device certificate is presented on AMQP over TLS (port 5671) only");
            }

            if (o.DpsScope != null)
            {
                throw new UsageException("--x509 and --dps do not go together here: the device registers with a symmetric key");
            }

            foreach (string path in new[] { paths.Cert, paths.Key })
            {
                if (!File.Exists(path)) throw new UsageException($"--x509: file not found: {path}");
            }

            try
            {
                o.ClientCertificate = IotHubAmqp.Device.Platform.Desktop.DesktopTransportFactory.LoadClientCertificate(paths.Cert, paths.Key, out X509Certificate2Collection chain);
                o.ClientIntermediates = chain;
            }
            catch (ArgumentException e)
            {
                throw new UsageException("--x509: " + e.Message);
            }
        }

        if (o.ConnectionString != null && IotHubConnectionString.Parse(o.ConnectionString).UsesX509 != (o.ClientCertificate != null))
        {
            throw new UsageException(o.ClientCertificate != null
                ? "--x509 needs a connection string with x509=true (and no SharedAccessKey)"
                : "--connection-string says x509=true: give the device certificate with --x509 CERT KEY");
        }
    }
}
