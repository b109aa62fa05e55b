#!/usr/bin/env bash
# Runs every test of PosGreenPoints: unit tests, integration tests against a real Azurite, end-to-end
# tests over HTTP through the local runner, and the Bicep build and lint. Each test fixture starts
# its own Azurite on free loopback ports and stops it afterwards.
set -euo pipefail
cd "$(dirname "$0")/.."

command -v dotnet >/dev/null || { echo "test: the .NET SDK is not installed" >&2; exit 1; }
command -v npm >/dev/null || { echo "test: Node.js and npm are needed for Azurite" >&2; exit 1; }

if [ ! -x node_modules/.bin/azurite ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund --loglevel=error
fi

# Kiota, pinned in .config/dotnet-tools.json: a unit test regenerates the vendor client with it, and a
# fresh clone (CI) has no tool installed by hand.
dotnet tool restore >/dev/null

dotnet build PosGreenPoints.sln -c Debug -nologo -v quiet -clp:ErrorsOnly

log=$(mktemp)
status=0
# One test project at a time (-m:1): run side by side on a 2-core machine, the end-to-end tests' Azurite
# and runner processes starved the others and the suite took 14 minutes instead of 6, timing out starts.
dotnet test PosGreenPoints.sln -c Debug --no-build --nologo -m:1 2>&1 | tee "$log" || status=$?

# Test fixtures start Azurite in memory and the runner on port 0; none of them may outlive the run.
leftovers=$(pgrep -fa 'azurite.js.*--inMemoryPersistence|PosGreenPoints.LocalRunner.dll .*127\.0\.0\.1:0' || true)
if [ -n "$leftovers" ]; then
  echo "test: processes left behind by the tests:" >&2
  echo "$leftovers" >&2
  status=1
fi

passed=$(grep -Eo 'Passed: +[0-9]+' "$log" | awk '{s+=$2} END {print s+0}')
failed=$(grep -Eo 'Failed: +[0-9]+' "$log" | awk '{s+=$2} END {print s+0}')
rm -f "$log"
if [ "$passed" -eq 0 ] && [ "$status" -eq 0 ]; then
  echo "test: no test ran" >&2
  status=1
fi
echo "Tests: $passed passed, $failed failed"
exit "$status"
