#!/usr/bin/env bash
# Build qkv-opt's wheel, install it with its dependencies (and nothing else) in a
# fresh virtualenv, and check from an unrelated directory that plain xdsl-opt
# finds the tile dialect and the passes through the xdsl.universe entry point.
# Writes a JUnit XML file (argument 1) with one case per check.
set -uo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
XML="${1:-/dev/null}"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
PY="${PYTHON:-python3.11}"
command -v "$PY" >/dev/null || PY=python3

cases=()
failures=0
check() {  # name, command...
  local name="$1"; shift
  local out
  if out="$("$@" 2>&1)"; then
    cases+=("<testcase classname=\"wheel\" name=\"$name\"/>")
    echo "PASS: wheel :: $name" >&2
  else
    failures=$((failures + 1))
    local esc
    esc="$(printf '%s' "$out" | tail -20 | sed -e 's/&/\&amp;/g' -e 's/</\&lt;/g' -e 's/>/\&gt;/g')"
    cases+=("<testcase classname=\"wheel\" name=\"$name\"><failure>$esc</failure></testcase>")
    echo "FAIL: wheel :: $name" >&2
    printf '%s\n' "$out" | tail -20 >&2
  fi
}

build() { "$ROOT/.venv/bin/python" -m pip wheel -q --no-deps --disable-pip-version-check -w "$WORK/dist" "$ROOT"; }
install() {
  "$PY" -m venv "$WORK/venv" &&
    "$WORK/venv/bin/python" -m pip install -q --disable-pip-version-check "$WORK"/dist/qkv_opt-*.whl 2>&1 | grep -v "^WARNING: Location"
  test -x "$WORK/venv/bin/xdsl-opt"
}
xdsl_opt_aiv() {
  cd "$WORK" && "$WORK/venv/bin/xdsl-opt" -p aiv-rowsum "$ROOT/examples/qwen3_14b_kv_proj.mlir" > aiv.mlir &&
    grep -q "tile.row_sum" aiv.mlir && ! grep -q "linalg.matmul" aiv.mlir
}
xdsl_opt_cube() {
  cd "$WORK" && "$WORK/venv/bin/xdsl-opt" -p cube-matmul "$ROOT/examples/qwen3_14b_kv_proj.mlir" > cube.mlir &&
    grep -q "tile.matmul" cube.mlir && ! grep -q "linalg.matmul" cube.mlir
}
installed_tools() {
  cd "$WORK" && "$WORK/venv/bin/qkv-opt" --version | grep -q "xDSL 0.75.0" &&
    "$WORK/venv/bin/qkv-opt" --aiv-rowsum "$ROOT/examples/qwen3_14b_kv_proj.mlir" -o low.mlir &&
    "$WORK/venv/bin/qkv-run" low.mlir --entry k_proj --reference "$ROOT/examples/qwen3_14b_kv_proj.mlir"
}
not_editable() {  # the package really comes from the wheel, not the source tree
  cd "$WORK" && "$WORK/venv/bin/python" -c "import qkv_opt, sys; sys.exit('$ROOT' in qkv_opt.__file__)"
}

check build-wheel build
check install-wheel-in-fresh-venv install
check imports-from-wheel not_editable
check xdsl-opt-plugin-aiv-rowsum xdsl_opt_aiv
check xdsl-opt-plugin-cube-matmul xdsl_opt_cube
check installed-qkv-opt-and-qkv-run installed_tools

{
  echo '<?xml version="1.0" encoding="UTF-8"?>'
  echo "<testsuites><testsuite name=\"wheel\" tests=\"${#cases[@]}\" failures=\"$failures\">"
  printf '%s\n' "${cases[@]}"
  echo "</testsuite></testsuites>"
} > "$XML"
[ "$failures" -eq 0 ]
