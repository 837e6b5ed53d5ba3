#!/usr/bin/env bash
# Validates deploy/k8s offline: renders both variants with `kubectl kustomize` (built into kubectl)
# and checks every document, and secrets.example.yaml, against the Kubernetes and CloudNativePG
# schemas, for unknown fields, and against the project's own rules (validator/validate.mjs says
# which). Then it proves the check bites: copies of the folder, each with one deliberate mistake,
# must each be rejected for that mistake.
#
#   bash deploy/k8s/validate.sh
#
# The validator's packages come from the npm registry at the exact versions of
# validator/package-lock.json (integrity-checked by `npm ci`), installed once into
# validator/node_modules; after that nothing is fetched. Needs kubectl (kustomize v5), node, npm.
# Exit 0: valid and every broken copy rejected; 1: a problem; 3: a tool is missing or the
# install failed (tests/run.sh skips on a developer's machine, fails in CI).
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
validator="$here/validator"

for tool in kubectl node npm; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "validate.sh: $tool not found (needed to render and check the manifests)"
    exit 3
  fi
done

work=$(mktemp -d "${TMPDIR:-/tmp}/kq-k8s.XXXXXX")
trap 'rm -rf "$work"' EXIT

# ---- install the pinned validator (skipped when node_modules matches the lock file) ----
want=$(sha256sum "$validator/package-lock.json" | cut -d' ' -f1)
stamp="$validator/node_modules/.kq-package-lock.sha256"
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  log="$work/npm-ci.log"
  if ! (cd "$validator" && timeout 300 npm ci --no-audit --no-fund --ignore-scripts --loglevel=warn) >"$log" 2>&1; then
    echo "validate.sh: could not install the validator with npm ci; its log:"
    tail -n 20 "$log"
    exit 3
  fi
  echo "$want" >"$stamp"
fi

versions="kubectl $(kubectl version --client 2>/dev/null | sed -n 's/^Client Version: //p'), kustomize $(kubectl version --client 2>/dev/null | sed -n 's/^Kustomize Version: //p'), node $(node --version)"
for pkg in kubernetes-models @kubernetes-models/cloudnative-pg typescript yaml; do
  versions+=", $pkg $(node -p "require('$validator/node_modules/$pkg/package.json').version" 2>/dev/null)"
done
echo "validate.sh: $versions"

problems=0
render() { # render DIR OUT
  if ! kubectl kustomize "$1" >"$2" 2>"$2.err"; then
    echo "FAIL kubectl kustomize $1:"
    sed 's/^/       /' "$2.err"
    return 1
  fi
}

render "$here" "$work/cnpg.yaml" || problems=$((problems + 1))
render "$here/external-postgres" "$work/external.yaml" || problems=$((problems + 1))

# ---- broken copies: each one mistake, each must be rejected for it ----
broken=()
mutate() { # mutate NAME FILE FROM TO REGEX: FROM's first occurrence in FILE becomes TO
  local name=$1 file=$2 from=$3 to=$4 regex=$5 copy="$work/broken-${#broken[@]}"
  mkdir -p "$copy"
  tar -C "$here" --exclude=./validator -cf - . | tar -C "$copy" -xf -
  if ! node -e '
      const fs = require("fs"); const [f, a, b] = process.argv.slice(1);
      const s = fs.readFileSync(f, "utf8");
      if (!s.includes(a)) { console.error(`"${a}" is not in ${f}`); process.exit(1); }
      fs.writeFileSync(f, s.replace(a, b));' "$copy/$file" "$from" "$to"; then
    echo "FAIL broken copy '$name': the mistake could not be made (the manifests changed; update validate.sh)"
    problems=$((problems + 1))
    return
  fi
  if render "$copy" "$copy.yaml"; then
    broken+=(--broken "$name=$copy.yaml=$regex")
  else
    problems=$((problems + 1))
  fi
}
mutate "unknown field in the Deployment" app/deployment.yaml \
  "          readinessProbe:" "          readinessProbes:" \
  '\[fields\] spec\.template\.spec\.containers\[0\]\.readinessProbes: .*does not exist'
mutate "string for an integer in the HPA" app/hpa.yaml \
  "averageUtilization: 70" 'averageUtilization: "70%"' \
  '\[schema\] spec\.metrics\[0\]\.resource\.target\.averageUtilization: must be integer'
mutate "unknown field in the CloudNativePG Cluster" postgres-cnpg.yaml \
  "dataDurability: required" "dataDurabilty: required" \
  '\[fields\] spec\.postgresql\.synchronous\.dataDurabilty: .*does not exist'
mutate "value outside an enum of the CloudNativePG CRD" postgres-cnpg.yaml \
  "method: any" "method: some" \
  '\[schema\] spec\.postgresql\.synchronous\.method: must be equal to one of the allowed values'
mutate "the service given the owner's connection string" app/deployment.yaml \
  "name: kinderqueue-db-service" "name: kinderqueue-db-owner" \
  "\[rule\] .*must not get the owner's Secret"
mutate "a writable root filesystem" app/deployment.yaml \
  "readOnlyRootFilesystem: true" "readOnlyRootFilesystem: false" \
  '\[rule\] container kinderqueue: securityContext\.readOnlyRootFilesystem must be true'
mutate "a Secret key that secrets.example.yaml does not define" app/deployment.yaml \
  "key: pseudonym-key" "key: pseudonym_key" \
  '\[rule\] .*Secret kinderqueue-keys has no key pseudonym_key'
mutate "a kind without a schema" app/pdb.yaml \
  "apiVersion: policy/v1" "apiVersion: policy/v2" \
  '\[schema\] no schema for policy/v2 PodDisruptionBudget'

sets=()
[ -s "$work/cnpg.yaml" ] && sets+=(--set "deploy/k8s=$work/cnpg.yaml")
[ -s "$work/external.yaml" ] && sets+=(--set "deploy/k8s/external-postgres=$work/external.yaml")
sets+=(--set "deploy/k8s/secrets.example.yaml=$here/secrets.example.yaml")

timeout 120 node "$validator/validate.mjs" --secrets "$here/secrets.example.yaml" "${sets[@]}" "${broken[@]}"
rc=$?
if [ "$rc" -ne 0 ]; then problems=$((problems + 1)); fi

inputs=$(( ${#sets[@]} / 2 )) copies=$(( ${#broken[@]} / 2 ))
if [ "$problems" -eq 0 ]; then
  echo "validate.sh: OK: $inputs inputs valid, $copies of $copies broken copies rejected"
  exit 0
fi
echo "validate.sh: FAILED: see the FAIL lines above"
exit 1
