#!/usr/bin/env bash
# Full benchmark run (issue 6): builds in Release, measures both clients side by side and writes
# docs/performance.md with the charts docs/performance-*.png. Takes a few minutes; no thresholds.
# The smoke test is: dotnet run -c Release --project benchmarks -- --quick
set -euo pipefail
cd "$(dirname "$0")/.."
dotnet build benchmarks -c Release --nologo -v:q -clp:ErrorsOnly
start=$(date +%s)
dotnet run -c Release --no-build --project benchmarks -- --full --out docs
echo "full run: $(( $(date +%s) - start )) s"
