#!/usr/bin/env bash
# The main job on the bundled example, from a fresh machine: set up the
# environment, lower the Qwen3-14B K/V projections (decode batch 1) to the AIV
# row-sum form and to the cube form, show the UB plan, and check each lowered
# program against the unlowered input with the CPU interpreter and the
# reference harness's tolerance (ratio_allclose, 3e-3 / 3e-3 / 2 %).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
# shellcheck source=setup.sh
source "$ROOT/scripts/setup.sh"

EXAMPLE=examples/qwen3_14b_kv_proj.mlir
OUT="$ROOT/build/demo"
mkdir -p "$OUT"

log "qkv-opt --aiv-rowsum $EXAMPLE -o $OUT/kv_aiv.mlir"
qkv-opt --aiv-rowsum "$EXAMPLE" -o "$OUT/kv_aiv.mlir"
sed -n '1,30p' "$OUT/kv_aiv.mlir"

log "UB plan of the AIV tasks (qkv-opt --aiv-rowsum --memory-report)"
qkv-opt --aiv-rowsum --memory-report "$EXAMPLE" | sed -n '1,25p'

log "qkv-opt --cube-matmul $EXAMPLE -o $OUT/kv_cube.mlir"
qkv-opt --cube-matmul "$EXAMPLE" -o "$OUT/kv_cube.mlir"

for form in aiv cube; do
  for entry in k_proj v_proj; do
    log "qkv-run $OUT/kv_$form.mlir --entry $entry --reference $EXAMPLE"
    qkv-run "$OUT/kv_$form.mlir" --entry "$entry" --reference "$EXAMPLE"
  done
done
log "all lowered projections match the torch golden; outputs in $OUT"
