#!/usr/bin/env bash
# Coverage-guided fuzzing of the device's frame and message decoders with AFL++ and SharpFuzz.
# Usage: fuzz/run.sh SECONDS [frames|message|json]
#   Installs afl++ (Debian) and the SharpFuzz 2.3.0 dotnet tool if missing, builds the harness, instruments
#   its copy of the nano-compiled IotHubAmqp.Device.dll, runs afl-fuzz for SECONDS seeded with fuzz/corpus
#   (frames recorded from real sessions; refresh with FUZZ_CORPUS_OUT, see docs/reliability.md), then prints
#   executions, coverage and findings, and replays every crash so its exception is shown.
set -euo pipefail
cd "$(dirname "$0")"
seconds=${1:?usage: fuzz/run.sh SECONDS [frames|message|json]}
mode=${2:-frames}
tools=${SHARPFUZZ_TOOLS:-/tmp/sharpfuzz-tools}
out=${FUZZ_OUT:-/tmp/iothubamqp-fuzz-$mode}

if ! command -v afl-fuzz >/dev/null; then
  apt-get update -qq && apt-get install -y -qq afl++ >/dev/null
fi
if [ ! -x "$tools/sharpfuzz" ]; then
  dotnet tool install --tool-path "$tools" SharpFuzz.CommandLine --version 2.3.0 >/dev/null
fi

dotnet build . -c Release --nologo -v:q -clp:ErrorsOnly
bin=bin/Release/net10.0
# Instrument the copy in the harness's folder only (never device-sdk/bin); a fresh build copied it over.
"$tools/sharpfuzz" "$bin/IotHubAmqp.Device.dll"
"$tools/sharpfuzz" "$bin/IotHubAmqp.Device.Twin.dll"
"$tools/sharpfuzz" "$bin/IotHubAmqp.Device.Provisioning.dll"

rm -rf "$out"
mkdir -p "$out"
export AFL_SKIP_BIN_CHECK=1 AFL_SKIP_CPUFREQ=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_NO_UI=1 AFL_NO_AFFINITY=1
status=0
corpus=corpus
[ "$mode" = json ] && corpus=corpus-json
afl-fuzz -i "$corpus" -o "$out" -t 5000 -m none -V "$seconds" -- dotnet "$bin/IotHubAmqp.Device.Fuzz.dll" "$mode" > "$out/afl.log" 2>&1 || status=$?
stats="$out/default/fuzzer_stats"
if [ ! -f "$stats" ]; then
  echo "afl-fuzz did not start (exit $status):"; tail -n 30 "$out/afl.log"; exit 1
fi
echo "== afl-fuzz $mode, $seconds s (exit $status)"
grep -E '^(run_time|execs_done|execs_per_sec|corpus_count|corpus_found|bitmap_cvg|edges_found|total_edges|saved_crashes|saved_hangs|stability)\b' "$stats"
crashes=("$out"/default/crashes/id:*)
if [ -e "${crashes[0]}" ]; then
  echo "== crashes (replayed):"
  dotnet "$bin/IotHubAmqp.Device.Fuzz.dll" "$mode" --replay "${crashes[@]}" || true
else
  echo "== no crashes"
fi
hangs=("$out"/default/hangs/id:*)
[ -e "${hangs[0]}" ] && echo "== hangs: ${#hangs[@]} in $out/default/hangs" || echo "== no hangs"
