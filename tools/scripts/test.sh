#!/usr/bin/env bash
# `npm test`: prepares the test environment, then typechecks, lints and runs both test projects
# (unit and itg). Stops at the first failing step.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."

started=$SECONDS
summary=()
results=$(mktemp -t homefaas-vitest.XXXXXX.json)
trap 'rm -f "$results"' EXIT

# The closing "N passed, N failed" line, from vitest's JSON report.
test_counts() {
  [[ -s $results ]] || return 0
  # shellcheck disable=SC2016 # JavaScript, not shell
  node -e '
    const r = require(process.argv[1]);
    const skipped = r.numPendingTests + r.numTodoTests;
    console.log(`tests: ${r.numPassedTests} passed, ${r.numFailedTests} failed` + (skipped ? `, ${skipped} skipped` : ""));
  ' "$results" || true
}

finish() {
  printf '\n'
  printf '%s\n' "${summary[@]}"
  printf '%s in %d s\n' "$1" $((SECONDS - started))
  test_counts
}

step() {
  local name=$1 t=$SECONDS rc=0
  shift
  printf '\n▶ %s: %s\n' "$name" "$*"
  "$@" || rc=$?
  if ((rc != 0)); then
    summary+=("✖ $name failed (exit $rc)")
    finish "✖ npm test failed at: $name"
    exit "$rc"
  fi
  summary+=("✔ $name ($((SECONDS - t)) s)")
}

step "test environment" bash tools/scripts/test-env.sh
step "typecheck" npx --no -- tsc -p tsconfig.json --noEmit
step "lint" npx --no -- biome ci .
# Each function's committed publish-inputs.json matches stack.yml, homefaas.json and the plugin.
step "sync check" env NX_DAEMON=false NX_NO_CLOUD=true NX_ISOLATE_PLUGINS=false npx --no -- nx sync:check
step "tests (unit + itg)" npx --no -- vitest run --reporter=default --reporter=json --outputFile.json="$results"
finish "✔ all checks passed"
