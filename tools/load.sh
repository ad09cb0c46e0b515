#!/usr/bin/env bash
# Full-size reliability run: the real binary on a fresh data dir with the
# ATT&CK Enterprise catalogue, 100 concurrent clients for 60 s of mixed
# reads and writes on loopback, then a check that every acknowledged write
# is present. Usage: tools/load.sh [CLIENTS] [DURATION]
set -euo pipefail
cd "$(dirname "$0")/.."
CLIENTS="${1:-100}"
DURATION="${2:-60s}"
DATA_ROOT="${AEGIS_SHARED_DATA:-../shared/data}"
BUNDLE="$DATA_ROOT/attack/enterprise-attack-18.1.json.gz"
PORT="${PORT:-18090}"
DIR="$(mktemp -d)"
trap 'kill "${SERVER_PID:-0}" 2>/dev/null || true; rm -rf "$DIR"' EXIT

make -s build
go build -o bin/loadgen ./tools/loadgen
if [ ! -f "$BUNDLE" ]; then echo "missing $BUNDLE (set AEGIS_SHARED_DATA)" >&2; exit 1; fi
bin/aegis import attack "$BUNDLE" --dir "$DIR" --json > /dev/null
PW="load-test-password"
bin/aegis user create red.lead@load.local "$PW" --role red_lead --dir "$DIR" > /dev/null
bin/aegis user create blue.lead@load.local "$PW" --role blue_lead --dir "$DIR" > /dev/null
bin/aegis superuser upsert ops@load.local "$PW" --dir "$DIR" > /dev/null
bin/aegis serve --http "127.0.0.1:$PORT" --dir "$DIR" > "$DIR/server.log" 2>&1 &
SERVER_PID=$!
for _ in $(seq 1 100); do
  curl -fs "http://127.0.0.1:$PORT/api/health" > /dev/null 2>&1 && break
  sleep 0.1
done
# Rate limits protect production sign-ins; 100 clients from one IP would trip
# them, so this run turns them off through the superuser settings API.
SU_TOKEN=$(curl -fs -X POST -H 'Content-Type: application/json' \
  -d "{\"identity\":\"ops@load.local\",\"password\":\"$PW\"}" \
  "http://127.0.0.1:$PORT/api/collections/_superusers/auth-with-password" | sed -E 's/.*"token":"([^"]+)".*/\1/')
curl -fs -X PATCH -H "Authorization: $SU_TOKEN" -H 'Content-Type: application/json' \
  -d '{"rateLimits":{"enabled":false}}' "http://127.0.0.1:$PORT/api/settings" > /dev/null
echo "server RSS before: $(ps -o rss= -p $SERVER_PID) KiB"
bin/loadgen workload -url "http://127.0.0.1:$PORT" -clients "$CLIENTS" -duration "$DURATION" \
  -red-lead red.lead@load.local -blue-lead blue.lead@load.local -password "$PW" \
  -verify-dir "$DIR" -json "${LOAD_JSON:-/dev/null}"
echo "server RSS after: $(ps -o rss= -p $SERVER_PID) KiB"
