#!/usr/bin/env bash
# Coverage benchmark (DESIGN §10): the real binary on a fresh data dir with
# the ATT&CK Enterprise catalogue and the large demo organisation (20k
# tests, 5k rules, 1k mapped controls), then, on loopback and in the same
# run, the coverage matrix endpoint and PocketBase's plain record list at 1,
# 10 and 50 concurrent clients, and the time of a snapshot. Prints a
# markdown table for docs/BENCHMARKS.md.
# Usage: tools/bench.sh            (N=requests per run, default 3000)
# Load tool: hey (go install github.com/rakyll/hey@latest), else wrk
# (apt-get install -y wrk), else the bundled Go generator tools/loadgen (loadgen get).
set -euo pipefail
cd "$(dirname "$0")/.."
N="${N:-3000}"
DATA_ROOT="${AEGIS_SHARED_DATA:-../shared/data}"
BUNDLE="$DATA_ROOT/attack/enterprise-attack-18.1.json.gz"
PORT="${PORT:-18091}"
BIN="${AEGIS_BIN:-bin/aegis}"
DIR="$(mktemp -d)"
trap 'kill "${SERVER_PID:-0}" 2>/dev/null || true; rm -rf "$DIR"' EXIT

if [ ! -f "$BUNDLE" ]; then echo "missing $BUNDLE (set AEGIS_SHARED_DATA)" >&2; exit 1; fi
if [ -z "${AEGIS_BIN:-}" ]; then make -s build; fi
PATH="$PATH:$(go env GOPATH)/bin"

t0=$(date +%s.%N)
"$BIN" import attack "$BUNDLE" --dir "$DIR" --json > /dev/null
t1=$(date +%s.%N)
"$BIN" demo --size large --dir "$DIR" > "$DIR/demo.txt"
t2=$(date +%s.%N)
echo "import: $(echo "$t1 - $t0" | bc) s; demo large: $(echo "$t2 - $t1" | bc) s (process start included)"
head -1 "$DIR/demo.txt"
PW="bench-password-1"
"$BIN" superuser upsert ops@bench.local "$PW" --dir "$DIR" > /dev/null

"$BIN" serve --http "127.0.0.1:$PORT" --dir "$DIR" > "$DIR/server.log" 2>&1 &
SERVER_PID=$!
BASE="http://127.0.0.1:$PORT"
for _ in $(seq 1 200); do curl -fs "$BASE/api/health" > /dev/null 2>&1 && break; sleep 0.1; done
# 50 clients from one address would trip the production rate limits.
SU=$(curl -fs -X POST -H 'Content-Type: application/json' -d "{\"identity\":\"ops@bench.local\",\"password\":\"$PW\"}" \
  "$BASE/api/collections/_superusers/auth-with-password" | sed -E 's/.*"token":"([^"]+)".*/\1/')
curl -fs -X PATCH -H "Authorization: $SU" -H 'Content-Type: application/json' -d '{"rateLimits":{"enabled":false}}' \
  "$BASE/api/settings" > /dev/null
TOKEN=$(curl -fs -X POST -H 'Content-Type: application/json' \
  -d '{"identity":"admin1@demo.aegis.local","password":"aegis-demo-password"}' \
  "$BASE/api/collections/users/auth-with-password" | sed -E 's/.*"token":"([^"]+)".*/\1/')

MATRIX="$BASE/api/aegis/coverage/matrix"
LIST="$BASE/api/collections/techniques/records?perPage=50&skipTotal=1"
first=$(curl -fs -o /dev/null -w '%{time_total}' -H "Authorization: $TOKEN" "$MATRIX")
echo "first matrix request (cold: loads the model): ${first} s"
echo "matrix payload: $(curl -fs -H "Authorization: $TOKEN" "$MATRIX" | wc -c) bytes; list payload: $(curl -fs -H "Authorization: $TOKEN" "$LIST" | wc -c) bytes"

if command -v hey > /dev/null; then TOOL=hey
elif command -v wrk > /dev/null; then TOOL=wrk
else TOOL=loadgen; go build -o "$DIR/loadgen" ./tools/loadgen; fi

# run URL CLIENTS → "rps p50_ms p99_ms non2xx"
run() {
  local url=$1 c=$2 out
  case $TOOL in
    hey) out=$(hey -n "$N" -c "$c" -H "Authorization: $TOKEN" "$url") ;;
    loadgen) out=$("$DIR/loadgen" get -n "$N" -c "$c" -H "Authorization: $TOKEN" "$url") ;;
    wrk)
      out=$(wrk -t 2 -c "$c" -d 10s --latency -H "Authorization: $TOKEN" "$url")
      echo "$out" | awk '/Requests\/sec/ {r=$2} /^ +50%/ {p50=$2} /^ +99%/ {p99=$2} /Non-2xx/ {e=$4}
        function ms(v) { if (v ~ /us$/) return v/1000; if (v ~ /ms$/) return v+0; if (v ~ /s$/) return v*1000; return v }
        END { printf "%.0f %.2f %.2f %d\n", r, ms(p50), ms(p99), e+0 }'
      return ;;
  esac
  echo "$out" | awk '/Requests\/sec/ {r=$2} /50%+ in/ {p50=$3*1000} /99%+ in/ {p99=$3*1000}
    /^ +\[[0-9]+\]/ { code=substr($1,2,3); if (code !~ /^2/) e+=$2 }
    END { printf "%.0f %.2f %.2f %d\n", r, p50, p99, e+0 }'
}

echo
echo "load tool: $TOOL, $N requests per run"
echo
echo "| clients | matrix req/s | matrix p50 ms | matrix p99 ms | list req/s | list p50 ms | list p99 ms | matrix/list req/s |"
echo "|---:|---:|---:|---:|---:|---:|---:|---:|"
for c in 1 10 50; do
  read -r mr m50 m99 me < <(run "$MATRIX" "$c")
  read -r lr l50 l99 le < <(run "$LIST" "$c")
  ratio=$(echo "scale=2; $mr / $lr" | bc)
  echo "| $c | $mr | $m50 | $m99 | $lr | $l50 | $l99 | $ratio |"
  if [ "$me" != "0" ] || [ "$le" != "0" ]; then echo "  (non-2xx: matrix $me, list $le)"; fi
done

echo
times=()
for _ in $(seq 1 10); do
  times+=("$(curl -fs -o /dev/null -w '%{time_total}' -X POST -H "Authorization: $TOKEN" -H 'Content-Type: application/json' \
    -d '{"label":"bench"}' "$BASE/api/aegis/snapshots")")
done
printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1*1000} END {printf "snapshot over HTTP (10 runs): min %.1f ms, median %.1f ms, max %.1f ms\n", a[1], a[int((NR+1)/2)], a[NR]}'
echo "server RSS: $(ps -o rss= -p $SERVER_PID) KiB; load average: $(cut -d' ' -f1-3 /proc/loadavg); $(nproc) cores; $(date -u +%Y-%m-%dT%H:%MZ)"
