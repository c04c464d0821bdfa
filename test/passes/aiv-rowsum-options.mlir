// aiv-rowsum's options on the Qwen3-14B K/V projection (the example file) and
// on f32 inputs; the rejected values are in aiv-rowsum-invalid.mlir.
// RUN: qkv-opt --aiv-rowsum='nv=16 kc=1024' %examples/qwen3_14b_kv_proj.mlir | filecheck %s --check-prefix=KC1024
// RUN: qkv-opt --aiv-rowsum='nv=32 kc=512' %examples/qwen3_14b_kv_proj.mlir | filecheck %s --check-prefix=NV32
// RUN: qkv-opt -p 'aiv-rowsum{nv=32 kc=512}' %examples/qwen3_14b_kv_proj.mlir | filecheck %s --check-prefix=NV32
// RUN: qkv-opt --aiv-rowsum='nv=8' %s | filecheck %s --check-prefix=NV8
// RUN: qkv-opt --aiv-rowsum='nv=64 kc=256' %s | filecheck %s --check-prefix=NV64

// KC1024-LABEL: func.func @k_proj(
// KC1024:         scf.parallel (%n0) = (%c0) to (%c1024) step (%c16) {
// KC1024-NEXT:      tile.task vector "k_proj_0" {
// KC1024:             scf.for %k0 = %c0 to %c5120 step %c1024
// KC1024:               tile.load %wk[%k0, %n0] : memref<5120x1024xbf16> -> !tile.tile<1024x16xbf16, ub>
// KC1024-LABEL: func.func @v_proj(
// KC1024:             tile.task vector "v_proj_0" {
// KC1024:               tile.load %wv[%k0, %n0] : memref<5120x1024xbf16> -> !tile.tile<1024x16xbf16, ub>

// NV32-LABEL: func.func @k_proj(
// NV32:         scf.parallel (%n0) = (%c0) to (%c1024) step (%c32) {
// NV32:           scf.for %k0 = %c0 to %c5120 step %c512
// NV32:             %w_blk = tile.load %wk[%k0, %n0] : memref<5120x1024xbf16> -> !tile.tile<512x32xbf16, ub>
// NV32:             %w_t = tile.transpose %w_f32 : !tile.tile<512x32xf32, ub> -> !tile.tile<32x512xf32, ub>
// NV32:             %x_rows = tile.col_expand %x_f32 : !tile.tile<1x512xf32, ub> -> !tile.tile<32x512xf32, ub>
// NV32:             %part_row = tile.reshape %part : !tile.tile<32x1xf32, ub, col_major> -> !tile.tile<1x32xf32, ub>

// f32 inputs: 8 x 4 B = 32 B, so nv=8 keeps whole rows; no casts.
// NV8-LABEL: func.func @f32_inputs(
// NV8:         scf.parallel (%n0) = (%c0) to (%c1024) step (%c8) {
// NV8:           scf.for %k0 = %c0 to %c4096 step %c1024
// NV8-NEXT:        %x_blk = tile.load %x[%c0, %k0] : memref<1x4096xf32> -> !tile.tile<1x1024xf32, ub>
// NV8-NEXT:        %w_blk = tile.load %w[%k0, %n0] : memref<4096x1024xf32> -> !tile.tile<1024x8xf32, ub>
// NV8-NEXT:        %w_t = tile.transpose %w_blk : !tile.tile<1024x8xf32, ub> -> !tile.tile<8x1024xf32, ub>
// NV8-NEXT:        %x_rows = tile.col_expand %x_blk : !tile.tile<1x1024xf32, ub> -> !tile.tile<8x1024xf32, ub>
// NV8:             tile.row_sum %prod : !tile.tile<8x1024xf32, ub> -> !tile.tile<8x1xf32, ub, col_major>

// NV64-LABEL: func.func @f32_inputs(
// NV64:         scf.parallel (%n0) = (%c0) to (%c1024) step (%c64) {
// NV64:           scf.for %k0 = %c0 to %c4096 step %c256
// NV64:             tile.load %w[%k0, %n0] : memref<4096x1024xf32> -> !tile.tile<256x64xf32, ub>
func.func @f32_inputs(%x: memref<1x4096xf32>, %w: memref<4096x1024xf32>, %y: memref<1x1024xf32>) {
  linalg.matmul ins(%x, %w : memref<1x4096xf32>, memref<4096x1024xf32>) outs(%y : memref<1x1024xf32>)
  return
}
