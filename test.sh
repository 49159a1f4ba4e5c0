#!/usr/bin/env bash
# Runs every test of the project and ends with one line: "total: N passed, N failed".
#  1. builds everything the command line can build (IotHubAmqp.Device.Cli.slnf: the .nfproj projects need
#     Visual Studio), which also runs the no-generics IL check on every device assembly;
#  2. runs the device unit tests (one assembly per device-sdk.Tests/Projects/* folder): nano-compiled IL,
#     executed on desktop .NET by build/NanoTestRunner;
#  3. runs the desktop test projects (IL check, interop with AMQP.Net Lite and the local hub, local hub with
#     Azure's Node clients, the simulated device run as a script would);
#  4. (without a filter) runs the benchmark's quick mode as a smoke test; docs/performance.md comes from
#     benchmarks/run-full.sh, and fuzzing from fuzz/run.sh, neither part of this command.
# Usage: ./test.sh [--filter TEXT]   (the filter applies to the device unit tests and the xunit tests)
set -uo pipefail
cd "$(dirname "$0")"
config=${CONFIGURATION:-Release}
filter=""
if [ "${1:-}" = "--filter" ]; then filter=${2:-}; fi

if ! dotnet build IotHubAmqp.Device.Cli.slnf -c "$config" --nologo -v:q -clp:ErrorsOnly; then
  echo "build failed"
  echo "total: 0 passed, 1 failed"
  exit 1
fi

passed=0
failed=0
log=$(mktemp)

echo "== device unit tests (nano-compiled IL)"
# Every device test assembly (device-sdk.Tests/Projects/<Name>/), in one run: the runner also refuses one whose
# .nfproj is misnamed or whose strings would overflow a .pe string table.
runner_args=(build/NanoTestRunner/bin/$config/net10.0/NanoTestRunner.dll)
for csproj in device-sdk.Tests/Projects/*/*.csproj; do
  name=$(basename "$csproj" .csproj)
  runner_args+=("$(dirname "$csproj")/bin/$config/netnano1.0/$name.dll")
done
[ -n "$filter" ] && runner_args+=(--filter "$filter")
dotnet "${runner_args[@]}" | tee "$log"
line=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$log" | tail -n 1)
if [ -z "$line" ]; then
  failed=$((failed + 1))
else
  passed=$((passed + $(echo "$line" | sed -E 's/^([0-9]+) passed.*/\1/')))
  failed=$((failed + $(echo "$line" | sed -E 's/^[0-9]+ passed, ([0-9]+) failed.*/\1/')))
fi

for project in build/NanoIlCheck.Tests device-sdk.Tests/Interop local-hub.Tests simulated-device.Tests; do
  echo "== $project"
  args=(test "$project" -c "$config" --no-build --nologo)
  [ -n "$filter" ] && args+=(--filter "FullyQualifiedName~$filter")
  dotnet "${args[@]}" 2>&1 | tee "$log"
  status=${PIPESTATUS[0]}
  summary=$(grep -E 'Failed: +[0-9]+, Passed: +[0-9]+' "$log" | tail -n 1)
  # A crashed test host still prints a summary of what ran before it: count the crash as a failure.
  if grep -q 'Test Run Aborted' "$log"; then failed=$((failed + 1)); fi
  if [ -n "$summary" ]; then
    passed=$((passed + $(echo "$summary" | sed -E 's/.*Passed: +([0-9]+).*/\1/')))
    failed=$((failed + $(echo "$summary" | sed -E 's/.*Failed: +([0-9]+),.*/\1/')))
  elif [ "$status" -ne 0 ] || [ -z "$filter" ]; then
    # No summary: the run crashed, or ran nothing when it should have.
    failed=$((failed + 1))
  fi
done
if [ -z "$filter" ]; then
  # The benchmark's quick mode: a smoke test that both clients complete every step (no thresholds on time).
  echo "== benchmarks --quick"
  if dotnet "benchmarks/bin/$config/net10.0/IotHubAmqp.Benchmarks.dll" --quick 2>&1 | tee "$log" && grep -q '^benchmark smoke: ok' "$log"; then
    passed=$((passed + 1))
  else
    failed=$((failed + 1))
  fi
fi
rm -f "$log"

echo "total: $passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
