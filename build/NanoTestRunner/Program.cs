// Copyright (c) IotHubAmqp.Device contributors. Licensed under the MIT license.
//
// Runs nanoFramework.TestFramework-style tests ([TestClass], [TestMethod], [DataRow], [Setup], [Cleanup])
// from assemblies compiled against nanoFramework's mscorlib, on desktop .NET: the IL under test is the
// IL a device runs. Prints one line per failure and ends with "N passed, N failed, N skipped".
// Exit code 1 when a test failed or none ran.
// As strict as the real tools: an assembly is refused (one failure, none of its tests run) when its .nfproj would
// not name it NFUnitTest or its strings would not fit one .pe's string table with margin; a test whose [DataRow]
// holds null, a char or an array fails (see AssemblyRules).
using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Reflection;
using System.Threading;

namespace IotHubAmqp.Build
{
    internal static class Program
    {
        private static readonly TimeSpan PerTestTimeout = TimeSpan.FromSeconds(120);

        // A simulation campaign or a replay: the seeds run through the test assembly's own SimulationCampaign.
        private static int RunSimulation(string path, long first, int count)
        {
            Type campaign = Assembly.LoadFrom(path).GetTypes().First(t => t.Name == "SimulationCampaign");
            var watch = Stopwatch.StartNew();
            var report = (string)campaign.GetMethod("Run").Invoke(null, new object[] { first, count, 5 });
            Console.WriteLine(report ?? $"simulation: seeds {first}..{first + count - 1} all passed ({watch.Elapsed.TotalSeconds:F1} s)");
            return report == null ? 0 : 1;
        }

        private static int Main(string[] args)
        {
            string filter = null;
            var assemblies = new List<string>();
            long simFirst = -1;
            int simCount = 0;
            for (int i = 0; i < args.Length; i++)
            {
                if (args[i] == "--filter" && i + 1 < args.Length) filter = args[++i];
                else if (args[i] == "--sim" && i + 2 < args.Length)
                {
                    simFirst = long.Parse(args[++i]);
                    simCount = int.Parse(args[++i]);
                }
                else assemblies.Add(args[i]);
            }
            if (simFirst >= 0 && assemblies.Count == 1) return RunSimulation(assemblies[0], simFirst, simCount);
            if (assemblies.Count == 0)
            {
                Console.Error.WriteLine("usage: NanoTestRunner [--filter TEXT] <tests.dll>...");
                return 2;
            }

            int passed = 0, failed = 0, skipped = 0;
            var total = Stopwatch.StartNew();
            foreach (string path in assemblies)
            {
                string refusal = AssemblyRules.CheckNfproj(path);
                int table = AssemblyRules.MeasureStringTable(path);
                Console.WriteLine($"{System.IO.Path.GetFileName(path)}: .pe string table about {table:N0} of {AssemblyRules.PeStringTableLimit:N0} bytes (budget {AssemblyRules.PeStringTableBudget:N0})");
                if (refusal == null && table > AssemblyRules.PeStringTableBudget)
                    refusal = $"its strings need about {table:N0} bytes of the .pe string table, over the budget of {AssemblyRules.PeStringTableBudget:N0} (limit {AssemblyRules.PeStringTableLimit:N0}): split it into another test assembly";
                if (refusal != null)
                {
                    failed++;
                    Console.WriteLine("  REFUSED " + System.IO.Path.GetFileName(path) + ": " + refusal);
                    continue;
                }
                Assembly asm = Assembly.LoadFrom(path);
                foreach (Type type in asm.GetTypes().Where(t => Has(t, "TestClassAttribute")).OrderBy(t => t.FullName))
                {
                    var methods = type.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static);
                    var tests = methods.Where(m => Has(m, "TestMethodAttribute"))
                        .Where(m => filter == null || (type.Name + "." + m.Name).Contains(filter, StringComparison.OrdinalIgnoreCase))
                        .OrderBy(m => m.MetadataToken).ToList();
                    if (tests.Count == 0) continue;
                    object instance = type.IsAbstract ? null : Activator.CreateInstance(type);
                    foreach (var setup in methods.Where(m => Has(m, "SetupAttribute"))) setup.Invoke(instance, null);
                    foreach (MethodInfo test in tests)
                    {
                        var rows = test.GetCustomAttributes().Where(a => a.GetType().Name == "DataRowAttribute")
                            .Select(a => (object[])a.GetType().GetProperty("MethodParameters").GetValue(a) ?? new object[] { null }).ToList();
                        if (rows.Count == 0) rows.Add(null);
                        foreach (object[] row in rows)
                        {
                            string name = type.Name + "." + test.Name + (row == null ? "" : "(" + string.Join(", ", row) + ")");
                            string badRow = row == null ? null : AssemblyRules.CheckDataRow(row);
                            if (badRow != null)
                            {
                                failed++;
                                Console.WriteLine("  FAILED  " + name + ": " + badRow);
                                continue;
                            }
                            switch (Run(instance, test, row, out string message))
                            {
                                case Result.Passed: passed++; break;
                                case Result.Skipped: skipped++; Console.WriteLine("  skipped " + name + ": " + message); break;
                                default: failed++; Console.WriteLine("  FAILED  " + name + ": " + message); break;
                            }
                        }
                    }
                    foreach (var cleanup in methods.Where(m => Has(m, "CleanupAttribute"))) cleanup.Invoke(instance, null);
                }
            }
            Console.WriteLine($"nano tests ({total.Elapsed.TotalSeconds:F1} s):");
            Console.WriteLine($"{passed} passed, {failed} failed, {skipped} skipped");
            return failed == 0 && passed > 0 ? 0 : 1;
        }

        private enum Result { Passed, Failed, Skipped }

        private static Result Run(object instance, MethodInfo test, object[] row, out string message)
        {
            Exception error = null;
            var thread = new Thread(() =>
            {
                try { test.Invoke(instance, row); }
                catch (TargetInvocationException e) { error = e.InnerException; }
                catch (Exception e) { error = e; }
            });
            thread.IsBackground = true;
            thread.Start();
            if (!thread.Join(PerTestTimeout))
            {
                message = "did not finish within " + PerTestTimeout.TotalSeconds + " s";
                return Result.Failed;
            }
            if (error == null) { message = null; return Result.Passed; }
            if (error.GetType().Name == "SkipTestException") { message = error.Message; return Result.Skipped; }
            message = error.GetType().Name + ": " + error.Message + Environment.NewLine + error.StackTrace;
            return Result.Failed;
        }

        private static bool Has(MemberInfo m, string attributeName) =>
            m.GetCustomAttributes(false).Any(a => a.GetType().Name == attributeName);
    }
}
