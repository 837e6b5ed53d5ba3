#!/usr/bin/env bash
# The whole matrix: store and http on both backends, RUNS times each (default 2), each run after the
# machine has gone idle (wait-idle.sh). Prints "$ command" and the command's JSON line for every run;
# the commands' human output goes to $LOG (default /tmp/kq-service-benchmarks.log).
# PostgreSQL: eval "$(bash tests/postgres-cluster.sh start)" first (KQ_TEST_POSTGRES); stop it after.
set -euo pipefail
cd "$(dirname "$0")/../.."
runs=${RUNS:-2}
events=${EVENTS:-200000}
http_seconds=${HTTP_SECONDS:-20}
log=${LOG:-/tmp/kq-service-benchmarks.log}
: "${KQ_TEST_POSTGRES:?start the PostgreSQL cluster first: eval \"\$(bash tests/postgres-cluster.sh start)\"}"
dotnet build -c Release loadtest/KinderQueue.ServiceBenchmarks >>"$log" 2>&1
run() {
  bash loadtest/KinderQueue.ServiceBenchmarks/wait-idle.sh 300 2>>"$log"
  echo "\$ $*"
  "$@" 2>>"$log" || echo "(exit code $?)"
}
project=(dotnet run -c Release --project loadtest/KinderQueue.ServiceBenchmarks --)
for _ in $(seq "$runs"); do
  for backend in postgres sqlite; do
    run "${project[@]}" store --backend "$backend" --writers 64 --events "$events"
  done
done
for _ in $(seq "$runs"); do
  for backend in postgres sqlite; do
    run "${project[@]}" http --backend "$backend" --connections 64 --seconds "$http_seconds"
  done
done
