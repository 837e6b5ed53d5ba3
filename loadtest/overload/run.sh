#!/usr/bin/env bash
# Overload against one instance on the demo region (SQLite): LOOKUPS parents' lookup connections and
# WRITERS operators submitting, at once, for SECONDS, with wrk (Debian's package). Prints each load's
# answers by status and its latency percentiles, and the service's memory before and at most.
#
#   bash loadtest/overload/run.sh                  # admission control as configured by default
#   bash loadtest/overload/run.sh --no-admission   # every concurrency limit off (what issue 15 measured)
#   LOOKUPS=1000 WRITERS=200 SECONDS_=20 bash loadtest/overload/run.sh
#
# The per-address lookup rate limit is lifted (all the load comes from 127.0.0.1). 127.0.0.1 only.
set -euo pipefail
cd "$(dirname "$0")/../.."
LOOKUPS="${LOOKUPS:-1000}" WRITERS="${WRITERS:-200}" SECONDS_="${SECONDS_:-20}"
command -v wrk >/dev/null || { [ "$(id -u)" -eq 0 ] && DEBIAN_FRONTEND=noninteractive apt-get install -y -q wrk >/dev/null; }
ulimit -n 65536 2>/dev/null || true
extra=()
label="admission control on (defaults)"
if [ "${1:-}" = "--no-admission" ]; then
  extra=(--KinderQueue:LookupConcurrency=0 --KinderQueue:WriteConcurrency=0 --KinderQueue:PublicReadConcurrency=0 --KinderQueue:ExportConcurrency=0)
  label="admission control off"
fi
dotnet build src/KinderQueue.Api -c Release -v q -nologo >/dev/null
dll=src/KinderQueue.Api/bin/Release/net10.0/KinderQueue.Api.dll
data=$(mktemp -d)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
base="http://127.0.0.1:$port"
# --demo last: a flag without a value would take the next argument as its value.
dotnet "$dll" --urls "$base" --KinderQueue:DataDir="$data" --KinderQueue:LookupsPerMinute=100000000 "${extra[@]}" --demo >"$data/service.log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null; rm -rf "$data"' EXIT
for _ in $(seq 1 240); do grep -q "Demo ready:" "$data/service.log" && break; sleep 0.5; done
grep -q "Demo ready:" "$data/service.log" || { echo "the demo did not get ready"; tail -20 "$data/service.log"; exit 1; }

read -r number code _ < <(grep -v '^#' "$data/demo-applications.txt" | head -1)
read -r district kindergarten < <(curl -s "$base/api/v1/public/dashboard" | python3 -c 'import json,sys; k=json.load(sys.stdin)["register"]["kindergartens"][0]; print(k["district"], k["id"])')
export KQ_SCRIPTS="$PWD/loadtest/overload" KQ_NUMBER="$number" KQ_CODE="$code" KQ_DISTRICT="$district" KQ_KINDERGARTEN="$kindergarten"
export KQ_TOKEN=$(dotnet "$dll" token --role operator --data-dir "$data")
export KQ_BIRTH=$(date -u -d '3 years ago' +%F) KQ_DESIRED=$(date -u -d '20 days' +%F)
rss() { awk '/VmRSS/ {print int($2/1024)}' "/proc/$pid/status"; }
before=$(rss); peak=$before
( while kill -0 $pid 2>/dev/null; do r=$(rss); [ "$r" -gt "$(cat "$data/peak" 2>/dev/null || echo 0)" ] && echo "$r" >"$data/peak"; sleep 0.2; done ) &
sampler=$!

echo "overload: $LOOKUPS lookup connections + $WRITERS writers for ${SECONDS_} s, $label"
KQ_LABEL=lookups wrk -t 2 -c "$LOOKUPS" -d "${SECONDS_}s" --timeout 10s -s loadtest/overload/lookup.lua "$base" >"$data/lookups.txt" &
w1=$!
KQ_LABEL=writes wrk -t 1 -c "$WRITERS" -d "${SECONDS_}s" --timeout 10s -s loadtest/overload/submit.lua "$base" >"$data/writes.txt" &
w2=$!
wait $w1 $w2
kill $sampler 2>/dev/null || true
grep -h "statuses\|latency ms\|Socket errors" "$data/lookups.txt" "$data/writes.txt"
echo "service memory: ${before} MB before, $(cat "$data/peak" 2>/dev/null || echo "$before") MB at most"
