#!/usr/bin/env bash
# Regenerates the kubectl golden outputs for the loader's conformance test.
#
# For every crates/palisade-load/tests/golden/NAME.yaml this runs
#   kubectl label --local -f NAME.yaml palisade-golden=x -o json
# which needs no cluster and goes through kubectl's real reading path (BOM-aware
# file decoding, YAMLOrJSONDecoder, go-yaml v2, list flattening). Accepted inputs
# get NAME.json (kubectl's output: one object, a List of several, or empty for
# none); rejected ones get NAME.err (kubectl's error text). The outputs are
# committed, so the test never needs kubectl.
#
# Usage: scripts/make-kubectl-goldens.sh [path/to/kubectl]
set -euo pipefail

KUBECTL="${1:-${KUBECTL:-kubectl}}"
cd "$(dirname "$0")/../crates/palisade-load/tests/golden"

"$KUBECTL" version --client 2>/dev/null | head -1 > KUBECTL_VERSION || true

out="$(mktemp)"
err="$(mktemp)"
trap 'rm -f "$out" "$err"' EXIT

for input in *.yaml; do
    name="${input%.yaml}"
    rm -f "$name.json" "$name.err"
    if "$KUBECTL" label --local -f "$input" palisade-golden=x -o json >"$out" 2>"$err"; then
        cp "$out" "$name.json"
    else
        cp "$err" "$name.err"
    fi
done
echo "goldens: $(ls *.json 2>/dev/null | wc -l) accepted, $(ls *.err 2>/dev/null | wc -l) rejected"
