// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
using nanoFramework.TestFramework;

namespace IotHubAmqp.Device.Tests.Provisioning
{
    [TestClass]
    public class ProvisioningSimulationTests
    {
        /// <summary>Seeds the test command runs (a registration takes well under a millisecond of real time).</summary>
        public const int Seeds = 3000;

        [TestMethod]
        public void ManySeeds_RegistrationEndsByItsDeadlineWithTheRightOutcome()
        {
            string report = null;
            int failed = 0, succeeded = 0, requests = 0, faulted = 0;
            for (ulong seed = 1; seed <= Seeds; seed++)
            {
                var sim = new ProvisioningSimulation(seed);
                string f = sim.Run();
                if (sim.Succeeded) succeeded++;
                if (sim.Fault != 0) faulted++;
                requests += sim.Requests;
                if (f == null) continue;
                failed++;
                if (failed <= 10) report = (report == null ? "" : report + "\n") + f;
            }
            Assert.IsNull(report, failed + " of " + Seeds + " seeds failed:\n" + report);
            // Not a vacuous pass: most seeds register, many poll, a third carry a fault.
            Assert.IsTrue(succeeded > Seeds / 3, "registered: " + succeeded);
            Assert.IsTrue(requests > Seeds * 2, "requests: " + requests);
            Assert.IsTrue(faulted > Seeds / 4, "seeds with a fault: " + faulted);
        }

        [TestMethod]
        public void SameSeed_SameRun()
        {
            Assert.AreEqual(new ProvisioningSimulation(77).Run(), new ProvisioningSimulation(77).Run());
            var a = new ProvisioningSimulation(78);
            var b = new ProvisioningSimulation(78);
            a.Run();
            b.Run();
            Assert.AreEqual(a.Requests, b.Requests);
        }
    }
}
