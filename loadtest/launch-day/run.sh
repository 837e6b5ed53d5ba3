#!/usr/bin/env bash
# Launch-day stress test (issue 15): the first hours of a campaign compressed to minutes, driven by
# wrk against two KinderQueue instances on one PostgreSQL, with faults injected in marked windows,
# then data checks, kq verify and a GO / NO-GO report. See loadtest/launch-day/README.md.
#
#   bash loadtest/launch-day/run.sh [--short] [--no-build] [--out DIR] [--duration S] [--region N]
#        [--seed-apps N] [--peak-apps N] [--peak-lookups N] [--peak-visits N] [--peak-exports N]
#        [--burst-conns N] [--no-admission] [--keep] [--build]
#
# --no-admission turns the service's admission control off (every concurrency limit 0): the run then
# shows what the burst does to a service that queues instead of shedding.
#
# Exit codes: --short (CI): 0 when the harness worked and no acknowledged application was lost or
# duplicated, whatever the timings say (the verdict is printed, never asserted); 2 the harness broke;
# 3 data lost or duplicated, or kq verify not INTACT. Full run: the same, and 1 for NO-GO.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
# shellcheck source=lib/harness.sh
source "$here/lib/harness.sh"

command_line="bash loadtest/launch-day/run.sh${*:+ $*}"
mode=full build=auto keep=0 out="" admission=on
declare -A set_by_flag=()
while [ $# -gt 0 ]; do
  case "$1" in
    --short) mode=short ;;
    --no-build) build=no ;;
    --build) build=yes ;;
    --keep) keep=1 ;;
    --no-admission) admission=off ;;
    --out) out=$2; shift ;;
    --duration) set_by_flag[duration]=$2; shift ;;
    --region) set_by_flag[region]=$2; shift ;;
    --seed-apps) set_by_flag[seed_apps]=$2; shift ;;
    --peak-apps) set_by_flag[peak_apps]=$2; shift ;;
    --peak-lookups) set_by_flag[peak_lookups]=$2; shift ;;
    --peak-visits) set_by_flag[peak_visits]=$2; shift ;;
    --peak-exports) set_by_flag[peak_exports]=$2; shift ;;
    --burst-conns) set_by_flag[burst_conns]=$2; shift ;;
    -h|--help) sed -n '2,19p' "$0"; exit 0 ;;
    *) echo "unknown argument: $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done

# ---------------------------------------------------------------------------------------------
# Scenario parameters. Rates are per minute for the whole region (both instances together).
if [ "$mode" = short ]; then
  duration=36 region=24 seed_apps=200 peak_apps=1200 peak_lookups=2400 peak_visits=240 peak_exports=20
  burst_conns=32 burst_s=3 kill_down_s=1 recovery_limit_s=20
else
  duration=300 region=200 seed_apps=3000 peak_apps=12000 peak_lookups=24000 peak_visits=3000 peak_exports=6
  burst_conns=1024 burst_s=20 kill_down_s=1 recovery_limit_s=60
fi
for k in "${!set_by_flag[@]}"; do printf -v "$k" '%s' "${set_by_flag[$k]}"; done
operator_share=30      # % of applications submitted by service-centre operators (the rest: parents on the portal)
receipt_share=30       # % of lookups that fetch a receipt (the rest: the position page)
bad_lookup_share=1     # % of lookups with a mistyped access code (answered 404)
# Six phases of equal length ramping to the peak; the last two hold it.
ramp=(10 25 45 70 100 100)
# Moments as % of the duration: faults and the round, and the staff's capacity loads.
kill_at=15 pg_restart_at=45 capacity_at=10 correction_at=55 round_at=72 burst_at=86
pool_size=40
seed=${KQ_LAUNCH_SEED:-1}

districts=$(( region / 10 )); [ "$districts" -ge 2 ] || districts=2
phase_s=$(( duration / ${#ramp[@]} ))
duration=$(( phase_s * ${#ramp[@]} ))

run_id="$(date -u +%Y%m%dT%H%M%SZ)-$mode"
run_dir=${out:-$repo/artifacts/launch-day/$run_id}
# A run's folder holds its records only: an earlier run's seeds and answers would mix into the checks.
if [ -n "$(ls -A "$run_dir" 2>/dev/null)" ]; then
  echo "launch-day: $run_dir is not empty; give --out a new or empty folder" >&2
  exit 2
fi
mkdir -p "$run_dir"/{records,wrk,pids,data,staff}
run_dir=$(cd "$run_dir" && pwd)
: >"$run_dir/events.tsv"
started_at=$(date +%s)
say "launch-day $mode run $run_id -> $run_dir"

# psql comes with PostgreSQL, which tests/postgres-cluster.sh installs when it is missing (as root).
for tool in wrk curl jq dotnet openssl; do
  if ! command -v "$tool" >/dev/null; then
    if [ "$tool" = wrk ] && [ "$(id -u)" -eq 0 ]; then
      say "installing Debian's wrk (log: $run_dir/wrk-install.log)"
      { apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q wrk; } >"$run_dir/wrk-install.log" 2>&1 || die "apt-get install wrk failed (see $run_dir/wrk-install.log)"
    else
      die "$tool is not installed (Debian: apt-get install $tool)"
    fi
  fi
done

# ---------------------------------------------------------------------------------------------
# Build (Release) unless the binaries are newer than every source they come from.
api_dll=${KQ_API_DLL:-$repo/src/KinderQueue.Api/bin/Release/net10.0/KinderQueue.Api.dll}
kq_dll=$repo/src/KinderQueue.Cli/bin/Release/net10.0/kq.dll
report_dll=$repo/loadtest/LaunchDay.Report/bin/Release/net10.0/LaunchDay.Report.dll
stale() { # dll dir...
  local dll=$1; shift
  [ -f "$dll" ] || return 0
  [ -n "$(find "$@" "$repo/Directory.Build.props" "$repo/Directory.Packages.props" \( -name '*.cs' -o -name '*.csproj' -o -name '*.props' -o -name '*.json' -o -path '*/wwwroot/*' \) -newer "$dll" -not -path '*/bin/*' -not -path '*/obj/*' -print -quit)" ]
}
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
build_one() { say "building $1 (Release)"; dotnet build "$repo/$1" -c Release -nologo -v quiet >>"$run_dir/build.log" 2>&1 || die "build of $1 failed (see $run_dir/build.log)"; }
want() { [ "$build" = yes ] || stale "$@"; }
if [ "$build" != no ]; then
  if [ -z "${KQ_API_DLL:-}" ] && want "$api_dll" "$repo/src/KinderQueue.Api" "$repo/src/KinderQueue.Core" "$repo/src/KinderQueue.Storage"; then build_one src/KinderQueue.Api; fi
  if want "$kq_dll" "$repo/src/KinderQueue.Cli" "$repo/src/KinderQueue.Core"; then build_one src/KinderQueue.Cli; fi
  if want "$report_dll" "$repo/loadtest/LaunchDay.Report"; then build_one loadtest/LaunchDay.Report; fi
fi
for f in "$api_dll" "$kq_dll" "$report_dll"; do [ -f "$f" ] || die "$f is missing (run without --no-build)"; done
build_done_at=$(date +%s)

# ---------------------------------------------------------------------------------------------
# Cleanup: only what this run started, by pid.
cleanup() {
  local rc=$?
  touch "$run_dir/monitor.stop" 2>/dev/null || true
  for f in "$run_dir"/pids/wrk-*; do [ -f "$f" ] && stop_pid_file "$(basename "$f")" INT; done
  stop_pid_file monitor
  stop_pid_file timeline
  stop_pid_file instance-a; stop_pid_file instance-b
  sleep 0.5
  stop_pid_file instance-a KILL; stop_pid_file instance-b KILL
  if [ -n "${pg_dir:-}" ] && [ "$keep" = 0 ]; then bash "$repo/tests/postgres-cluster.sh" stop "$pg_dir" >/dev/null 2>&1 || true; fi
  if [ -n "${pg_dir:-}" ] && [ "$keep" = 1 ]; then say "--keep: PostgreSQL still runs on 127.0.0.1:$pg_port (database $pg_db); stop it with: bash tests/postgres-cluster.sh stop $pg_dir"; fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---------------------------------------------------------------------------------------------
# PostgreSQL and two instances.
say "starting a throwaway PostgreSQL (tests/postgres-cluster.sh)"
pg_exports=$(bash "$repo/tests/postgres-cluster.sh" start) || die "PostgreSQL could not be started"
eval "$pg_exports"
pg_dir=$KQ_PG_DIR
pg_port=$(sed -nE 's/.*Port=([0-9]+).*/\1/p' <<<"$KQ_TEST_POSTGRES")
pg_db=kq_launch
command -v psql >/dev/null || die "psql is not installed (Debian: apt-get install postgresql-client)"
PGCONNECT_TIMEOUT=5 psql -X -q -h 127.0.0.1 -p "$pg_port" -U postgres -d postgres -c "CREATE DATABASE $pg_db" >/dev/null

# Shared secrets of the two replicas (CONFIGURATION.md: same token key, checkpoint key, pseudonym key).
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$run_dir/data/checkpoint-signing.pem" 2>/dev/null
chmod 600 "$run_dir/data/checkpoint-signing.pem"
pseudonym_key=$(openssl rand -base64 32)

say "minting bearer tokens with the service's token command"
mkdir -p "$run_dir/tokens"
mint_token registrar launch-registrar >"$run_dir/tokens/registrar"   # creates data/token-signing.pem
mint_token allocator launch-allocator >"$run_dir/tokens/allocator" &
mint_token operator launch-centre-1 >"$run_dir/tokens/operator-1" &
mint_token operator launch-centre-2 >"$run_dir/tokens/operator-2" &
for i in 1 2 3 4; do mint_token parent "launch-parent-$i" >"$run_dir/tokens/parent-$i" & done
wait
cat "$run_dir"/tokens/operator-* >"$run_dir/tokens/operators.txt"
cat "$run_dir"/tokens/parent-* >"$run_dir/tokens/parents.txt"
[ "$(wc -l <"$run_dir/tokens/parents.txt")" -eq 4 ] || die "token minting failed"

(service_env; cd "$(dirname "$api_dll")" && dotnet "$api_dll" migrate) >"$run_dir/migrate.log" 2>&1 || die "migrate failed (see $run_dir/migrate.log)"
port_a=$(free_port); port_b=$(free_port)
[ "$port_a" != "$port_b" ] || port_b=$(free_port)
say "starting instance a on 127.0.0.1:$port_a and instance b on 127.0.0.1:$port_b"
start_instance a; start_instance b
wait_ready a 90 || die "instance a did not become ready (see $run_dir/service-a.log)"
wait_ready b 90 || die "instance b did not become ready (see $run_dir/service-b.log)"

# ---------------------------------------------------------------------------------------------
# The region, through the API as the registrar (instance a): criteria in force today, districts,
# kindergartens, the annual capacity plan. Then the queue it already has (seeded through wrk).
today=$(TZ=Europe/Moscow date +%F)
registrar=$(cat "$run_dir/tokens/registrar")
jq --arg v "launch-$run_id" --arg d "$today" '.version = $v | .effectiveFrom = $d' "$repo/algorithm-spec/criteria/default.json" >"$run_dir/staff/criteria.json"
api a POST /api/v1/criteria "$registrar" application/json "$run_dir/staff/criteria.json" >/dev/null
: >"$run_dir/region.tsv"
for d in $(seq 1 "$districts"); do
  printf -v did 'd%02d' "$d"
  printf '{"id":"%s","name":"Район %d"}' "$did" "$d" >"$run_dir/staff/body.json"
  api a POST /api/v1/districts "$registrar" application/json "$run_dir/staff/body.json" >/dev/null
  printf 'district\t%s\n' "$did" >>"$run_dir/region.tsv"
done
for k in $(seq 0 $((region - 1))); do
  d=$(( k % districts + 1 )); printf -v did 'd%02d' "$d"; printf -v kid 'kg-%03d' "$((k + 1))"
  if [ "$k" -lt "$districts" ]; then next=$(( d % districts + 1 )); printf -v nid 'd%02d' "$next"; catchment="[\"$did\",\"$nid\"]"; else catchment="[\"$did\"]"; fi
  printf '{"id":"%s","name":"Детский сад № %d","district":"%s","catchment":%s}' "$kid" "$((k + 1))" "$did" "$catchment" >"$run_dir/staff/body.json"
  api a POST /api/v1/kindergartens "$registrar" application/json "$run_dir/staff/body.json" >/dev/null
  printf 'kindergarten\t%s\t%s\n' "$kid" "$did" >>"$run_dir/region.tsv"
done
# Seats for the enrolment year of the next weeks (1 September cut-off) and the one after.
m=$(TZ=Europe/Moscow date +%-m); y=$(TZ=Europe/Moscow date +%Y)
if [ "$m" -lt 9 ]; then year=$((y - 1)); else year=$y; fi
awk -v year="$year" -v seed="$seed" 'BEGIN { srand(seed); print "kindergarten,group,year,seats" }
  $1 == "kindergarten" { split("early junior middle senior preparatory", g, " ");
    for (y = year; y <= year + 1; y++) for (i = 1; i <= 5; i++) printf "%s,%s,%d,%d\n", $2, g[i], y, 10 + int(rand() * 20) }' \
  "$run_dir/region.tsv" >"$run_dir/staff/capacity-plan.csv"
api a POST "/api/v1/capacity?dryRun=false&reason=annual-plan" "$registrar" text/csv "$run_dir/staff/capacity-plan.csv" >/dev/null
# During the campaign: new groups in the first few kindergartens (a dry run, then the load), and a correction later.
awk -v year="$year" -F'\t' 'BEGIN { print "kindergarten,group,year,seats" } $1 == "kindergarten" && n++ < 5 { printf "%s,early,%d,40\n%s,junior,%d,35\n", $2, year, $2, year }' \
  "$run_dir/region.tsv" >"$run_dir/staff/capacity-new-groups.csv"
awk -v year="$year" -F'\t' 'BEGIN { print "kindergarten,group,year,seats" } $1 == "kindergarten" && n++ >= 5 && n <= 8 { printf "%s,middle,%d,25\n", $2, year }' \
  "$run_dir/region.tsv" >"$run_dir/staff/capacity-correction.csv"
setup_size=$(ready_json a | jq -r .logSize)
say "region set up through the API: $districts districts, $region kindergartens; log size $setup_size"

say "seeding the queue the region already has: about $seed_apps applications (wrk, apply.lua)"
# At about 500 a second (at least 3 s), as fast as a loaded two-core machine reliably takes them.
seed_s=$(( (seed_apps + 499) / 500 )); [ "$seed_s" -ge 3 ] || seed_s=3
seed_rate=$(( seed_apps * 60 / seed_s ))
seed_conns=$(( seed_apps / seed_s / 25 )); [ "$seed_conns" -ge 4 ] || seed_conns=4; [ "$seed_conns" -le 32 ] || seed_conns=32
seed_t0=$(( $(now_us) + 500000 ))
run_wrk seed a apply.lua "$seed_conns" "$(( seed_s + 3 ))" role=operator tokens="$run_dir/tokens/operators.txt" region="$run_dir/region.tsv" today="$today" \
  t0_us="$seed_t0" phases="$seed_s" rates="$seed_rate"
wait "$(cat "$run_dir/pids/wrk-seed")" || true
awk -F'\t' '$3 == 201 && $9 != "-" && $11 != "-" { print $9 "\t" $11 }' "$run_dir"/records/seed-*.tsv >"$run_dir/seeds.tsv"
[ -s "$run_dir/seeds.tsv" ] || die "seeding acknowledged no application (see $run_dir/wrk/seed.out and records/seed-*.tsv)"
say "seeded $(wc -l <"$run_dir/seeds.tsv") applications"
# Both instances must have folded them, and a checkpoint must cover them (a receipt asks for one).
for i in $(seq 100); do
  a_size=$(ready_json a | jq -r '.publicLogSize // -1'); b_size=$(ready_json b | jq -r '.publicLogSize // -1')
  db_size=$(psql_q "SELECT MAX(seq)+1 FROM log_entries")
  [ "$a_size" = "$db_size" ] && [ "$b_size" = "$db_size" ] && break
  sleep 0.2
done
IFS=$'\t' read -r n c <"$run_dir/seeds.tsv"
for i in $(seq 50); do
  code=$(curl -s -o /dev/null -w '%{http_code}' -X POST "$(url_of a)/api/v1/public/receipts" -H 'Content-Type: application/json' -d "{\"number\":\"$n\",\"accessCode\":\"$c\"}")
  [ "$code" = 200 ] && break
  sleep 0.2
done
lookup_ok a && lookup_ok b || die "a lookup of a seeded application fails before the campaign starts"

# ---------------------------------------------------------------------------------------------
# The campaign. Every wrk process runs for the whole campaign and paces itself by phase (lua/kq.lua);
# each targets one instance, the load of every class is split half and half.
lead_s=3
t0=$(( $(now_us) + lead_s * 1000000 ))
phases=$(printf "$phase_s,%.0s" "${ramp[@]}"); phases=${phases%,}
rates_of() { # per-minute total for both instances -> rates for one process
  local total=$1 out="" r
  for r in "${ramp[@]}"; do out+="$(awk -v t="$total" -v r="$r" 'BEGIN { printf "%.2f", t * r / 100 / 2 }'),"; done
  echo "${out%,}"
}
conns_for() { # per-minute peak for one process, seconds of budget per request -> connections
  awk -v r="$1" -v b="$2" -v max="${3:-32}" 'BEGIN { c = int(r / 60 * b + 0.999); if (c < 1) c = 1; if (c > max) c = max; print c }'
}
at() { awk -v p="$1" -v d="$duration" 'BEGIN { printf "%.1f", p * d / 100 }'; }
# After the plan ends no new request goes out; wrk keeps running for tail_s so that answers still on
# their way arrive (a request unanswered when wrk stops is recorded as such: status -1).
tail_s=$([ "$mode" = short ] && echo 5 || echo 20)
wrk_s=$(( lead_s + duration + tail_s ))
parent_peak=$(( peak_apps * (100 - operator_share) / 100 ))
operator_peak=$(( peak_apps * operator_share / 100 ))

cat >"$run_dir/staff/actions.tsv" <<EOF
$(at "$capacity_at")	capacity-dry-run	POST	/api/v1/capacity?dryRun=true	text/csv	$run_dir/staff/capacity-new-groups.csv	$run_dir/tokens/registrar	0
$(at "$capacity_at")	capacity	POST	/api/v1/capacity?dryRun=false&reason=new-building	text/csv	$run_dir/staff/capacity-new-groups.csv	$run_dir/tokens/registrar	1
$(at "$correction_at")	capacity-dry-run	POST	/api/v1/capacity?dryRun=true	text/csv	$run_dir/staff/capacity-correction.csv	$run_dir/tokens/registrar	0
$(at "$correction_at")	capacity	POST	/api/v1/capacity?dryRun=false&reason=staffing	text/csv	$run_dir/staff/capacity-correction.csv	$run_dir/tokens/registrar	1
$(at "$round_at")	round-dry-run	POST	/api/v1/rounds	application/json	$run_dir/staff/round-dry.json	$run_dir/tokens/allocator	0
$(at "$round_at")	round	POST	/api/v1/rounds	application/json	$run_dir/staff/round.json	$run_dir/tokens/allocator	1
EOF
round_start=$(TZ=Europe/Moscow date -d "$today + 30 days" +%F)
printf '{"id":"launch-%s","startDate":"%s","dryRun":true}' "$run_id" "$round_start" >"$run_dir/staff/round-dry.json"
printf '{"id":"launch-%s","startDate":"%s","dryRun":false}' "$run_id" "$round_start" >"$run_dir/staff/round.json"

# The plan, for the report.
jq -n --arg run "$run_id" --arg mode "$mode" --argjson t0 "$t0" --argjson phase_s "$phase_s" --argjson duration "$duration" \
  --argjson ramp "$(printf '%s\n' "${ramp[@]}" | jq -s .)" --argjson region "$region" --argjson districts "$districts" \
  --argjson seed_apps "$seed_apps" --argjson seeded "$(wc -l <"$run_dir/seeds.tsv")" --argjson setup_size "$setup_size" \
  --argjson peak_apps "$peak_apps" --argjson peak_lookups "$peak_lookups" --argjson peak_visits "$peak_visits" --argjson peak_exports "$peak_exports" \
  --argjson operator_share "$operator_share" --argjson receipt_share "$receipt_share" --argjson burst_conns "$burst_conns" --argjson burst_s "$burst_s" \
  --arg admission "$admission" --arg today "$today" --arg round_start "$round_start" --arg command "$command_line" \
  --arg commit "$(git -C "$repo" rev-parse --short HEAD 2>/dev/null || echo unknown)" \
  --arg wrk "$(wrk -v 2>&1 | head -n1 | cut -c1-60)" --arg postgres "$(as_postgres "$(pg_bin)/postgres" --version 2>/dev/null || echo unknown)" \
  --argjson cores "$(nproc)" --argjson ports "{\"a\":$port_a,\"b\":$port_b}" \
  '{run:$run, mode:$mode, t0_us:$t0, phase_s:$phase_s, duration_s:$duration, ramp_percent:$ramp, region_kindergartens:$region, districts:$districts,
    seed_apps:$seed_apps, seeded:$seeded, setup_log_size:$setup_size, peak_per_minute:{applications:$peak_apps, lookups:$peak_lookups, site_visits:$peak_visits, exports:$peak_exports},
    operator_share_percent:$operator_share, receipt_share_percent:$receipt_share, burst:{connections:$burst_conns, seconds:$burst_s}, admission:$admission,
    today:$today, round_start:$round_start, command:$command, commit:$commit, wrk:$wrk, postgres:$postgres, cores:$cores, ports:$ports,
    faults:["kill-a","pg-restart","burst"]}' >"$run_dir/run.json"

# Planned rates per process, for offered-vs-achieved.
: >"$run_dir/plan.tsv"
plan() { printf '%s\t%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" "$5" >>"$run_dir/plan.tsv"; }

say "campaign: $duration s in ${#ramp[@]} phases of $phase_s s (ramp ${ramp[*]} % of the peak), starting in $lead_s s"
for inst in a b; do
  r=$(rates_of "$parent_peak"); c=$(conns_for $((parent_peak / 2)) 0.25)
  run_wrk "apply-parent-$inst" "$inst" apply.lua "$c" "$wrk_s" role=parent tokens="$run_dir/tokens/parents.txt" region="$run_dir/region.tsv" today="$today" t0_us="$t0" phases="$phases" rates="$r"
  plan "apply-parent-$inst" write "$inst" "$r" "$c"
  r=$(rates_of "$operator_peak"); c=$(conns_for $((operator_peak / 2)) 0.25)
  run_wrk "apply-operator-$inst" "$inst" apply.lua "$c" "$wrk_s" role=operator tokens="$run_dir/tokens/operators.txt" region="$run_dir/region.tsv" today="$today" t0_us="$t0" phases="$phases" rates="$r"
  plan "apply-operator-$inst" write "$inst" "$r" "$c"
  r=$(rates_of "$peak_lookups"); c=$(conns_for $((peak_lookups / 2)) 0.25)
  run_wrk "lookup-$inst" "$inst" lookup.lua "$c" "$wrk_s" seeds="$run_dir/seeds.tsv" receipts="$receipt_share" bad="$bad_lookup_share" t0_us="$t0" phases="$phases" rates="$r"
  plan "lookup-$inst" lookup "$inst" "$r" "$c"
  r=$(rates_of "$peak_visits"); c=$(conns_for $((peak_visits / 2)) 1.0)
  run_wrk "site-$inst" "$inst" site.lua "$c" "$wrk_s" region="$run_dir/region.tsv" t0_us="$t0" phases="$phases" rates="$r"
  plan "site-$inst" site "$inst" "$r" "$c"
  r=$(rates_of "$peak_exports"); c=$(conns_for $((peak_exports / 2)) 10 4)
  run_wrk "export-$inst" "$inst" export.lua "$c" "$wrk_s" t0_us="$t0" phases="$phases" rates="$r"
  plan "export-$inst" export "$inst" "$r" "$c"
done
# Staff work on instance b (the one that is not killed), on their timetable.
run_wrk staff-b b staff.lua 1 "$wrk_s" actions="$run_dir/staff/actions.tsv" t0_us="$t0" phases="$duration" rates=0

monitor &
remember_pid monitor $!

# The faults, each in its marked window: [injected, recovered]. The timeline runs in the background.
sleep_until() { local d=$(( $1 - $(now_us) )); [ "$d" -le 0 ] || sleep "$(awk -v d="$d" 'BEGIN { printf "%.3f", d / 1e6 }')"; }
# A fault starts at its moment, but never sooner than fault_gap_s after the previous one recovered:
# the windows stay apart even when a recovery is slow (the report uses the actual times).
fault_gap_s=3 last_end=0
next_fault_at() { local at; at=$(us_at "$1"); local min=$(( last_end + fault_gap_s * 1000000 )); [ "$at" -ge "$min" ] && echo "$at" || echo "$min"; }
us_at() { awk -v t0="$t0" -v p="$1" -v d="$duration" 'BEGIN { printf "%.0f", t0 + p * d / 100 * 1e6 }'; }
timeline() {
  # Keep going whatever one step does: a fault that could not be injected shows as missing in the report.
  set +e +o pipefail
  local s k r ready lookup sizes
  # 1. kill -9 of instance a, restarted after kill_down_s (a supervisor's restart delay).
  sleep_until "$(next_fault_at "$kill_at")"
  s=$(now_us)
  set_clients_nice a 19
  kill -9 "$(cat "$run_dir/pids/instance-a")" 2>/dev/null || true
  say "FAULT kill -9 of instance a"
  sleep "$kill_down_s"
  r=$(now_us); start_instance a
  read -r ready lookup < <(probe_recovery a)
  set_clients_nice a 0
  sizes=$(sizes_now)
  last_end=$([ "$lookup" = 0 ] && now_us || echo "$lookup")
  event fault kill-a "$s" "$last_end" "instances=a;restarted_us=$r;ready_us=$ready;lookup_us=$lookup;sizes=$sizes"
  say "  instance a: ready after $(( (ready - s) / 1000 )) ms, lookup ok after $(( (lookup - s) / 1000 )) ms ($sizes)"
  # 2. PostgreSQL restart, immediate mode (no clean shutdown: what a crash looks like to the clients).
  sleep_until "$(next_fault_at "$pg_restart_at")"
  s=$(now_us)
  say "FAULT pg_ctl restart -m immediate"
  as_postgres "$(pg_bin)/pg_ctl" -D "$pg_dir/data" -m immediate -w -t 60 restart >>"$run_dir/pg-restart.log" 2>&1 || say "pg_ctl restart failed (see pg-restart.log)"
  r=$(now_us)
  probe_recovery a >"$run_dir/recovery-a.tmp" & local pa=$!
  probe_recovery b >"$run_dir/recovery-b.tmp" & local pb=$!
  wait "$pa" "$pb" || true
  read -r ready lookup <"$run_dir/recovery-a.tmp"; read -r rb lb <"$run_dir/recovery-b.tmp"
  local end=$lookup; { [ "$lookup" = 0 ] || [ "$lb" = 0 ]; } && end=$(now_us) || { [ "$lb" -gt "$end" ] && end=$lb; }
  sizes=$(sizes_now)
  last_end=$end
  event fault pg-restart "$s" "$end" "instances=a,b;restarted_us=$r;ready_us_a=$ready;lookup_us_a=$lookup;ready_us_b=$rb;lookup_us_b=$lb;sizes=$sizes"
  say "  database back after $(( (r - s) / 1000 )) ms; a ready/lookup $(( (ready - s) / 1000 ))/$(( (lookup - s) / 1000 )) ms, b $(( (rb - s) / 1000 ))/$(( (lb - s) / 1000 )) ms ($sizes)"
  # 3. A burst beyond capacity: closed-loop submissions on burst_conns extra connections, no pacing.
  sleep_until "$(next_fault_at "$burst_at")"
  s=$(now_us)
  say "FAULT burst: $burst_conns connections submitting as fast as answers come, for $burst_s s"
  for k in a b; do
    run_wrk "burst-$k" "$k" apply.lua "$(( burst_conns / 2 ))" "$(( burst_s + 3 ))" role=parent tokens="$run_dir/tokens/parents.txt" region="$run_dir/region.tsv" today="$today" \
      t0_us="$s" phases="$burst_s" rates=0 unpaced=1
  done
  # The burst's plan ends after burst_s; its wrk runs 3 s longer for the answers still on their way.
  sleep_until "$(( s + burst_s * 1000000 ))"
  r=$(now_us)
  probe_recovery a >"$run_dir/recovery-a.tmp" & pa=$!
  probe_recovery b >"$run_dir/recovery-b.tmp" & pb=$!
  wait "$pa" "$pb" || true
  wait "$(cat "$run_dir/pids/wrk-burst-a")" "$(cat "$run_dir/pids/wrk-burst-b")" || true
  read -r ready lookup <"$run_dir/recovery-a.tmp"; read -r rb lb <"$run_dir/recovery-b.tmp"
  end=$lookup; { [ "$lookup" = 0 ] || [ "$lb" = 0 ]; } && end=$(now_us) || { [ "$lb" -gt "$end" ] && end=$lb; }
  event fault burst "$s" "$end" "instances=a,b;ended_us=$r;ready_us_a=$ready;lookup_us_a=$lookup;ready_us_b=$rb;lookup_us_b=$lb;connections=$burst_conns;sizes=$(sizes_now)"
  rm -f "$run_dir"/recovery-*.tmp
}
timeline &
remember_pid timeline $!

# Wait for the campaign's wrk processes (they stop by their -d), then the timeline.
for name in $(cat "$run_dir/wrk/started"); do
  [ "$name" = seed ] && continue
  wait "$(cat "$run_dir/pids/wrk-$name")" 2>/dev/null || true
done
wait "$(cat "$run_dir/pids/timeline")" 2>/dev/null || true
event marker campaign-end "$(now_us)" "$(now_us)" -
touch "$run_dir/monitor.stop"
wait "$(cat "$run_dir/pids/monitor")" 2>/dev/null || true
grep -h '^round' "$run_dir"/records/staff-b-*.tsv >/dev/null 2>&1 || true
say "campaign over; checking the data"

# ---------------------------------------------------------------------------------------------
# Afterwards: let both instances catch up with the database (bounded), then download what a
# validator downloads from each, the database's own list of submissions, and kq verify.
db_size=$(psql_q "SELECT MAX(seq)+1 FROM log_entries")
converge_limit=$([ "$mode" = short ] && echo 10 || echo 60)
converged=0
converge_until=$(( $(date +%s) + converge_limit ))
while [ "$(date +%s)" -lt "$converge_until" ]; do
  # readyz logSize and publicLogSize, and the export's size, of each instance
  sa="$(ready_json a | jq -r '"\(.logSize) \(.publicLogSize)"' 2>/dev/null || echo "x x") $(export_size a)"
  sb="$(ready_json b | jq -r '"\(.logSize) \(.publicLogSize)"' 2>/dev/null || echo "x x") $(export_size b)"
  if [ "$sa" = "$db_size $db_size $db_size" ] && [ "$sb" = "$db_size $db_size $db_size" ]; then converged=1; break; fi
  sleep 0.2
done
event marker converged "$(now_us)" "$(now_us)" "converged=$converged;db_size=$db_size;a=${sa// //};b=${sb// //}"
[ "$converged" = 1 ] || say "instances did not catch up with the database within ${converge_limit} s: a=$sa b=$sb db=$db_size"
mkdir -p "$run_dir/export"
for inst in a b; do
  u=$(url_of "$inst")/api/v1/public
  curl -s -m 30 "$u/log-key" >"$run_dir/export/log-key-$inst.json" || true
  curl -s -m 30 "$u/dashboard" >"$run_dir/export/dashboard-$inst.json" || true
  curl -s -m 30 "$u/checkpoint" >"$run_dir/export/checkpoint-$inst.json" || true
  curl -s -m 300 -D "$run_dir/export/log-$inst.headers" "$u/log" >"$run_dir/export/log-$inst.ndjson" || true
done
psql_q "SELECT seq, convert_from(payload, 'UTF8')::json->>'number' FROM log_entries WHERE type = 'application.submitted' ORDER BY seq" >"$run_dir/export/db-submitted.tsv" \
  || die "could not read the database's log"
# Which Idempotency-Keys the database stored a first response for (the key is scoped as actor|key):
# tells, for a request that never got its answer, whether it was committed all the same.
psql_q "SELECT key, seq FROM idempotency" >"$run_dir/export/db-idempotency.tsv" || die "could not read the idempotency table"
echo "$db_size" >"$run_dir/export/db-size.txt"
verify_export() {
  local inst=$1 rc=0
  dotnet "$kq_dll" verify "$run_dir/export/log-$inst.ndjson" --key "$run_dir/export/log-key-$inst.json" \
    --checkpoint "$run_dir/export/checkpoint-$inst.json" --dashboard "$run_dir/export/dashboard-$inst.json" --json --no-progress \
    >"$run_dir/export/verify-$inst.json" 2>"$run_dir/export/verify-$inst.err" || rc=$?
  echo "$rc" >"$run_dir/export/verify-$inst.rc"
}
say "kq verify of each instance's export (with its log key, checkpoint and dashboard)"
verify_export a & va=$!
verify_export b & vb=$!
wait "$va" "$vb"

# ---------------------------------------------------------------------------------------------
# The report (deterministic from what is recorded in $run_dir).
set +e
dotnet "$report_dll" "$run_dir" --slo "$here/slo.json" --mode "$mode"
report_rc=$?
set -e
finished_at=$(date +%s)
say "report: $run_dir/report.md and $run_dir/report.html (wall time $((finished_at - started_at)) s, of which build $((build_done_at - started_at)) s)"
ln -sfn "$run_dir" "$(dirname "$run_dir")/latest" 2>/dev/null || true
# Report exit codes: 0 GO, 1 NO-GO, 2 harness broken, 3 data lost/duplicated or verify not intact.
case "$report_rc" in
  0) exit 0 ;;
  1) if [ "$mode" = short ]; then say "NO-GO is not a failure of --short: timings are never asserted on shared machines"; exit 0; else exit 1; fi ;;
  *) exit "$report_rc" ;;
esac
