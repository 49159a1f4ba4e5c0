#!/usr/bin/env bash
# Rewrites the <Compile Include> list of each device test .nfproj (device-sdk.Tests/*.nfproj) from the files its
# SDK-style twin (device-sdk.Tests/Projects/<Name>/*.csproj) compiles, one file per line: the nanoFramework test
# adapter cannot read wildcards. Creates the .nfproj when it is missing. Run it after adding or moving a test
# file; the build (build/NanoTestProject.targets) fails until the lists agree.
# Usage: build/update-nfproj-lists.sh
set -euo pipefail
cd "$(dirname "$0")/.."
for csproj in device-sdk.Tests/Projects/*/*.csproj; do
  nfproj=device-sdk.Tests/$(dotnet msbuild "$csproj" -nologo -getProperty:NanoTestProject)
  dotnet msbuild "$csproj" -nologo -getItem:Compile > /tmp/nfproj-items.$$.json
  python3 build/nfproj_lists.py "$csproj" "$nfproj" /tmp/nfproj-items.$$.json
  rm -f /tmp/nfproj-items.$$.json
done
