// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
using nanoFramework.TestFramework;

namespace IotHubAmqp.Device.Tests.Simulation
{
    [TestClass]
    public class ClientSimulationTests
    {
        /// <summary>Seeds the test command runs; `simulation/run.sh` runs longer campaigns (docs/reliability.md).</summary>
        public const int Seeds = 10000;

        [TestMethod]
        public void ManySeeds_EveryInvariantHolds()
        {
            string failures = SimulationCampaign.Run(1, Seeds, 80);
            Assert.IsNull(failures, failures);
        }

        [TestMethod]
        public void SameSeed_SameRun()
        {
            var a = new ClientSimulation(424242);
            var b = new ClientSimulation(424242);
            Assert.IsNull(a.Run());
            Assert.IsNull(b.Run());
            Assert.AreEqual(a.Hub.TraceText(), b.Hub.TraceText(), "a seed must replay exactly");
            Assert.AreEqual(a.Accepted, b.Accepted);
        }

        [TestMethod]
        public void Campaign_SendsReachTheHub()
        {
            // Not a vacuous pass: over 200 seeds most sends are accepted and the hub saw reconnects.
            int accepted = 0, completed = 0, reconnects = 0;
            for (ulong s = 1; s <= 200; s++)
            {
                var sim = new ClientSimulation(s);
                Assert.IsNull(sim.Run());
                accepted += sim.Accepted;
                completed += sim.Completed;
                reconnects += sim.Reconnects;
            }
            Assert.IsTrue(completed > 1000, "sends completed: " + completed);
            Assert.IsTrue(accepted * 10 > completed * 7, "accepted " + accepted + " of " + completed);
            Assert.IsTrue(reconnects > 50, "reconnects: " + reconnects);
        }
    }

    [TestClass]
    public class ClientSimulationFeatureTests
    {
        [TestMethod]
        public void Campaign_MethodsAndTwinRunUnderFaults()
        {
            // Not a vacuous pass: over 400 seeds, about half run methods and twin (some as modules), and most calls are answered.
            int withFeatures = 0, modules = 0, answered = 0, calls = 0, raised = 0, reportedVersions = 0, reconnects = 0;
            int webSocketSeeds = 0, webSocketAccepted = 0;
            for (ulong s = 1; s <= 400; s++)
            {
                var sim = new ClientSimulation(s);
                Assert.IsNull(sim.Run());
                if (sim.OverWebSockets)
                {
                    webSocketSeeds++;
                    webSocketAccepted += sim.Accepted;
                }
                if (!sim.WithFeatures) continue;
                withFeatures++;
                if (sim.Hub.ModuleId != null) modules++;
                answered += sim.MethodsAnswered;
                calls += sim.Hub.MethodCalls.Count;
                raised += sim.DesiredRaised;
                reportedVersions += (int)sim.Hub.ReportedVersion - 1;
                reconnects += sim.Reconnects;
            }
            Assert.IsTrue(withFeatures > 150 && withFeatures < 250, "seeds with methods and twin: " + withFeatures);
            Assert.IsTrue(modules > 30, "as modules: " + modules);
            Assert.IsTrue(calls > 200 && answered * 10 > calls * 6, "method calls answered: " + answered + " of " + calls);
            Assert.IsTrue(raised > 150, "desired patches raised: " + raised);
            Assert.IsTrue(reportedVersions > 150, "reported patches stored: " + reportedVersions);
            Assert.IsTrue(reconnects > 50, "reconnects with methods and twin attached: " + reconnects);
            // A quarter of the seeds read through the WebSocket stream, under the same faults.
            Assert.IsTrue(webSocketSeeds > 60 && webSocketSeeds < 140, "seeds over WebSockets: " + webSocketSeeds);
            Assert.IsTrue(webSocketAccepted > webSocketSeeds * 5, "sends accepted over WebSockets: " + webSocketAccepted);
        }
    }

    /// <summary>Runs many seeds and reports the first few failures, each with its seed to replay.</summary>
    public static class SimulationCampaign
    {
        /// <summary>Seeds <paramref name="first"/> .. first+count-1; null when all passed.</summary>
        public static string Run(long first, int count, int maxReports)
        {
            string report = null;
            int failed = 0;
            for (int i = 0; i < count; i++)
            {
                string f = new ClientSimulation((ulong)(first + i)).Run();
                if (f == null) continue;
                failed++;
                if (failed <= maxReports) report = (report == null ? "" : report + "\n\n") + f;
            }
            return failed == 0 ? null : failed + " of " + count + " seeds failed; replay one with simulation/run.sh SEED 1\n" + report;
        }
    }
}
