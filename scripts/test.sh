#!/usr/bin/env bash
# Run every test suite from a fresh machine: sets up the environment (setup.sh),
# then ruff, pyright (strict), the lit suite, pytest, the wheel check and the
# README's demo (scripts/demo.sh, so the main job on the bundled example keeps
# working as documented), and prints one final line "N passed, N failed" over
# all of them.  Exits non-zero when anything failed.
#
#   bash scripts/test.sh            # everything
#   QKV_SUITES="lit pytest" bash scripts/test.sh
set -uo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
# shellcheck source=setup.sh
source "$ROOT/scripts/setup.sh" || exit 1
# setup.sh runs with -e; the suites must all run even when one fails.
set +e

SUITES="${QKV_SUITES:-ruff pyright lit pytest wheel demo}"
RESULTS="$ROOT/build/test-results"
rm -rf "$RESULTS" && mkdir -p "$RESULTS"
JOBS="${QKV_JOBS:-$(nproc)}"

run_suite() {  # name, command...; records the exit code for the summary
  local name="$1"; shift
  log "suite: $name"
  local start=$SECONDS
  "$@"
  local rc=$?
  echo "$rc" > "$RESULTS/$name.rc"
  log "suite $name finished in $((SECONDS - start)) s (exit $rc)"
}

for suite in $SUITES; do
  case "$suite" in
    ruff) run_suite ruff bash -c "ruff check . && ruff format --check ." ;;
    pyright) run_suite pyright pyright ;;
    lit) run_suite lit lit -sv -j "$JOBS" --xunit-xml-output "$RESULTS/lit.xml" test ;;
    pytest) run_suite pytest pytest -q -p no:cacheprovider --junitxml "$RESULTS/pytest.xml" test/unit ;;
    wheel) run_suite wheel bash "$ROOT/scripts/check-wheel.sh" "$RESULTS/wheel.xml" ;;
    demo) run_suite demo bash "$ROOT/scripts/demo.sh" ;;
    *) log "unknown suite '$suite'"; echo 1 > "$RESULTS/$suite.rc" ;;
  esac
done

python "$ROOT/scripts/summarize.py" "$RESULTS"
