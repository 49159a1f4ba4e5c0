// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
using System.Diagnostics;
using IotHubAmqp.Device.InteropTests.TestSupport;
using IotHubAmqp.Device.IotHub;
using IotHubAmqp.Device.Provisioning;
using IotHubAmqp.LocalHub;
using Xunit.Abstractions;

namespace IotHubAmqp.Device.InteropTests.Provisioning
{
    /// <summary>Our provisioning client against the local DPS over TLS (validation on), then our device client on the assigned hub.</summary>
    public class ProvisioningClientTests
    {
        private const string Scope = "0ne000SDK01";
        private readonly ITestOutputHelper output;

        public ProvisioningClientTests(ITestOutputHelper output) => this.output = output;

        private static HubFixture Start(Action<DpsOptions> configure = null) => new HubFixture(o =>
        {
            o.Dps = new DpsOptions { IdScope = Scope, RetryAfterSeconds = 0 };
            configure?.Invoke(o.Dps);
        });

        private static ProvisioningDeviceClient Client(HubFixture f, ProvisioningAttestation a, string scope = Scope, int timeoutMs = 10000) =>
            new ProvisioningDeviceClient(f.Hub.Dps.Endpoint, scope, a, f.Transports, DeviceConnector.Platform, new ProvisioningOptions { TimeoutMs = timeoutMs });

        [Fact]
        public async Task Individual_RegistersThenSendsTelemetryToTheAssignedHub()
        {
            using HubFixture f = Start();
            string key = f.Hub.Dps.Enrollments.AddIndividual("sdk-ind-1", payloadJson: "{\"fw\":\"1.4\"}");
            ProvisioningDeviceClient dps = Client(f, ProvisioningAttestation.SymmetricKey("sdk-ind-1", key));
            DeviceRegistrationResult r = dps.Register("{\"model\":\"m1\"}");
            output.WriteLine($"registration: {r.ElapsedMs} ms, {r.RoundTrips} round trips");
            Assert.Equal(f.Hub.HostName, r.AssignedHub);
            Assert.Equal("sdk-ind-1", r.DeviceId);
            Assert.Equal("initialAssignment", r.Substatus);
            Assert.Equal("{\"fw\":\"1.4\"}", r.PayloadJson);
            Assert.Equal(2, r.RoundTrips); // register ("assigning"), one poll ("assigned")
            Assert.StartsWith("4.", r.OperationId);

            var client = new DeviceClient(dps.BuildConnectionString(r, "127.0.0.1:" + f.Hub.Port), f.Transports, DeviceConnector.Platform);
            client.Open();
            try
            {
                Assert.True(client.SendTelemetry("{\"provisioned\":true}", "application/json").IsAccepted);
                await f.Hub.WaitForTelemetryAsync("sdk-ind-1", 1, TimeSpan.FromSeconds(10));
            }
            finally
            {
                client.Close();
            }
        }

        [Fact]
        public void Group_DerivedKeyRegistersAndTheHubKnowsTheDerivedKey()
        {
            using HubFixture f = Start(d => d.PollsBeforeAssigned = 2);
            string groupKey = f.Hub.Dps.Enrollments.AddGroup("fleet");
            var a = ProvisioningAttestation.SymmetricKeyGroup("sdk-grp-3", groupKey, DeviceConnector.Platform);
            DeviceRegistrationResult r = Client(f, a).Register();
            Assert.Equal("sdk-grp-3", r.DeviceId);
            Assert.Equal(4, r.RoundTrips); // register, two "assigning" polls, the "assigned" poll
            Assert.True(f.Hub.Registry.TryGetDeviceKey("sdk-grp-3", out string hubKey));
            Assert.Equal(DpsEnrollments.DeriveDeviceKey(groupKey, "sdk-grp-3"), hubKey);
            Assert.Contains(f.Hub.Dps.Registrations, x => x.RegistrationId == "sdk-grp-3" && x.Enrollment == "group:fleet");
        }

        [Fact]
        public void WrongScope_IsUnauthorizedNamingTheScope()
        {
            using HubFixture f = Start();
            string key = f.Hub.Dps.Enrollments.AddIndividual("sdk-ind-2");
            var e = Assert.Throws<ProvisioningException>(() => Client(f, ProvisioningAttestation.SymmetricKey("sdk-ind-2", key), "0ne000WRONG").Register());
            Assert.Equal(ProvisioningError.Unauthorized, e.Reason);
            Assert.Contains("'0ne000WRONG'", e.Message);
            Assert.DoesNotContain(key, e.Message);
        }

        [Fact]
        public void DisabledEnrollment_IsEnrollmentDisabled()
        {
            using HubFixture f = Start();
            string key = f.Hub.Dps.Enrollments.AddIndividual("sdk-off-1", enabled: false);
            var e = Assert.Throws<ProvisioningException>(() => Client(f, ProvisioningAttestation.SymmetricKey("sdk-off-1", key)).Register());
            Assert.Equal(ProvisioningError.EnrollmentDisabled, e.Reason);
            Assert.False(f.Hub.Registry.Contains("sdk-off-1"));
        }

        [Fact]
        public void Throttled_RetriedAfterRetryAfter_ThenAssigned()
        {
            using HubFixture f = Start(d => { d.ThrottleNextRegistrations = 1; d.ThrottleRetryAfterSeconds = 1; });
            string key = f.Hub.Dps.Enrollments.AddIndividual("sdk-thr-1");
            var sw = Stopwatch.StartNew();
            DeviceRegistrationResult r = Client(f, ProvisioningAttestation.SymmetricKey("sdk-thr-1", key)).Register();
            Assert.True(sw.ElapsedMilliseconds >= 1000, "the retry waited for retry-after");
            Assert.Equal(3, r.RoundTrips); // throttled register, register, poll
        }

        [Fact]
        public void Throttled_PastTheDeadline_FailsAtOnceWithTheHint()
        {
            using HubFixture f = Start(d => { d.ThrottleNextRegistrations = 5; d.ThrottleRetryAfterSeconds = 30; });
            string key = f.Hub.Dps.Enrollments.AddIndividual("sdk-thr-2");
            var sw = Stopwatch.StartNew();
            var e = Assert.Throws<ProvisioningException>(() => Client(f, ProvisioningAttestation.SymmetricKey("sdk-thr-2", key), timeoutMs: 5000).Register());
            Assert.Equal(ProvisioningError.Throttled, e.Reason);
            Assert.Equal(30, e.RetryAfterSeconds);
            Assert.Equal(429001, e.ErrorCode);
            Assert.True(sw.ElapsedMilliseconds < 5000, "no wait for a retry that cannot fit");
        }

        [Fact]
        public void EndlessAssigning_StopsAtTheDeadline()
        {
            using HubFixture f = Start(d => { d.PollsBeforeAssigned = 1000; d.RetryAfterSeconds = 1; });
            string key = f.Hub.Dps.Enrollments.AddIndividual("sdk-slow-1");
            var sw = Stopwatch.StartNew();
            var e = Assert.Throws<ProvisioningException>(() => Client(f, ProvisioningAttestation.SymmetricKey("sdk-slow-1", key), timeoutMs: 2500).Register());
            Assert.Equal(ProvisioningError.Timeout, e.Reason);
            Assert.True(sw.ElapsedMilliseconds < 4000, "bounded by the deadline: " + sw.ElapsedMilliseconds);
        }

        [Fact]
        public void WrongKey_IsUnauthorized()
        {
            using HubFixture f = Start();
            f.Hub.Dps.Enrollments.AddIndividual("sdk-ind-3");
            var e = Assert.Throws<ProvisioningException>(() => Client(f, ProvisioningAttestation.SymmetricKey("sdk-ind-3", DeviceRegistry.NewKey())).Register());
            Assert.Equal(ProvisioningError.Unauthorized, e.Reason);
        }
    }
}
