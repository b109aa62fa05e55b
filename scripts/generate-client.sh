#!/usr/bin/env bash
# Generates the C# vendor client from contracts/openapi.json with Kiota, the version pinned in
# .config/dotnet-tools.json, into tests/PosGreenPoints.VendorClient/Generated (committed, so that a
# change of the document shows as a reviewable change of the client). The end-to-end tests drive the
# app through this client only, as a vendor would.
#
#   scripts/generate-client.sh            regenerate the committed client
#   scripts/generate-client.sh DIRECTORY  generate into DIRECTORY instead (the unit test that keeps the
#                                         committed client current compares the two)
set -euo pipefail
cd "$(dirname "$0")/.."

output=${1:-tests/PosGreenPoints.VendorClient/Generated}

# No update check and no telemetry: both would reach for the network, which a build must not need.
export KIOTA_OFFLINE_ENABLED=true KIOTA_CLI_TELEMETRY_OPTOUT=true KIOTA_TUTORIAL_ENABLED=false

dotnet tool restore >/dev/null
dotnet kiota generate \
  --openapi contracts/openapi.json \
  --language CSharp \
  --class-name PosGreenPointsClient \
  --namespace-name PosGreenPoints.VendorClient \
  --exclude-backward-compatible \
  --clean-output \
  --log-level Warning \
  --output "$output"

# Kiota's log of the run holds nothing the client needs.
rm -f "$output/.kiota.log"
