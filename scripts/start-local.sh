#!/usr/bin/env bash
# Starts PosGreenPoints on this machine: Azurite on loopback (data in .azurite/, git-ignored) and the
# Function App through the local runner on http://localhost:7071. Ctrl-C stops both.
set -euo pipefail
cd "$(dirname "$0")/.."

PORT="${POSGREENPOINTS_PORT:-7071}"
CONFIGURATION=Debug
APP_DIR="functions/PosGreenPoints.Functions/bin/$CONFIGURATION/net10.0"
RUNNER_DLL="functions/PosGreenPoints.LocalRunner/bin/$CONFIGURATION/net10.0/PosGreenPoints.LocalRunner.dll"

die() { echo "start-local: $*" >&2; exit 1; }
say() { echo "start-local: $*"; }
port_taken() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

command -v dotnet >/dev/null || die "the .NET SDK is not installed (dotnet not on PATH)."
command -v node >/dev/null && command -v npm >/dev/null || die "Node.js and npm are needed for Azurite."

if port_taken "$PORT"; then
  if curl -fsS -m 5 "http://127.0.0.1:$PORT/api/health" >/dev/null 2>&1; then
    die "PosGreenPoints is already running on http://localhost:$PORT — use it, or stop it with Ctrl-C in its terminal."
  fi
  die "port $PORT is taken by another program. Free it, or start on another port: POSGREENPOINTS_PORT=7072 $0"
fi
for azurite_port in 10000 10001 10002; do
  if port_taken "$azurite_port"; then
    die "port $azurite_port is taken: Azurite (or something else) is already running ('pgrep -fa azurite' shows it). Stop it; this script starts its own."
  fi
done

if [ ! -x node_modules/.bin/azurite ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  say "installing Azurite (npm ci)…"
  npm ci --no-audit --no-fund --loglevel=error
fi

if [ ! -f functions/PosGreenPoints.Functions/local.settings.json ]; then
  cp local.settings.sample.json functions/PosGreenPoints.Functions/local.settings.json
  say "created functions/PosGreenPoints.Functions/local.settings.json from local.settings.sample.json (dev-only values)."
fi

say "building…"
dotnet build functions/PosGreenPoints.LocalRunner -c "$CONFIGURATION" -nologo -v quiet -clp:ErrorsOnly
dotnet build functions/PosGreenPoints.Functions -c "$CONFIGURATION" -nologo -v quiet -clp:ErrorsOnly

mkdir -p .azurite
AZURITE_PID=""
RUNNER_PID=""
# Azurite sometimes hangs while closing its on-disk store, so a process that has not ended after
# its grace period is killed.
end_process() {
  local pid=$1
  [ -n "$pid" ] || return 0
  kill "$pid" 2>/dev/null || return 0
  for _ in $(seq 1 50); do
    kill -0 "$pid" 2>/dev/null || return 0
    sleep 0.1
  done
  kill -9 "$pid" 2>/dev/null || true
}
stop() {
  trap - EXIT INT TERM
  end_process "$RUNNER_PID"
  end_process "$AZURITE_PID"
  say "stopped."
}
trap stop EXIT
trap 'exit 130' INT TERM

node node_modules/azurite/dist/src/azurite.js --silent --skipApiVersionCheck --location .azurite \
  --blobHost 127.0.0.1 --queueHost 127.0.0.1 --tableHost 127.0.0.1 >.azurite/azurite.log 2>&1 &
AZURITE_PID=$!
for _ in $(seq 1 100); do
  port_taken 10000 && port_taken 10001 && port_taken 10002 && break
  kill -0 "$AZURITE_PID" 2>/dev/null || die "Azurite did not start; see .azurite/azurite.log"
  sleep 0.1
done
say "Azurite is listening on 127.0.0.1:10000-10002 (data in .azurite/)."

AZURE_FUNCTIONS_ENVIRONMENT="${AZURE_FUNCTIONS_ENVIRONMENT:-Development}" \
  dotnet "$RUNNER_DLL" --app "$APP_DIR" --urls "http://localhost:$PORT" &
RUNNER_PID=$!
for _ in $(seq 1 120); do
  curl -fsS -m 5 "http://127.0.0.1:$PORT/api/health" >/dev/null 2>&1 && break
  kill -0 "$RUNNER_PID" 2>/dev/null || die "the local runner stopped; its output is above."
  sleep 0.5
done

# The demo: a registered chain and the sample product lists, as an operator would set them up.
OPERATOR_KEY=$(sed -n 's/.*"Auth__BootstrapOperatorKey": *"\([^"]*\)".*/\1/p' functions/PosGreenPoints.Functions/local.settings.json)
API="http://127.0.0.1:$PORT/api"
curl -fsS -o /dev/null -X PUT "$API/v1/admin/chains/demo-chain" -H "X-Api-Key: $OPERATOR_KEY" \
  -H 'content-type: application/json' -d '{"name":"Demo chain","timeZone":"Asia/Shanghai"}' \
  && say "registered the chain demo-chain (Asia/Shanghai)."
curl -fsS -o /dev/null -X PUT "$API/v1/admin/chains/sh-metro" -H "X-Api-Key: $OPERATOR_KEY" \
  -H 'content-type: application/json' -d '{"name":"上海地铁 (demo)","timeZone":"Asia/Shanghai","kind":"service"}' \
  && say "registered the service chain sh-metro (samples/activities.jsonl)."
for list in certified-green low-voc; do
  curl -fsS -o /dev/null -X PUT "$API/v1/admin/product-lists/$list" -H "X-Api-Key: $OPERATOR_KEY" \
    -H 'content-type: text/csv' --data-binary "@samples/$list.csv" && say "published the sample list $list (samples/$list.csv)."
done

cat <<TXT

  PosGreenPoints is running at http://localhost:$PORT  (Ctrl-C stops it and Azurite)

  Check it:        curl http://localhost:$PORT/api/health
  Operator key:    $OPERATOR_KEY   (dev only; from local.settings.json)
  The API:         http://localhost:$PORT/api/openapi.json
  First receipt:   README.md, "Post a first receipt"

TXT
wait "$RUNNER_PID"
