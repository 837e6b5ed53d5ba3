#!/usr/bin/env bash
# Runs every test of the solution and prints one closing line: "tests: N passed, N failed".
# This is the README's test command; .ci/run calls exactly this script.
#
# Steps: build once; check that regenerating the spec vectors changes nothing (a changed
# engine output must arrive as a reviewed change of algorithm-spec/vectors); validate the
# Kubernetes manifests (deploy/k8s/validate.sh); run each test assembly and add up its counts.
# Exits non-zero if anything failed.
set -uo pipefail
cd "$(dirname "$0")/.."

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
config=Release
results_dir="${TEST_RESULTS_DIR:-$PWD/artifacts/test-results}"
mkdir -p "$results_dir"

passed=0
failed=0

# Test categories left out on this machine (joined into one --filter below).
excluded=()

# PostgreSQL tests run against a real throwaway server. CI must have it (it installs it as root);
# a developer without PostgreSQL still runs everything else (the Postgres category is filtered out).
if [ -z "${KQ_TEST_POSTGRES:-}" ]; then
  if pg_exports=$(bash tests/postgres-cluster.sh start); then
    eval "$pg_exports"
    trap 'bash tests/postgres-cluster.sh stop "$KQ_PG_DIR" >/dev/null 2>&1' EXIT
  elif [ "${CI:-}" = "true" ]; then
    echo "CI needs PostgreSQL for the storage and API tests, and it could not be started"
    echo "tests: 0 passed, 1 failed"
    exit 1
  else
    echo "PostgreSQL unavailable: running the SQLite-only tests (CI runs both)"
    excluded+=("Category!=Postgres")
  fi
fi

# Browser tests (KinderQueue.Web.Tests) drive Debian's Chromium through Playwright; nothing is
# downloaded from elsewhere. Installed here when missing and this is root (apt-get install alone
# does not find it before an update; fonts-liberation, which it only recommends, gives the screenshots
# Latin and Cyrillic text). CI must have it; a developer without it runs everything else.
chromium="${KQ_CHROMIUM:-/usr/bin/chromium}"
if [ ! -x "$chromium" ] && [ "$(id -u)" -eq 0 ]; then
  echo "installing chromium for the browser tests (log: $results_dir/chromium-install.log)..."
  { apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium fonts-liberation; } >"$results_dir/chromium-install.log" 2>&1
fi
if [ ! -x "$chromium" ]; then
  if [ "${CI:-}" = "true" ]; then
    echo "CI needs Chromium for the browser tests, and $chromium is missing (install log, if it ran: $results_dir/chromium-install.log)"
    echo "tests: 0 passed, 1 failed"
    exit 1
  fi
  echo "Chromium unavailable ($chromium): leaving out the browser tests (CI runs them)"
  excluded+=("Category!=Browser")
fi
# Interop tests (KinderQueue.Interop.Tests) check our checkpoint note and proofs with Go's
# golang.org/x/mod/sumdb/note and sumdb/tlog, from Debian's golang-go and golang-golang-x-mod-dev,
# built offline. Installed here when missing and this is root; without them the tests fail in CI
# (CI=true) and otherwise pass saying they checked nothing.
if { ! command -v go >/dev/null || [ ! -d /usr/share/gocode/src/golang.org/x/mod/sumdb/note ]; } && [ "$(id -u)" -eq 0 ]; then
  echo "installing Go and golang.org/x/mod for the interop tests (log: $results_dir/go-install.log)..."
  { DEBIAN_FRONTEND=noninteractive apt-get install -y -q golang-go golang-golang-x-mod-dev \
      || { apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q golang-go golang-golang-x-mod-dev; }; } >"$results_dir/go-install.log" 2>&1
fi
# Evidence of the browser tests: a full-page screenshot per test, and the demo service's log.
export KQ_ARTIFACTS_DIR="$results_dir" KQ_SCREENSHOTS_DIR="$results_dir/screenshots"

filter=()
if [ "${#excluded[@]}" -gt 0 ]; then
  filter=(--filter "$(IFS='&'; echo "${excluded[*]}")")
fi

if ! dotnet build KinderQueue.sln -c "$config" -nologo -v quiet; then
  echo "build failed"
  echo "tests: 0 passed, 1 failed"
  exit 1
fi

# Spec vectors: regeneration must be a no-op on a clean checkout.
if dotnet "src/KinderQueue.Cli/bin/$config/net10.0/kq.dll" vectors check algorithm-spec/vectors; then
  passed=$((passed + 1))
else
  echo "spec vectors differ from what the engine computes: run algorithm-spec/regenerate-vectors.sh and review the diff"
  failed=$((failed + 1))
fi

# Kubernetes manifests: deploy/k8s/validate.sh renders them with kubectl kustomize and checks them
# offline against the Kubernetes and CloudNativePG schemas (its validator comes from npm at the
# versions of its lock file), including broken copies that must be rejected. One check: 1 passed or
# 1 failed. CI must run it; a developer without kubectl, node or npm (exit 3) runs everything else.
bash deploy/k8s/validate.sh 2>&1 | tee "$results_dir/k8s-validate.log"
k8s_rc=${PIPESTATUS[0]}
if [ "$k8s_rc" -eq 0 ]; then
  passed=$((passed + 1))
elif [ "$k8s_rc" -eq 3 ] && [ "${CI:-}" != "true" ]; then
  echo "Kubernetes manifest validation skipped: its tools are unavailable here (CI runs it)"
else
  echo "deploy/k8s/validate.sh failed (exit $k8s_rc): see the lines above"
  failed=$((failed + 1))
fi

# Launch day, short (loadtest/launch-day): two instances on a throwaway PostgreSQL of its own under a
# bounded campaign with a kill -9, a PostgreSQL restart and a burst, on 127.0.0.1. One check: it fails
# only when the harness broke (exit 2) or an acknowledged application was lost or doubled (exit 3);
# its GO/NO-GO rests on timings, which never decide a test on a shared machine, so it is printed.
# Needs PostgreSQL and wrk (installed here when root); a developer without them runs everything else.
if [ -n "${KQ_TEST_POSTGRES:-}" ] && { command -v wrk >/dev/null || [ "$(id -u)" -eq 0 ]; }; then
  # --out is the run's own folder: an earlier run's records (its seeded applications) must not mix in.
  rm -rf "$results_dir/launch-day"
  if bash loadtest/launch-day/run.sh --short --no-build --out "$results_dir/launch-day" >"$results_dir/launch-day.log" 2>&1; then
    passed=$((passed + 1))
  else
    echo "launch-day --short failed (exit $?): see $results_dir/launch-day.log"
    failed=$((failed + 1))
  fi
  grep -aE "launch-day verdict|NO-GO|GO:" "$results_dir/launch-day.log" | tail -n 3
elif [ "${CI:-}" = "true" ]; then
  echo "CI needs PostgreSQL and wrk for the launch-day short run"
  failed=$((failed + 1))
else
  echo "launch-day short run skipped: PostgreSQL or wrk unavailable here (CI runs it)"
fi

for project in tests/*/*.Tests.csproj; do
  name=$(basename "$project" .csproj)
  log="$results_dir/$name.log"
  dotnet test "$project" -c "$config" --no-build -nologo "${filter[@]}" \
    --logger "trx;LogFileName=$name.trx" --results-directory "$results_dir" 2>&1 | tee "$log"
  summary=$(grep -aE "(Passed|Failed)! +- +Failed: +[0-9]+, +Passed: +[0-9]+" "$log" | tail -n 1)
  if [ -z "$summary" ]; then
    echo "$name: no test summary (crash or build problem)"
    failed=$((failed + 1))
    continue
  fi
  f=$(sed -E 's/.*Failed: +([0-9]+),.*/\1/' <<<"$summary")
  p=$(sed -E 's/.*Passed: +([0-9]+),.*/\1/' <<<"$summary")
  passed=$((passed + p))
  failed=$((failed + f))
done

# Stop PostgreSQL before the closing line, so that line is the last one printed.
if [ -n "${KQ_PG_DIR:-}" ] && [ -d "${KQ_PG_DIR:-}" ]; then
  bash tests/postgres-cluster.sh stop "$KQ_PG_DIR" >/dev/null 2>&1 || true
  trap - EXIT
fi

echo "tests: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
