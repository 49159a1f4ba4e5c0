// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
using System.Net.Security;
using System.Reflection;
using System.Security.Authentication;
using IotHubAmqp.Device.InteropTests.TestSupport;
using IotHubAmqp.Device.IotHub;
using IotHubAmqp.Device.Platform;
using IotHubAmqp.Device.Platform.Desktop;
using IotHubAmqp.LocalHub;

namespace IotHubAmqp.Device.InteropTests.Reliability
{
    /// <summary>
    /// TLS validation is on by default and there is no switch to turn it off, by accident or on purpose: the
    /// public surface has no member named like one and no certificate-callback hook, and a client that trusts
    /// the wrong CA cannot connect.
    /// </summary>
    public class TlsPolicyTests
    {
        // Parts of names that would suggest a way around certificate validation.
        private static readonly string[] SuspectWords = { "Validat", "Insecure", "Trust", "Verify", "Ignore" };

        // Names that contain a suspect word but switch nothing off, each with the reason.
        private static readonly Dictionary<string, string> Allowed = new()
        {
            // The one root CA to trust (a getter, and the constructor's parameter that sets it).
            ["DesktopTransportFactory.TrustedRoot"] = "the CA that is trusted, read-only",
            ["DesktopTransportFactory.get_TrustedRoot"] = "the CA that is trusted, read-only",
            ["DesktopTransportFactory.ctor(trustedRoot)"] = "the CA that is trusted",
            // X.509 devices: the same one trusted CA, given as a file or PEM text next to the device certificate.
            ["DesktopTransportFactory.FromPemFiles(trustedRootPath)"] = "the CA that is trusted, as a file",
            ["DesktopTransportFactory.FromPem(trustedRootPem)"] = "the CA that is trusted, as PEM text",
            // Checks the option ranges; takes nothing and returns nothing.
            ["DeviceClientOptions.Validate"] = "range check of the options",
        };

        public static IEnumerable<object[]> Surfaces() => new[]
        {
            new object[] { typeof(DesktopTransportFactory) },
            new object[] { typeof(DeviceClientOptions) },
            new object[] { typeof(DeviceClient) },
        };

        [Theory]
        [MemberData(nameof(Surfaces))]
        public void PublicSurface_HasNoMemberNamedLikeAWayAroundValidation(Type type)
        {
            var suspects = new List<string>();
            foreach (string name in PublicNames(type))
            {
                if (SuspectWords.Any(w => name.Contains(w, StringComparison.OrdinalIgnoreCase)) && !Allowed.ContainsKey(name))
                    suspects.Add(name);
            }
            Assert.True(suspects.Count == 0, "members that suggest turning validation off: " + string.Join(", ", suspects));
            // The scan sees the members it must see (it can fail): the allowed names are among them.
            string mustSee = type == typeof(DesktopTransportFactory) ? "DesktopTransportFactory.TrustedRoot"
                : type == typeof(DeviceClientOptions) ? "DeviceClientOptions.Validate" : "DeviceClient.Open";
            Assert.Contains(mustSee, PublicNames(type));
        }

        [Fact]
        public void PublicSurface_HasNoCertificateValidationCallback()
        {
            var assemblies = new[] { typeof(DeviceClient).Assembly, typeof(DesktopTransportFactory).Assembly };
            var hooks = new List<string>();
            foreach (Type type in assemblies.SelectMany(a => a.GetExportedTypes()))
            {
                if (IsCertificateHook(type)) hooks.Add(type.FullName);
                foreach (MemberInfo m in type.GetMembers(BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly))
                {
                    foreach (Type t in TypesOf(m))
                    {
                        if (IsCertificateHook(t)) hooks.Add(type.Name + "." + m.Name + " (" + t.Name + ")");
                    }
                }
            }
            Assert.True(hooks.Count == 0, "certificate validation hooks: " + string.Join(", ", hooks));
            Assert.True(IsCertificateHook(typeof(RemoteCertificateValidationCallback)), "the check recognises the callback type");
        }

        [Fact]
        public void ClientTrustingAnUnrelatedCa_CannotOpen_AndTheErrorNamesTheTrustFailure()
        {
            using var f = new HubFixture();
            string cs = HubFixture.WithGateway(f.AddDevice("dev1"));
            var client = new DeviceClient(cs, new DesktopTransportFactory(TestCertificates.OtherCa), DeviceConnector.Platform,
                new DeviceClientOptions { Port = f.Hub.Port, ConnectTimeoutMs = 10000 });

            var e = Assert.Throws<AuthenticationException>(() => client.Open());

            Assert.Contains("untrusted root", e.Message);
            Assert.Equal(ClientStatus.Disconnected, client.Status);
            // Nothing was said to the hub: no AMQP connection, no token.
            Assert.DoesNotContain(f.Hub.GetEvents(), ev => ev.Kind == HubEventKind.Connected || ev.Kind == HubEventKind.Authenticated);
            // The same client setup with the hub's own CA connects: the failure above is the trust, nothing else.
            var good = new DeviceClient(cs, f.Transports, DeviceConnector.Platform, new DeviceClientOptions { Port = f.Hub.Port });
            good.Open();
            Assert.Equal(ClientStatus.Connected, good.Status);
            good.Close();
        }

        [Fact]
        public void TransportFactory_ConnectsOnlyWithTls_WhenTheClientAsks()
        {
            // DeviceClient always asks for TLS; this is the one place useTls could be false, so check the client's
            // calls rather than the factory's parameter.
            using var f = new HubFixture();
            string cs = HubFixture.WithGateway(f.AddDevice("dev1"));
            var spy = new TlsSpy(f.Transports);
            var client = new DeviceClient(cs, spy, DeviceConnector.Platform, new DeviceClientOptions { Port = f.Hub.Port });
            client.Open();
            client.Close();
            Assert.True(spy.Calls > 0);
            Assert.Equal(spy.Calls, spy.TlsCalls);
        }

        private static IEnumerable<string> PublicNames(Type type)
        {
            const BindingFlags Public = BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;
            foreach (MemberInfo m in type.GetMembers(Public))
            {
                if (m is ConstructorInfo c)
                {
                    foreach (ParameterInfo p in c.GetParameters()) yield return type.Name + ".ctor(" + p.Name + ")";
                    continue;
                }
                yield return type.Name + "." + m.Name;
                if (m is MethodInfo method)
                {
                    foreach (ParameterInfo p in method.GetParameters()) yield return type.Name + "." + m.Name + "(" + p.Name + ")";
                }
            }
            foreach (Type nested in type.GetNestedTypes(BindingFlags.Public)) yield return type.Name + "+" + nested.Name;
        }

        private static IEnumerable<Type> TypesOf(MemberInfo m)
        {
            switch (m)
            {
                case PropertyInfo p: yield return p.PropertyType; break;
                case FieldInfo fi: yield return fi.FieldType; break;
                case EventInfo ev: yield return ev.EventHandlerType; break;
                case MethodBase mb:
                    foreach (ParameterInfo p in mb.GetParameters()) yield return p.ParameterType;
                    if (mb is MethodInfo mi) yield return mi.ReturnType;
                    break;
            }
        }

        // The callback type itself, or any delegate that is handed a certificate (a home-made hook).
        private static bool IsCertificateHook(Type t)
        {
            if (t == typeof(RemoteCertificateValidationCallback)) return true;
            if (!typeof(Delegate).IsAssignableFrom(t) || t == typeof(Delegate) || t == typeof(MulticastDelegate)) return false;
            MethodInfo invoke = t.GetMethod("Invoke");
            return invoke != null && invoke.GetParameters().Any(p =>
                typeof(System.Security.Cryptography.X509Certificates.X509Certificate).IsAssignableFrom(p.ParameterType)
                || p.ParameterType == typeof(System.Security.Cryptography.X509Certificates.X509Chain)
                || p.ParameterType == typeof(SslPolicyErrors));
        }

        private sealed class TlsSpy : ITransportFactory
        {
            private readonly ITransportFactory inner;

            public TlsSpy(ITransportFactory inner) => this.inner = inner;

            public int Calls { get; private set; }

            public int TlsCalls { get; private set; }

            public ITransport Connect(string host, int port, bool useTls, int timeoutMilliseconds)
            {
                Calls++;
                if (useTls) TlsCalls++;
                return inner.Connect(host, port, useTls, timeoutMilliseconds);
            }
        }
    }
}
