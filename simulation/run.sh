#!/usr/bin/env bash
# Runs the deterministic simulation of the device client (ClientCore + engine against SimHub, virtual time, seeded
# faults) over many seeds, or replays one: a failing seed prints its run and replays exactly.
#   simulation/run.sh                 seeds 1..200000 (a few minutes on 2 cores)
#   simulation/run.sh FIRST COUNT     seeds FIRST..FIRST+COUNT-1;  simulation/run.sh 6408 1 replays seed 6408
set -euo pipefail
cd "$(dirname "$0")/.."
first=${1:-1}
count=${2:-200000}
dotnet build device-sdk.Tests/Projects/Engine -c Release --nologo -v:q -clp:ErrorsOnly
dotnet build build/NanoTestRunner -c Release --nologo -v:q -clp:ErrorsOnly
dotnet build/NanoTestRunner/bin/Release/net10.0/NanoTestRunner.dll --sim "$first" "$count" \
  device-sdk.Tests/Projects/Engine/bin/Release/netnano1.0/IotHubAmqp.Device.Tests.Engine.dll
