#!/usr/bin/env bash
# Recomputes the "expected" output of every spec vector under algorithm-spec/vectors.
#
#   algorithm-spec/regenerate-vectors.sh           rewrite expected outputs (review the diff!)
#   algorithm-spec/regenerate-vectors.sh --check   change nothing; exit non-zero if any vector differs
#
# Works from any directory. Large random instances are written by
# algorithm-spec/tools/make-large-vectors.py; run it first if you change the generator.
set -euo pipefail

usage() { echo "usage: $0 [--check]" >&2; exit 2; }

mode=regenerate
case "${1-}" in
  "") ;;
  --check) mode=check ;;
  -h|--help) echo "usage: $0 [--check]"; exit 0 ;;
  *) usage ;;
esac
[ $# -le 1 ] || usage

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
[ -f KinderQueue.sln ] || { echo "$0: $root is not the repository root" >&2; exit 2; }

# kq exits 0 when every vector matches (check) or was rewritten (regenerate), non-zero when a
# vector differs (check) or cannot be read; set -e passes that status on.
exec dotnet run --project src/KinderQueue.Cli -- vectors "$mode" algorithm-spec/vectors
