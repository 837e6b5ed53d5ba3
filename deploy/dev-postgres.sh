#!/usr/bin/env bash
# A local PostgreSQL for development, on 127.0.0.1 with a free port.
#
#   bash deploy/dev-postgres.sh start    # start (or show the running one), print the connection string
#   bash deploy/dev-postgres.sh status   # print the connection string and how to run the service
#   bash deploy/dev-postgres.sh stop     # stop it and DELETE its data
#
# The cluster itself comes from tests/postgres-cluster.sh (the same helper the tests use: installs
# Debian's postgresql when missing and this runs as root, runs the server as the postgres user,
# trust authentication, listens on 127.0.0.1 only). This script adds a `kinderqueue` database and
# remembers the cluster in a small state file so that `stop` finds it. It is for a developer's
# machine only: no password, superuser access. Production: see deploy/CONFIGURATION.md.
#
# The state file is $KQ_DEV_PG_STATE (default: ${TMPDIR:-/tmp}/kq-dev-postgres.env). Messages go to
# stderr; `start` and `status` print the connection string and example commands on stdout.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cluster="$root/tests/postgres-cluster.sh"
state="${KQ_DEV_PG_STATE:-${TMPDIR:-/tmp}/kq-dev-postgres.env}"
database=kinderqueue

pg_bin() {
  ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1
}

# Reads KQ_PG_DIR and KQ_TEST_POSTGRES from the state file; fails if there is none.
load_state() {
  [ -f "$state" ] || return 1
  # shellcheck disable=SC1090
  source "$state"
  [ -n "${KQ_PG_DIR:-}" ] && [ -d "$KQ_PG_DIR/data" ]
}

running() {
  local bin
  bin=$(pg_bin) || return 1
  if [ "$(id -u)" -eq 0 ]; then
    runuser -u postgres -- "$bin/pg_ctl" -D "$KQ_PG_DIR/data" status >/dev/null 2>&1
  else
    "$bin/pg_ctl" -D "$KQ_PG_DIR/data" status >/dev/null 2>&1
  fi
}

# "Host=...;Port=...;Username=postgres;Database=postgres;..." with the database replaced.
connection_string() {
  sed -E "s/Database=[^;]*/Database=$database/" <<<"$KQ_TEST_POSTGRES"
}

print_usage_hints() {
  local cs port
  cs=$(connection_string)
  port=$(sed -E 's/.*Port=([0-9]+).*/\1/' <<<"$KQ_TEST_POSTGRES")
  cat <<EOF
PostgreSQL is running (data in $KQ_PG_DIR, port $port).

Connection string:
  $cs

Run the service against it (add --demo to fill a synthetic region into an empty database):
  KinderQueue__PostgresConnectionString='$cs' \\
    dotnet run --project src/KinderQueue.Api -- --urls http://127.0.0.1:5000 --demo

A second instance on the same database (both fold the same log; they share the data folder,
so a token minted for one is accepted by the other and pseudonyms agree):
  KinderQueue__PostgresConnectionString='$cs' \\
    dotnet run --project src/KinderQueue.Api -- --urls http://127.0.0.1:5001

(dotnet run starts in src/KinderQueue.Api, so the data folder is src/KinderQueue.Api/data unless
KinderQueue__DataDir says otherwise.)

psql:
  $(pg_bin)/psql postgresql://postgres@127.0.0.1:$port/$database

Stop it (deletes the data):
  bash deploy/dev-postgres.sh stop
EOF
}

case "${1:-}" in
  start)
    if load_state && running; then
      echo "already running" >&2
      print_usage_hints
      exit 0
    fi
    exports=$(bash "$cluster" start)
    eval "$exports"
    printf '%s\n' "$exports" >"$state"
    bin=$(pg_bin)
    host_port=$(sed -E 's/.*Port=([0-9]+).*/\1/' <<<"$KQ_TEST_POSTGRES")
    "$bin/psql" -h 127.0.0.1 -p "$host_port" -U postgres -d postgres -v ON_ERROR_STOP=1 -q \
      -c "CREATE DATABASE $database" >&2
    print_usage_hints
    ;;
  status)
    if load_state && running; then
      print_usage_hints
    else
      echo "not running (no cluster in $state); start it with: bash deploy/dev-postgres.sh start" >&2
      exit 1
    fi
    ;;
  stop)
    if ! load_state; then
      echo "nothing to stop (no cluster in $state)" >&2
      exit 0
    fi
    bash "$cluster" stop "$KQ_PG_DIR"
    rm -f "$state"
    echo "stopped; $KQ_PG_DIR deleted" >&2
    ;;
  *)
    echo "usage: $0 start | status | stop" >&2
    exit 2
    ;;
esac
