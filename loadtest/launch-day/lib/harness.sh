# Functions of loadtest/launch-day/run.sh (sourced; expects $run_dir, $repo, $here and the settings).
# Everything talks to 127.0.0.1 only. Every process started here is remembered by its pid (files
# under $run_dir/pids) and only those are stopped.

say() { printf '[%s] %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }
die() { say "HARNESS ERROR: $*"; exit 2; }
now_us() { date +%s%6N; }

free_port() {
  python3 - <<'PY' 2>/dev/null || shuf -i 20000-60000 -n 1
import socket
s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()
PY
}

# An event of the timeline: kind name start_us end_us detail (key=value;key=value).
event() { printf '%s\t%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" "${5:--}" >>"$run_dir/events.tsv"; }

remember_pid() { echo "$2" >"$run_dir/pids/$1"; }

stop_pid_file() { # name [signal]
  local f="$run_dir/pids/$1" pid
  [ -f "$f" ] || return 0
  pid=$(cat "$f")
  if kill -0 "$pid" 2>/dev/null; then kill "-${2:-TERM}" "$pid" 2>/dev/null || true; fi
}

# ---------------------------------------------------------------------------------------------
# PostgreSQL: the throwaway cluster of tests/postgres-cluster.sh (127.0.0.1, user postgres, fsync on).

pg_bin() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1; }

as_postgres() { if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }

psql_q() { # sql  (database kq_launch on the cluster; tab-separated, no headers)
  PGCONNECT_TIMEOUT=3 psql -X -q -A -t -F $'\t' -h 127.0.0.1 -p "$pg_port" -U postgres -d "$pg_db" -c "$1"
}

# ---------------------------------------------------------------------------------------------
# The service

service_env() {
  export KinderQueue__PostgresConnectionString="Host=127.0.0.1;Port=$pg_port;Username=postgres;Database=$pg_db;Maximum Pool Size=$pool_size"
  export KinderQueue__DataDir="$run_dir/data"
  export KinderQueue__CheckpointKey="$run_dir/data/checkpoint-signing.pem"
  export KinderQueue__PseudonymKey="$pseudonym_key"
  # Every simulated parent comes from 127.0.0.1 here; in the field they come from many addresses.
  # The per-address lookup limits would turn the test into a test of the limiter, so they are raised
  # (they still run). See README.md.
  export KinderQueue__LookupsPerMinute=100000000 KinderQueue__FailedLookupsPerWindow=100000000
  # --no-admission: every class's concurrency limit off, so nothing is shed (what issue 15 measured).
  if [ "${admission:-on}" = off ]; then
    export KinderQueue__LookupConcurrency=0 KinderQueue__WriteConcurrency=0 KinderQueue__PublicReadConcurrency=0 KinderQueue__ExportConcurrency=0
  fi
  export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
}

start_instance() { # a|b
  local inst=$1 port
  port=$(port_of "$inst")
  (
    service_env
    cd "$(dirname "$api_dll")"
    exec dotnet "$api_dll" --urls "http://127.0.0.1:$port" >>"$run_dir/service-$inst.log" 2>&1
  ) &
  remember_pid "instance-$inst" $!
  echo "$(now_us) start pid=$! port=$port" >>"$run_dir/service-$inst.starts"
}

port_of() { if [ "$1" = a ]; then echo "$port_a"; else echo "$port_b"; fi; }

url_of() { echo "http://127.0.0.1:$(port_of "$1")"; }

ready_json() { curl -s -m "${2:-2}" "$(url_of "$1")/readyz" 2>/dev/null || true; }

is_ready() { ready_json "$1" | grep -q '"status":"ready"'; }

wait_ready() { # inst seconds
  local inst=$1 limit=$2 start
  start=$(date +%s)
  until is_ready "$inst"; do
    [ $(($(date +%s) - start)) -lt "$limit" ] || return 1
    sleep 0.2
  done
}

# The size a validator's download is cut at now (X-Log-Size of a one-entry range).
export_size() {
  { curl -s -m 2 -o /dev/null -D - "$(url_of "$1")/api/v1/public/log?from=0&count=1" 2>/dev/null || true; } | tr -d '\r' | sed -nE 's/^[Xx]-[Ll]og-[Ss]ize: *([0-9]+).*/\1/p'
}

lookup_ok() { # inst: a position lookup of the first seeded application answers 200 with its number
  local inst=$1 number code
  IFS=$'\t' read -r number code <"$run_dir/seeds.tsv"
  curl -s -m 2 -X POST "$(url_of "$inst")/api/v1/public/positions" -H 'Content-Type: application/json' \
    -d "{\"number\":\"$number\",\"accessCode\":\"$code\"}" 2>/dev/null | grep -q "\"$number\""
}

mint_token() { # role subject -> stdout
  KinderQueue__DataDir="$run_dir/data" dotnet "$api_dll" token --role "$1" --subject "$2" --hours 6 --data-dir "$run_dir/data"
}

api() { # inst method path token content-type body-file|- [extra curl args...] -> body, fails unless 2xx
  local inst=$1 method=$2 path=$3 token=$4 ctype=$5 body=$6
  shift 6
  local args=(-s -m 60 -X "$method" -H "Authorization: Bearer $token" -w '\n%{http_code}')
  [ "$ctype" = - ] || args+=(-H "Content-Type: $ctype")
  [ "$body" = - ] || args+=(--data-binary "@$body")
  local out code
  out=$(curl "${args[@]}" "$@" "$(url_of "$inst")$path") || die "$method $path: curl failed"
  code=${out##*$'\n'}
  out=${out%$'\n'*}
  case "$code" in 2??) printf '%s' "$out" ;; *) die "$method $path: HTTP $code $out" ;; esac
}

# ---------------------------------------------------------------------------------------------
# wrk

# run_wrk name instance script connections duration_s [key=value ...]: one connection per thread
# (see lua/kq.lua); its stdout (wrk's own summary) goes to wrk/<name>.out.
run_wrk() {
  local name=$1 inst=$2 script=$3 conns=$4 dur=$5
  shift 5
  KQ_LUA_DIR="$here/lua" wrk -t "$conns" -c "$conns" -d "${dur}s" --timeout 120s -s "$here/lua/$script" "$(url_of "$inst")" -- \
    name="$name" instance="$inst" records="$run_dir/records" run="$run_id" conns="$conns" seed="$seed" "$@" \
    >"$run_dir/wrk/$name.out" 2>&1 &
  remember_pid "wrk-$name" $!
  echo "$name" >>"$run_dir/wrk/started"
}

# ---------------------------------------------------------------------------------------------
# Recovery: how long after a fault until the instance says ready and a lookup succeeds.
# probe_recovery inst fault_start_us -> "ready_us lookup_us" (0 0 when it did not recover in time)
probe_recovery() {
  local inst=$1 limit_us=$(( $(now_us) + recovery_limit_s * 1000000 )) ready=0 t
  while :; do
    t=$(now_us)
    [ "$t" -lt "$limit_us" ] || { echo "0 0"; return; }
    if [ "$ready" = 0 ]; then
      if is_ready "$inst"; then ready=$(now_us); fi
    fi
    if [ "$ready" != 0 ] && lookup_ok "$inst"; then
      echo "$ready $(now_us)"
      return
    fi
    sleep 0.1
  done
}

# Sizes at a moment, for the timeline: inst=logSize/publicLogSize,...
sizes_now() {
  local out="" inst j
  for inst in a b; do
    j=$(ready_json "$inst" 1)
    out+="$inst=$(sed -nE 's/.*"logSize":(-?[0-9]+).*"publicLogSize":(-?[0-9]+).*/\1\/\2/p' <<<"$j");"
  done
  echo "${out%;}"
}

# ---------------------------------------------------------------------------------------------
# Monitor: once a second, each instance's /readyz (status, logSize, publicLogSize), the database's
# log size, and CPU use (cores) of the machine, each instance, the PostgreSQL cluster and wrk.

proc_ticks() { # pid... -> sum of utime+stime (clock ticks)
  local sum=0 p stat
  for p in "$@"; do
    stat=$(cat "/proc/$p/stat" 2>/dev/null) || continue
    stat=${stat##*) }
    # shellcheck disable=SC2086
    set -- $stat
    sum=$((sum + ${12} + ${13}))
  done
  echo "$sum"
}

machine_ticks() { awk '/^cpu /{busy=$2+$3+$4+$7+$8+$9; total=busy+$5+$6; print busy, total}' /proc/stat; }

monitor() {
  # A sampler must outlive every failure it samples (a curl that times out, a database that is down).
  set +e +o pipefail
  local hz pg_pids wrk_pids prev_t prev_busy prev_total prev_a prev_b prev_pg prev_w
  hz=$(getconf CLK_TCK)
  echo -e "t_us\tinstance\thttp\tstatus\tlog_size\tpublic_log_size\tdb_size\texport_size\tcheckpoint_size" >"$run_dir/monitor.tsv"
  echo -e "t_us\tmachine\tinstance_a\tinstance_b\tpostgres\twrk" >"$run_dir/cpu.tsv"
  read -r prev_busy prev_total < <(machine_ticks)
  prev_t=$(now_us)
  prev_a=$(proc_ticks "$(cat "$run_dir/pids/instance-a" 2>/dev/null || echo 0)")
  prev_b=$(proc_ticks "$(cat "$run_dir/pids/instance-b" 2>/dev/null || echo 0)")
  prev_pg=0; prev_w=0; local first=1
  while [ ! -f "$run_dir/monitor.stop" ]; do
    local t inst j code db busy total a b pg w dt pa pb
    t=$(now_us)
    db=$(psql_q "SELECT COALESCE(MAX(seq)+1,0) FROM log_entries" 2>/dev/null || echo -1)
    for inst in a b; do
      local exp_size ckpt_size
      j=$(curl -s -m 1 -w '\n%{http_code}' "$(url_of "$inst")/readyz" 2>/dev/null || true)
      code=${j##*$'\n'}; j=${j%$'\n'*}
      # What a validator would get: the size the export is cut at (X-Log-Size of a one-entry range)
      # and the latest signed checkpoint's size.
      exp_size=$(export_size "$inst")
      ckpt_size=$(curl -s -m 1 "$(url_of "$inst")/api/v1/public/checkpoint" 2>/dev/null | sed -nE 's/.*"size":([0-9]+).*/\1/p')
      printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$t" "$inst" "${code:-0}" \
        "$(sed -nE 's/.*"status":"([a-z-]+)".*/\1/p' <<<"$j" | head -n1)" \
        "$(sed -nE 's/.*"logSize":(-?[0-9]+).*/\1/p' <<<"$j" | head -n1)" \
        "$(sed -nE 's/.*"publicLogSize":(-?[0-9]+).*/\1/p' <<<"$j" | head -n1)" "$db" "$exp_size" "$ckpt_size" >>"$run_dir/monitor.tsv"
    done
    read -r busy total < <(machine_ticks)
    pa=$(cat "$run_dir/pids/instance-a" 2>/dev/null || echo 0); pb=$(cat "$run_dir/pids/instance-b" 2>/dev/null || echo 0)
    # The instance pids are of the subshell that exec'd dotnet, so the same process.
    a=$(proc_ticks "$pa"); b=$(proc_ticks "$pb")
    pg_pids=$(pgrep -P "$(head -n1 "$pg_dir/data/postmaster.pid" 2>/dev/null || echo 1)" 2>/dev/null | tr '\n' ' ')
    pg=$(proc_ticks $(head -n1 "$pg_dir/data/postmaster.pid" 2>/dev/null) $pg_pids)
    wrk_pids=$(cat "$run_dir"/pids/wrk-* 2>/dev/null | tr '\n' ' ')
    w=$(proc_ticks $wrk_pids)
    dt=$(( t - prev_t ))
    if [ "$first" = 1 ]; then
      first=0
    elif [ "$dt" -gt 0 ] && [ "$total" -gt "$prev_total" ]; then
      awk -v t="$t" -v dt="$dt" -v hz="$hz" -v n="$(nproc)" -v db="$((busy - prev_busy))" -v dtot="$((total - prev_total))" \
          -v a="$((a - prev_a))" -v b="$((b - prev_b))" -v pg="$((pg - prev_pg))" -v w="$((w - prev_w))" \
          'function c(x) { if (x < 0) x = 0; return sprintf("%.2f", x / hz / (dt / 1e6)) }
           BEGIN { printf "%s\t%.2f\t%s\t%s\t%s\t%s\n", t, db / dtot * n, c(a), c(b), c(pg), c(w) }' >>"$run_dir/cpu.tsv"
    fi
    prev_t=$t; prev_busy=$busy; prev_total=$total; prev_a=$a; prev_b=$b; prev_pg=$pg; prev_w=$w
    sleep 1
  done
}

# While an instance is down, wrk's connections to it reconnect in a tight loop (wrk 4.1 retries a
# refused connection at once, without back-off, and without asking the script), which on two
# shared cores would starve the restarting instance of CPU: an artefact of client and server on one
# machine, not something real clients do to a server. So for the fault window the wrk processes
# aimed at that instance run at the lowest priority (nice 19, every thread); they still run, and
# every failure is still recorded. set_clients_nice inst 19|0
set_clients_nice() {
  local inst=$1 n=$2 f pid
  for f in "$run_dir"/pids/wrk-*-"$inst"; do
    [ -f "$f" ] || continue
    pid=$(cat "$f")
    [ -d "/proc/$pid/task" ] || continue
    # shellcheck disable=SC2046
    renice -n "$n" -p $(ls "/proc/$pid/task") >/dev/null 2>&1 || true
  done
}
